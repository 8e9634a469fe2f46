# CAS Admin — the two commands: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := casadmin:create_app
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test install compile migrate init demo serve worker clean lint
.DELETE_ON_ERROR:

$(VENV)/.installed: pyproject.toml setup.py
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	mkdir -p build && touch build/reglas.stamp $@

install: $(VENV)/.installed

## The hottest rule modules compiled with mypyc (setup.py; the install compiles them too), again
## whenever a rule source changed. CASADMIN_COMPILAR=0, or no C compiler, leaves them pure Python.
build/reglas.stamp: setup.py $(wildcard casadmin/rules/*.py)
	$(BIN)/python setup.py --quiet build_ext --inplace
	mkdir -p build && touch $@

compile: install
	@$(MAKE) --no-print-directory build/reglas.stamp

migrate: install compile
	mkdir -p instance
	$(BIN)/flask db upgrade

init: migrate
	$(BIN)/flask casadmin init

demo: init
	$(BIN)/flask casadmin demo

## Create the venv, install, migrate, sync roles, create the admin, load demo data, serve.
run: demo
	@echo ""
	@echo "  CAS Admin en http://$(HOST):$(PORT)/   (Ctrl+C para detener)"
	@echo "  Usuarios de demostración: ver README.md (admin / admin12345)"
	@echo ""
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - 'casadmin:create_app()'

## The whole suite on SQLite, then on PostgreSQL when CASADMIN_TEST_DATABASE_URL is set.
test: install compile
	$(BIN)/python -m pytest -q
	@if [ -n "$$CASADMIN_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$CASADMIN_TEST_DATABASE_URL"; \
		CASADMIN_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q; \
	else \
		echo "== PostgreSQL omitido: defina CASADMIN_TEST_DATABASE_URL (como hace .ci/run)"; \
	fi

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache test-artifacts build casadmin/rules/compilado.json
	find casadmin -name '*.so' -delete
