"""Apply to a call with a 1 MB PDF through the applicant portal under load (issue 4).

Targets: at least 100 applications per second sustained, p99 ≤ 1 s per application, nothing
lost. The whole real HTTP flow of the portal (``casadmin/views/portal.py``), as a browser does it,
against gunicorn and PostgreSQL on loopback:

1. ``POST /postular/<id>/documentos/anexos_11_12_13``: the PDF (multipart), checked and stored → 303
2. ``GET /postular/<id>``: the page with the uploaded document and its page count
3. ``POST /postular/<id>/confirmar``: the declaration ticked → the confirmation page
4. ``POST /postular/<id>/finalizar``: "Aceptar y registrar mi postulación" → 303
5. ``GET /postular/registrada/<n>``: "Su postulación ha sido registrada satisfactoriamente"

One *application* is those five requests, timed from the upload to the success page. Before
the timed part the script builds its own database (``flask db upgrade``, ``casadmin init`` and
the demo's institutions, as ``benchmarks/sembrar.py`` does), bulk-inserts ``N`` applicants with
complete Fichas (sections 1, 2, 5–7, 9 and a stored signature) and a SUNEDU call open now,
starts gunicorn, and signs every applicant in through FAB's login form. The seeded passwords
use a cheap PBKDF2 hash (1,000 rounds), because signing in is not what is measured; the login
rate limit is raised for the same reason. Each applicant sends its own PDF (a 1 MB file made
once with fpdf2, with the applicant's number written into a text page, so every file and
every hash differs).

Afterwards everything is checked in the database and on disk: exactly one application per
applicant, each stored PDF present with the SHA-256 and size that were sent, every file of
the applications (and their proof PDF, when it exists) present with its recorded hash. The
script exits 1 when anything was lost, 2 when some applications failed without losing
anything, 0 otherwise::

    .venv/bin/python benchmarks/postular.py                          # 3,000 applications, 48 clients
    .venv/bin/python benchmarks/postular.py --aplicaciones 500 --clientes 16
    .venv/bin/python benchmarks/postular.py --url http://127.0.0.1:8080 --db postgresql://…/casadmin \\
        --almacen instance/storage                                   # a server already running

With ``--url`` the script does not rebuild the database: it seeds a new call and its
applicants into ``--db`` (the server's database) and checks the files under ``--almacen``
(the server's ``CASADMIN_STORAGE_DIR``) when given; that server must allow the logins
(``CASADMIN_LIMITE_LOGIN``, e.g. ``1000000 per minute``).

Besides the times, the script prints the CPU the server used (gunicorn's processes, the PDF
checkers they waited for, and this database's PostgreSQL backends) per application: on a
machine shared with other work that is the number to compare between runs, and it bounds what
the same code could do with the cores to itself. ``--perfil FILE`` writes a cProfile (CPU
clock) of one worker's requests; ``--codigo DIR`` runs the server from another copy of the
code (``git archive HEAD | tar -x -C DIR``) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sembrar  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLAVE = "bench12345"
TIPO = "anexos_11_12_13"  # SUNEDU's single document: Anexos 11, 12 and 13 in one PDF (§4.1)
MARCA = b"POSTULANTE-000000000000"  # replaced by each applicant's number (same length: offsets hold)
PASOS = ("cargar", "pagina", "confirmar", "finalizar", "registrada")
EXITO = "Su postulación ha sido registrada satisfactoriamente"
LOTE = 2000


# --- the PDF ---------------------------------------------------------------------------------


def pdf_base(megas: float, seed: int = 11) -> bytes:
    """A PDF of about ``megas`` MB: a text page carrying :data:`MARCA`, then photo-like scanned pages."""
    from fpdf import FPDF
    from PIL import Image

    r = random.Random(seed)
    doc = FPDF()
    doc.set_compression(False)  # the marker must stay readable in the bytes
    doc.set_font("Helvetica", size=12)
    doc.add_page()
    doc.cell(text="Anexos N.os 11, 12 y 13 (benchmark de postulación)")
    doc.ln()
    doc.cell(text=MARCA.decode())
    objetivo = int(megas * 1024 * 1024)
    total = 0
    while total < objetivo - 40_000:
        ancho, alto = 300, 400
        img = Image.frombytes("L", (ancho, alto), bytes(r.getrandbits(8) for _ in range(ancho * alto)))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=60)
        foto = out.getvalue()
        if total + len(foto) > objetivo:
            break
        doc.add_page()
        doc.image(io.BytesIO(foto), x=0, y=0, w=210, h=297)
        total += len(foto) + 400
    data = bytes(doc.output())
    if data.count(MARCA) != 1:
        raise SystemExit("el PDF base no contiene la marca una sola vez")
    return data


def pdf_de(base: bytes, numero: int) -> bytes:
    return base.replace(MARCA, f"POSTULANTE-{numero:012d}".encode())


# --- database: rebuild and seed -----------------------------------------------------------------


@dataclass
class Semilla:
    conv_id: int
    usuarios: list[tuple[int, str]]  # (postulante id, username)


def sembrar_postulantes(url: str, n: int, almacen: Path | None) -> Semilla:
    """A SUNEDU call open now and ``n`` applicants with a complete Ficha, bulk-inserted."""
    import datetime as dt

    from PIL import Image
    from werkzeug.security import generate_password_hash

    from casadmin import create_app
    from casadmin import models as m
    from casadmin.extensions import db
    from casadmin.models.enums import (
        CondicionFormacion,
        EstadoCivil,
        EstadoConvocatoria,
        NivelConocimiento,
        NivelFormacion,
        ProgramaOfimatica,
        Sector,
        Sexo,
        TipoCapacitacion,
        TipoDocumento,
        TipoExperiencia,
        TipoHito,
    )
    from casadmin.peru.clock import now

    r = random.Random(n)
    overrides = {"SQLALCHEMY_DATABASE_URI": url}
    if almacen is not None:
        overrides["STORAGE_DIR"] = almacen
    app = create_app(overrides)
    png = io.BytesIO()
    Image.new("RGB", (200, 150), "white").save(png, "PNG")
    firma = png.getvalue()
    firma_sha = hashlib.sha256(firma).hexdigest()
    with app.app_context():
        s = db.session
        ent = s.scalar(sa.select(m.Entidad).where(m.Entidad.siglas == "SUNEDU"))
        version = s.scalar(sa.select(m.VersionBases).where(m.VersionBases.entidad_id == ent.id))
        ocupados = set(s.scalars(sa.select(m.Convocatoria.numero).where(m.Convocatoria.entidad_id == ent.id)))
        numero = next(x for x in range(320_000 + r.randrange(5000), 330_000) if x not in ocupados)
        momento = now()
        conv = m.Convocatoria(entidad_id=ent.id, version_bases_id=version.id, numero=numero, anio=2026,
                              codigo=f"CAS N° {numero}-2026-SUNEDU-BENCH", nombre_puesto="Analista (benchmark)",
                              organo="Oficina de Tecnologías de la Información", remuneracion=5500, lugar="Lima",
                              duracion_contrato="3 meses", estado=EstadoConvocatoria.postulacion,
                              publicada_en=momento - dt.timedelta(days=1))
        s.add(conv)
        s.flush()
        s.add(m.HitoCronograma(convocatoria_id=conv.id, tipo=TipoHito.postulacion,
                               inicio=momento - dt.timedelta(hours=1), fin=momento + dt.timedelta(hours=12)))
        s.commit()
        clave = generate_password_hash(CLAVE, method="pbkdf2:sha256:1000")
        rol = s.scalar(sa.select(m.Usuario.roles.property.mapper.class_.id).where(
            m.Usuario.roles.property.mapper.class_.name == "Postulante"))
        naive = momento.replace(tzinfo=None)
        base_doc = 10_000_000 + (conv.id % 80) * 1_000_000
        raiz = Path(app.config["STORAGE_DIR"]) / "files" if almacen is not None else None
        salida: list[tuple[int, str]] = []
        t0 = time.perf_counter()
        for inicio in range(0, n, LOTE):
            fin = min(n, inicio + LOTE)
            usuarios = [{"first_name": "Postulante", "last_name": f"Benchmark {base_doc + i}",
                         "username": f"{base_doc + i:08d}", "email": f"b{base_doc + i}@bench.casadmin.pe",
                         "password": clave, "active": True, "created_on": naive, "changed_on": naive,
                         "login_count": 0, "fail_login_count": 0} for i in range(inicio, fin)]
            ids_u = s.scalars(sa.insert(m.Usuario.__table__).returning(m.Usuario.__table__.c.id), usuarios).all()
            s.execute(sa.insert(m.Usuario.roles.property.secondary), [{"user_id": u, "role_id": rol} for u in ids_u])
            claves = [secrets.token_hex(20) for _ in ids_u]
            if raiz is not None:
                for c in claves:  # the signature image itself, where the server stores files
                    (raiz / c[:2]).mkdir(parents=True, exist_ok=True)
                    (raiz / c[:2] / c).write_bytes(firma)
            ids_f = s.scalars(sa.insert(m.Archivo).returning(m.Archivo.id), [
                {"clave": c, "nombre_original": "firma.png", "tipo_mime": "image/png", "tamano": len(firma),
                 "sha256": firma_sha, "propietario_id": u} for c, u in zip(claves, ids_u)]).all()
            postulantes = [{"usuario_id": u, "nacionalidad": "Peruana", "tipo_documento": TipoDocumento.DNI,
                            "numero_documento": d["username"], "apellido_paterno": "QUISPE",
                            "apellido_materno": "ROJAS", "nombres": "ANA", "lugar_nacimiento": "LIMA",
                            "fecha_nacimiento": dt.date(1975 + r.randrange(25), 1 + r.randrange(12),
                                                        1 + r.randrange(28)),
                            "sexo": r.choice(list(Sexo)), "estado_civil": r.choice(list(EstadoCivil)),
                            "ubigeo": "150101", "via": "Av.", "direccion": "Los Próceres 123",
                            "celular": f"9{r.randrange(10**8):08d}", "email": d["email"], "discapacidad": False,
                            "licenciado_ffaa": False, "firma_archivo_id": f}
                           for u, d, f in zip(ids_u, usuarios, ids_f)]
            ids_p = s.scalars(sa.insert(m.Postulante).returning(m.Postulante.id), postulantes).all()
            s.execute(sa.insert(m.FormacionAcademica), [
                {"postulante_id": p, "nivel": NivelFormacion.universitario, "condicion": CondicionFormacion.titulado,
                 "carrera": "Ingeniería de Sistemas", "anio": 2012, "fecha_diploma": dt.date(2013, 3, 1),
                 "institucion": "Universidad Nacional de Ingeniería"} for p in ids_p])
            s.execute(sa.insert(m.Ofimatica), [
                {"postulante_id": p, "programa": prog, "nivel": NivelConocimiento.intermedio}
                for p in ids_p for prog in ProgramaOfimatica])
            s.execute(sa.insert(m.Capacitacion), [
                {"postulante_id": p, "tipo": TipoCapacitacion.curso, "tema": "Gestión pública", "horas": 40,
                 "institucion": "ENAP - SERVIR", "fecha_fin": dt.date(2023, 6, 30), "ente_rector": False}
                for p in ids_p])
            s.execute(sa.insert(m.ExperienciaLaboral), [
                {"postulante_id": p, "empleador": empleador, "sector": sector, "puesto": "Analista",
                 "funciones": "Desarrollo y mantenimiento de sistemas.", "tipo": TipoExperiencia.empleo,
                 "fecha_inicio": inicio_, "fecha_fin": fin_, "actual": fin_ is None}
                for p in ids_p for empleador, sector, inicio_, fin_ in (
                    ("Empresa Andina S.A.C.", Sector.privado, dt.date(2013, 5, 1), dt.date(2017, 12, 31)),
                    ("Ministerio de Educación", Sector.publico, dt.date(2018, 2, 1), None))])
            s.commit()
            salida.extend((p, d["username"]) for p, d in zip(ids_p, usuarios))
            print(f"  {fin}/{n} postulantes ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
        if db.engine.dialect.name == "postgresql":
            s.execute(sa.text("ANALYZE"))
            s.commit()
        return Semilla(conv.id, salida)


# --- gunicorn ---------------------------------------------------------------------------------


def puerto_libre() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def iniciar_gunicorn(db_url: str, almacen: Path, workers: int, threads: int, redis: str, puerto: int,
                     perfil: Path | None, codigo: Path = ROOT) -> subprocess.Popen:
    env = {**os.environ, "CASADMIN_DATABASE_URL": db_url, "CASADMIN_STORAGE_DIR": str(almacen),
           "CASADMIN_SECRET_KEY": secrets.token_hex(32), "CASADMIN_MAIL_SUPPRESS_SEND": "true",
           "CASADMIN_LIMITE_LOGIN": "1000000 per minute"}
    if redis:
        env["CASADMIN_REDIS_URL"] = redis
    else:
        env.pop("CASADMIN_REDIS_URL", None)
    if perfil is not None:
        env["CASADMIN_BENCH_PERFIL"] = str(perfil)
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{puerto}", "--workers", str(workers),
           "--worker-class", "gthread", "--threads", str(threads), "--backlog", "2048", "--timeout", "120",
           "--log-level", "warning"]
    if perfil is not None:
        cmd += ["--config", str(Path(__file__).resolve().parent / "_perfil_gunicorn.py")]
    proc = subprocess.Popen([*cmd, "casadmin:create_app()"], cwd=codigo, env=env)
    limite = time.monotonic() + 60
    while time.monotonic() < limite:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn terminó al iniciar (código {proc.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", puerto, timeout=5)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn no respondió en 60 s")


# --- the HTTP client -------------------------------------------------------------------------

CSRF = re.compile(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"|id="csrf_token" name="csrf_token" '
                  rb'type="hidden" value="([^"]+)"')


class Fallo(Exception):
    def __init__(self, paso: str, detalle: str) -> None:
        super().__init__(f"{paso}: {detalle}")
        self.paso = paso


@dataclass
class Postulante:
    id: int
    usuario: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    sha256: str = ""
    tamano: int = 0
    ok: bool = False
    postulacion_id: int | None = None


class Cliente:
    """One browser-like client on one keep-alive connection (http.client: no dependency)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=120)

    def pedir(self, p: Postulante, metodo: str, ruta: str, cuerpo: bytes | None = None,
              tipo: str | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "casadmin-bench/1"}
        if p.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in p.cookies.items())
        if tipo:
            headers["Content-Type"] = tipo
        for intento in range(2):
            try:
                self.conn.request(metodo, ruta, body=cuerpo, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()  # a keep-alive connection closed by the server: once more on a new one
                if intento:
                    raise
        for valor in resp.headers.get_all("Set-Cookie") or []:
            nombre, _, resto = valor.partition("=")
            v = resto.split(";", 1)[0]
            if not v or "expires=thu, 01 jan 1970" in valor.lower() or "max-age=0" in valor.lower():
                p.cookies.pop(nombre.strip(), None)
            else:
                p.cookies[nombre.strip()] = v
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def formulario(self, p: Postulante, ruta: str, campos: dict[str, str]):
        return self.pedir(p, "POST", ruta, urllib.parse.urlencode(campos).encode(),
                          "application/x-www-form-urlencoded")

    def entrar(self, p: Postulante, conv_id: int) -> None:
        status, _, body = self.pedir(p, "GET", "/login/")
        token = _csrf(body)
        if status != 200 or not token:
            raise Fallo("login", f"GET /login/ {status}")
        status, headers, _ = self.formulario(p, "/login/", {"csrf_token": token, "username": p.usuario,
                                                             "password": CLAVE})
        if status != 302:
            raise Fallo("login", f"POST /login/ {status}")
        status, _, body = self.pedir(p, "GET", f"/postular/{conv_id}")
        if status != 200 or f'id="archivo-{TIPO}"'.encode() not in body:
            raise Fallo("login", f"GET /postular/{conv_id} {status}: sin el formulario de carga (¿Ficha incompleta?)")
        p.csrf = _csrf(body) or ""

    def postular(self, p: Postulante, conv_id: int, data: bytes, tiempos: dict[str, list[float]]) -> None:
        base = f"/postular/{conv_id}"
        frontera = "----casadmin" + secrets.token_hex(12)
        cuerpo = b"".join([
            f"--{frontera}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{p.csrf}\r\n".encode(),
            f"--{frontera}\r\nContent-Disposition: form-data; name=\"archivo\"; filename=\"anexos-11-12-13.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n".encode(), data, f"\r\n--{frontera}--\r\n".encode()])

        def paso(nombre: str, metodo: str, ruta: str, cuerpo: bytes | None = None, tipo: str | None = None, *,
                 esperado: int):
            t = time.perf_counter()
            status, headers, body = self.pedir(p, metodo, ruta, cuerpo, tipo)
            tiempos[nombre].append(time.perf_counter() - t)
            if status != esperado:
                raise Fallo(nombre, f"HTTP {status} (se esperaba {esperado}): {_mensaje(body)}")
            return headers, body

        paso("cargar", "POST", f"{base}/documentos/{TIPO}", cuerpo, f"multipart/form-data; boundary={frontera}",
             esperado=303)
        _, body = paso("pagina", "GET", base, esperado=200)
        if "N° de páginas".encode() not in body:
            raise Fallo("pagina", "el documento cargado no figura en la página")
        t = time.perf_counter()
        status, _, body = self.formulario(p, f"{base}/confirmar", {"csrf_token": p.csrf, "declaracion": "1"})
        tiempos["confirmar"].append(time.perf_counter() - t)
        if status != 200 or b"Aceptar y registrar" not in body:
            raise Fallo("confirmar", f"HTTP {status}: {_mensaje(body)}")
        t = time.perf_counter()
        status, headers, body = self.formulario(p, f"{base}/finalizar",
                                                {"csrf_token": p.csrf, "declaracion": "1", "confirmo": "1"})
        tiempos["finalizar"].append(time.perf_counter() - t)
        if status != 303:
            raise Fallo("finalizar", f"HTTP {status}: {_mensaje(body)}")
        destino = urllib.parse.urlsplit(headers.get("location", "")).path
        _, body = paso("registrada", "GET", destino, esperado=200)
        if EXITO.encode() not in body:
            raise Fallo("registrada", "sin el mensaje de postulación registrada")
        p.postulacion_id = int(destino.rstrip("/").rsplit("/", 1)[-1])


def _csrf(body: bytes) -> str | None:
    m = CSRF.search(body)
    return (m.group(1) or m.group(2)).decode() if m else None


def _mensaje(body: bytes) -> str:
    texto = body.decode("utf-8", "replace")
    for patron in (r'class="help-block error-campo">([^<]+)<', r'class="alert alert-danger"[^>]*>([^<]+)<',
                   r"<title>([^<]+)</title>"):
        m = re.search(patron, texto)
        if m:
            return m.group(1).strip()[:200]
    return texto.strip()[:200]


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Resultado:
    inicio: float = 0.0
    fin: float = 0.0
    aplicaciones: list[tuple[float, float]] = field(default_factory=list)  # (end time, duration)
    tiempos: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errores: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ejemplos: list[str] = field(default_factory=list)


def en_paralelo(n_hilos: int, tareas: list, trabajo) -> None:
    cola = iter(tareas)
    candado = threading.Lock()

    def hilo():
        while True:
            with candado:
                item = next(cola, None)
            if item is None:
                return
            trabajo(item)

    hilos = [threading.Thread(target=hilo, daemon=True) for _ in range(n_hilos)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join()


def correr(host: str, port: int, conv_id: int, postulantes: list[Postulante], clientes: int, base: bytes,
           numeros: dict[int, int]) -> Resultado:
    res = Resultado()
    candado = threading.Lock()
    locales = threading.local()

    def cliente() -> Cliente:
        if not hasattr(locales, "c"):
            locales.c = Cliente(host, port)
        return locales.c

    def uno(p: Postulante) -> None:
        data = pdf_de(base, numeros[p.id])
        p.sha256, p.tamano = hashlib.sha256(data).hexdigest(), len(data)
        tiempos: dict[str, list[float]] = defaultdict(list)
        t0 = time.perf_counter()
        try:
            cliente().postular(p, conv_id, data, tiempos)
        except (Fallo, OSError, http.client.HTTPException) as exc:
            paso = exc.paso if isinstance(exc, Fallo) else type(exc).__name__
            with candado:
                res.errores[paso] += 1
                if len(res.ejemplos) < 8:
                    res.ejemplos.append(f"{p.usuario}: {exc}")
                _sumar(res.tiempos, tiempos)
            locales.c = Cliente(host, port)
            return
        fin = time.perf_counter()
        p.ok = True
        with candado:
            res.aplicaciones.append((fin, fin - t0))
            _sumar(res.tiempos, tiempos)

    res.inicio = time.perf_counter()
    en_paralelo(clientes, postulantes, uno)
    res.fin = time.perf_counter()
    return res


def _sumar(total: dict[str, list[float]], parte: dict[str, list[float]]) -> None:
    for k, v in parte.items():
        total[k].extend(v)


def percentil(valores: list[float], q: float) -> float:
    if not valores:
        return float("nan")
    v = sorted(valores)
    return v[min(len(v) - 1, max(0, int(round(q * len(v))) - 1))]


def informe(res: Resultado, n: int) -> None:
    dur = res.fin - res.inicio
    hechas = len(res.aplicaciones)
    print(f"\npostulaciones completas: {hechas}/{n} en {dur:.1f} s → {hechas / dur:.1f} postulaciones/s "
          f"(objetivo ≥ 100/s)")
    if hechas >= 20:
        fines = sorted(t for t, _ in res.aplicaciones)
        a, b = fines[len(fines) // 10], fines[(len(fines) * 9) // 10]
        if b > a:
            print(f"  en régimen (del 10 % al 90 % de las completadas): {(len(fines) * 8 // 10) / (b - a):.1f}/s")
    por_app = [d for _, d in res.aplicaciones]
    ms = lambda x: f"{x * 1000:7.0f} ms"  # noqa: E731
    print(f"por postulación (5 solicitudes): p50 {ms(percentil(por_app, .5))}  p95 {ms(percentil(por_app, .95))}  "
          f"p99 {ms(percentil(por_app, .99))}  máx {ms(max(por_app, default=float('nan')))}  (objetivo p99 ≤ 1000 ms)")
    todas = [x for k in PASOS for x in res.tiempos.get(k, [])]
    print(f"por solicitud ({len(todas)}):    p50 {ms(percentil(todas, .5))}  p95 {ms(percentil(todas, .95))}  "
          f"p99 {ms(percentil(todas, .99))}")
    for k in PASOS:
        v = res.tiempos.get(k, [])
        print(f"  {k:<11} ({len(v):5d})  p50 {ms(percentil(v, .5))}  p95 {ms(percentil(v, .95))}  "
              f"p99 {ms(percentil(v, .99))}")
    total_err = sum(res.errores.values())
    print(f"errores: {total_err}" + (" (" + ", ".join(f"{k}: {v}" for k, v in res.errores.items()) + ")"
                                     if total_err else ""))
    for e in res.ejemplos:
        print(f"  {e}")


def verificar(db_url: str, conv_id: int, postulantes: list[Postulante], almacen: Path | None) -> list[str]:
    """Everything sent is stored: one application per applicant, each PDF and its hash, every file."""
    from casadmin import models as m

    perdidos: list[str] = []
    motor = sa.create_engine(db_url)
    with motor.connect() as conn:
        filas = conn.execute(sa.select(m.Postulacion.id, m.Postulacion.postulante_id, m.Postulacion.ficha_sha256)
                             .where(m.Postulacion.convocatoria_id == conv_id)).all()
        por_postulante: dict[int, list[int]] = defaultdict(list)
        for pid_app, pid, _ in filas:
            por_postulante[pid].append(pid_app)
        docs = conn.execute(
            sa.select(m.DocumentoPostulacion.postulacion_id, m.DocumentoPostulacion.tipo,
                      m.DocumentoPostulacion.paginas, m.Archivo.clave, m.Archivo.sha256, m.Archivo.tamano)
            .join(m.Archivo, m.Archivo.id == m.DocumentoPostulacion.archivo_id)
            .join(m.Postulacion, m.Postulacion.id == m.DocumentoPostulacion.postulacion_id)
            .where(m.Postulacion.convocatoria_id == conv_id)).all()
        correos = conn.execute(sa.select(m.CorreoSaliente.usuario_id, m.CorreoSaliente.adjuntos).where(
            m.CorreoSaliente.convocatoria_id == conv_id)).all()
        ids_constancias = [a for _, adj in correos for a in (adj or [])]
        constancias = conn.execute(sa.select(m.Archivo.clave, m.Archivo.sha256, m.Archivo.tamano).where(
            m.Archivo.id.in_(ids_constancias))).all() if ids_constancias else []
        usuarios = dict(conn.execute(sa.select(m.Postulante.id, m.Postulante.usuario_id).where(
            m.Postulante.id.in_([p.id for p in postulantes]))).all())
    motor.dispose()
    por_app = defaultdict(list)
    for d in docs:
        por_app[d.postulacion_id].append(d)
    duplicadas = {pid: v for pid, v in por_postulante.items() if len(v) > 1}
    for pid, v in duplicadas.items():
        perdidos.append(f"postulante {pid}: {len(v)} postulaciones a la misma convocatoria")
    confirmadas = sin_confirmar = 0
    correo_de = defaultdict(int)
    for uid, _ in correos:
        correo_de[uid] += 1
    archivos: list[tuple[str, str, int, str]] = []
    for p in postulantes:
        apps = por_postulante.get(p.id, [])
        if p.ok:
            confirmadas += 1
            if not apps:
                perdidos.append(f"{p.usuario}: vio «registrada» pero no hay postulación")
                continue
            if p.postulacion_id not in apps:
                perdidos.append(f"{p.usuario}: la página de éxito muestra otra postulación ({p.postulacion_id})")
        elif apps:
            sin_confirmar += 1  # e.g. a timeout after the commit: stored, but the client never saw the page
        if not apps:
            continue
        d = [x for x in por_app.get(apps[0], []) if x.tipo == TIPO]
        if len(d) != 1:
            perdidos.append(f"{p.usuario}: {len(d)} documentos {TIPO}")
            continue
        d = d[0]
        if p.sha256 and (d.sha256 != p.sha256 or d.tamano != p.tamano):
            perdidos.append(f"{p.usuario}: el PDF guardado no es el enviado (SHA-256 o tamaño)")
        archivos.append((d.clave, d.sha256, d.tamano, f"{p.usuario} PDF"))
        if correo_de.get(usuarios.get(p.id), 0) != 1:
            perdidos.append(f"{p.usuario}: {correo_de.get(usuarios.get(p.id), 0)} correos de constancia")
    for c in constancias:
        archivos.append((c.clave, c.sha256, c.tamano, "constancia"))
    revisados = 0
    if almacen is not None:
        raiz = almacen / "files"
        for clave, sha, tamano, que in archivos:
            ruta = raiz / clave[:2] / clave
            try:
                contenido = ruta.read_bytes()
            except FileNotFoundError:
                perdidos.append(f"{que}: falta el archivo {clave}")
                continue
            if len(contenido) != tamano or hashlib.sha256(contenido).hexdigest() != sha:
                perdidos.append(f"{que}: el archivo {clave} no coincide con su SHA-256")
            revisados += 1
    print(f"\nverificación: {len(filas)} postulaciones en la base ({confirmadas} confirmadas al cliente, "
          f"{sin_confirmar} guardadas sin confirmar), {len(duplicadas)} duplicadas; "
          f"{len(docs)} PDF y {len(constancias)} constancias registrados; "
          + (f"{revisados} archivos leídos del disco con su SHA-256" if almacen is not None
             else "archivos en disco NO revisados (sin --almacen)"))
    return perdidos


def _cpu_de(pid: int) -> float:
    """CPU seconds of a process and of its children it waited for (the forked PDF checkers)."""
    try:
        campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return sum(int(x) for x in campos[11:15]) / os.sysconf("SC_CLK_TCK")


def _hijos(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d.name))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
    return out


def cpu_servidor(servidor: subprocess.Popen | None, db_url: str) -> dict[str, float]:
    """CPU seconds used so far by gunicorn (master, workers, their checkers) and by this database's
    PostgreSQL backends: the load-independent cost of the run (other work shares the machine)."""
    out = {"gunicorn": float("nan"), "postgresql": float("nan")}
    if servidor is not None:
        out["gunicorn"] = _cpu_de(servidor.pid) + sum(_cpu_de(h) for h in _hijos(servidor.pid))
    try:
        motor = sa.create_engine(db_url)
        with motor.connect() as conn:
            pids = conn.scalars(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                        "AND pid <> pg_backend_pid()")).all()
        motor.dispose()
        out["postgresql"] = sum(_cpu_de(p) for p in pids)
    except Exception:  # noqa: BLE001 - e.g. PostgreSQL on another host: not measured
        pass
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aplicaciones", type=int, default=3000, help="applications (and applicants) in the run")
    ap.add_argument("--clientes", type=int, default=48, help="concurrent clients")
    ap.add_argument("--url", help="reuse a running server (the database is not rebuilt)")
    ap.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/casadmin_bench_postular")
    ap.add_argument("--almacen", type=Path, help="with --url: the server's CASADMIN_STORAGE_DIR")
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers (2 cores)")
    ap.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/9",
                    help="CASADMIN_REDIS_URL of the server (mail queue, rate limits); '' for none")
    ap.add_argument("--megas", type=float, default=1.0, help="size of each PDF in MB")
    ap.add_argument("--perfil", type=Path, help="cProfile one gunicorn worker, write the stats here")
    ap.add_argument("--conservar", action="store_true", help="keep the temporary storage directory")
    ap.add_argument("--codigo", type=Path, default=ROOT,
                    help="run the server from this copy of the code (e.g. `git archive` of an older commit)")
    args = ap.parse_args(argv)

    print(f"carga de la máquina al empezar: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f} ({os.cpu_count()} núcleos)")
    t = time.perf_counter()
    base = pdf_base(args.megas)
    print(f"PDF base: {len(base) / 1e6:.2f} MB ({time.perf_counter() - t:.1f} s)")

    tmp = None
    servidor = None
    if args.url:
        almacen = args.almacen
        u = urllib.parse.urlsplit(args.url)
        host, port = u.hostname or "127.0.0.1", u.port or 80
    else:
        tmp = Path(tempfile.mkdtemp(prefix="casadmin-bench-postular-"))
        almacen = tmp / "storage"
        t = time.perf_counter()
        sembrar.recrear(args.db)
        print(f"base de datos recreada y migrada ({time.perf_counter() - t:.0f} s)")
        host, port = "127.0.0.1", puerto_libre()
    try:
        t = time.perf_counter()
        semilla = sembrar_postulantes(args.db, args.aplicaciones, almacen)
        print(f"sembrados {len(semilla.usuarios)} postulantes con Ficha completa y firma "
              f"({time.perf_counter() - t:.0f} s); convocatoria {semilla.conv_id}")
        if not args.url:
            servidor = iniciar_gunicorn(args.db, almacen, args.workers, args.threads, args.redis, port, args.perfil,
                                        args.codigo)
            print(f"gunicorn: {args.workers} workers × {args.threads} hilos (gthread) en 127.0.0.1:{port}, "
                  f"archivos en {almacen}, Redis {args.redis or 'no'}")
        postulantes = [Postulante(pid, usuario) for pid, usuario in semilla.usuarios]
        numeros = {p.id: i for i, p in enumerate(postulantes)}
        t = time.perf_counter()
        fallos_login: list[str] = []
        locales = threading.local()

        def entrar(p: Postulante) -> None:
            if not hasattr(locales, "c"):
                locales.c = Cliente(host, port)
            try:
                locales.c.entrar(p, semilla.conv_id)
            except (Fallo, OSError, http.client.HTTPException) as exc:
                fallos_login.append(f"{p.usuario}: {exc}")
                locales.c = Cliente(host, port)

        en_paralelo(min(args.clientes, 16), postulantes, entrar)
        if fallos_login:
            print("\n".join(fallos_login[:5]))
            raise SystemExit(f"{len(fallos_login)} postulantes no pudieron entrar")
        print(f"sesiones iniciadas: {len(postulantes)} ({time.perf_counter() - t:.0f} s)")

        print(f"\nmidiendo: {len(postulantes)} postulaciones, {args.clientes} clientes concurrentes, "
              f"PDF de {len(base) / 1e6:.2f} MB; carga al empezar {os.getloadavg()[0]:.2f}")
        srv0 = cpu_servidor(servidor, args.db)
        cpu0 = os.times()
        res = correr(host, port, semilla.conv_id, postulantes, args.clientes, base, numeros)
        cpu1 = os.times()
        srv1 = cpu_servidor(servidor, args.db)
        informe(res, len(postulantes))
        print(f"CPU del propio cliente: {cpu1.user - cpu0.user + cpu1.system - cpu0.system:.1f} s en "
              f"{res.fin - res.inicio:.1f} s; carga al terminar {os.getloadavg()[0]:.2f}")
        hechas = max(1, len(res.aplicaciones))
        g, pg = srv1["gunicorn"] - srv0["gunicorn"], srv1["postgresql"] - srv0["postgresql"]
        if g == g:  # measured (a server started here)
            por = (g + (pg if pg == pg else 0)) / hechas
            print(f"CPU del servidor: gunicorn {g:.1f} s + PostgreSQL {pg:.1f} s = {por * 1000:.0f} ms por "
                  f"postulación → con {os.cpu_count()} núcleos libres, como máximo {os.cpu_count() / por:.0f} "
                  "postulaciones/s")
    finally:
        if servidor is not None:
            servidor.send_signal(signal.SIGTERM)
            try:
                servidor.wait(30)
            except subprocess.TimeoutExpired:
                servidor.kill()
    perdidos = verificar(args.db, semilla.conv_id, postulantes, almacen)
    if args.redis and not args.url:
        _vaciar_cola(args.redis)
    if tmp is not None and not args.conservar:
        shutil.rmtree(tmp, ignore_errors=True)
    if perdidos:
        print(f"PERDIDO: {len(perdidos)}")
        for x in perdidos[:20]:
            print(f"  {x}")
        return 1
    print("nada perdido")
    return 2 if sum(res.errores.values()) else 0


def _vaciar_cola(redis_url: str) -> None:
    """The mail jobs this run queued (no worker runs here): remove them from the benchmark's Redis database."""
    try:
        from redis import Redis
        from rq import Queue

        from casadmin.mailer import QUEUE_NAME

        Queue(QUEUE_NAME, connection=Redis.from_url(redis_url)).empty()
    except Exception as exc:  # noqa: BLE001 - cleanup only
        print(f"(no se pudo vaciar la cola de correo: {exc})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
