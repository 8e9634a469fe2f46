"""The YAML legal cases' collector refuses a file that would check nothing (issue 3 item 9)."""

from __future__ import annotations

import re

import pytest

from .conftest import CARPETA_CASOS, CasoInvalido, casos_de, es_archivo_de_casos


@pytest.mark.parametrize(("texto", "mensaje"), [
    ("rule: cursos\ncases: []\n", "la lista «cases» está vacía"),
    ("rule: cursos\n", "se espera un mapeo con la lista «cases»"),
    ("rule: cursos\ncases:\n  - {name: a, clause: x, input: {}, output: {}}\n", "sin nada que comprobar"),
    ("rule: cursos\ncases:\n  - {name: a, clause: x, input: {}}\n", "sin ['output']"),
    ("rule: inventada\ncases:\n  - {name: a, clause: x, input: {}, output: {cumple: [true]}}\n",
     "regla desconocida 'inventada'"),
    ("rule: cursos\ncases:\n  - {name: a, clause: x, input: {}, output: {cumple: [true]}}\n"
     "  - {name: a, clause: x, input: {}, output: {cumple: [true]}}\n", "nombre repetido 'a'"),
])
def test_a_file_that_would_check_nothing_is_refused(tmp_path, texto, mensaje):
    archivo = tmp_path / "casos.yaml"
    archivo.write_text(texto, encoding="utf-8")
    with pytest.raises(CasoInvalido, match=re.escape(mensaje)):
        casos_de(archivo)


def test_every_case_file_is_collected_a_subfolders_too():
    """A file in a subfolder of cases/ was never collected, so its wrong case never ran."""
    assert es_archivo_de_casos(CARPETA_CASOS / "sub" / "nuevos.yaml")
    assert es_archivo_de_casos(CARPETA_CASOS / "cursos.yml")
    assert not es_archivo_de_casos(CARPETA_CASOS.parent / "otros.yaml")  # outside cases/: not legal cases
    assert not es_archivo_de_casos(CARPETA_CASOS / "notas.txt")
