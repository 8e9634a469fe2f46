"""The interview committee's test scenario (tests/test_comite.py, tests/browser/test_comite.py).

``from comite_escenario import nueva_convocatoria`` (pytest puts ``tests/`` on the path). Each
call gets a number of H5's range (700001…, one counter per test process), is imported from the
SUNEDU example without its interview sheets, evaluated by the engine up to the curricular stage,
and has the engine's shortlist (D5) cited to the interview; the demo's SUNEDU committee is
assigned through :func:`casadmin.comite.asignar` unless ``miembros=False``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import sqlalchemy as sa

from casadmin import comite, engine_db, etapas
from casadmin import models as m
from casadmin import plugins as pl
from casadmin.engine import interchange
from casadmin.engine.run import simular
from casadmin.models.enums import Etapa, RolComite, TipoHito
from casadmin.peru.clock import now

ROOT = Path(__file__).resolve().parent.parent
EJEMPLO = ROOT / "docs" / "examples" / "cas-140-2026-sunedu.json"
_numeros = itertools.count(700001)

FACTORES = m.HojaEntrevista.FACTORES
C1, C2, VE = "comite1.sunedu", "comite2.sunedu", "veedor.sunedu"


# --- the scenario -------------------------------------------------------------------------------


class Escenario:
    def __init__(self, db, conv: m.Convocatoria, por_id: dict[str, m.Postulacion], no_citado: m.Postulacion):
        self.db, self.conv_id, self.codigo = db, conv.id, conv.codigo
        self.post = {k: v.id for k, v in por_id.items()}  # P01, P06, P07, P08, P09 → postulacion id
        self.no_citado = no_citado.id

    @property
    def conv(self) -> m.Convocatoria:
        return self.db.session.get(m.Convocatoria, self.conv_id)

    def url(self, pid: str | int | None = None) -> str:
        if pid is None:
            return f"/comite/{self.conv_id}"
        return f"/comite/{self.conv_id}/{self.post.get(pid, pid)}"

    def hojas(self) -> dict[tuple[str, str], m.HojaEntrevista]:
        self.db.session.expire_all()
        ids = {v: k for k, v in self.post.items()}
        return {(ids.get(h.postulacion_id, h.postulacion_id), h.miembro.usuario.username): h
                for h in self.db.session.scalars(sa.select(m.HojaEntrevista).join(m.MiembroComite)
                                                 .where(m.MiembroComite.convocatoria_id == self.conv_id))}

    def resultados(self) -> dict[str, m.ResultadoEtapa]:
        self.db.session.expire_all()
        ids = {v: k for k, v in self.post.items()}
        return {ids[r.postulacion_id]: r for r in self.db.session.scalars(sa.select(m.ResultadoEtapa).where(
            m.ResultadoEtapa.convocatoria_id == self.conv_id, m.ResultadoEtapa.etapa == Etapa.entrevista,
            m.ResultadoEtapa.evaluado_en.is_not(None)))}

    def auditoria(self, accion: str) -> list[m.RegistroAuditoria]:
        return list(self.db.session.scalars(sa.select(m.RegistroAuditoria).where(
            m.RegistroAuditoria.convocatoria_id == self.conv_id, m.RegistroAuditoria.accion == accion)
            .order_by(m.RegistroAuditoria.id)))


def usuario_de(db, username: str) -> m.Usuario:
    return db.session.scalar(sa.select(m.Usuario).where(m.Usuario.username == username))


def nueva_convocatoria(db, *, miembros: bool = True, notificadas: bool = True) -> Escenario:
    """The SUNEDU example under a number of this module's range, evaluated up to the curricular
    stage by the engine, its shortlist cited to the interview (the citations notified, in the example's
    past schedule, unless ``notificadas`` is false); the demo's committee assigned."""
    d = interchange.leer(EJEMPLO.read_bytes())
    n = next(_numeros)
    c = d["convocatoria"]
    c["numero"], c["codigo"] = n, f"CAS N° {n}-{c['anio']}-{d['entidad']['siglas']}"
    # A name of its own: the demo call's name stays a selective search on the public portal (test_publico).
    c["nombre_puesto"] = "Analista de entrevistas (prueba del Comité)"
    for p in d["postulantes"]:
        p.get("entradas", {}).pop("entrevista", None)  # the committee scores here, on its screens
    d.pop("decisiones_comite", None)
    arch = interchange.cargar(d)
    convocados = simular(pl.get_plugin_manager(), arch.convocatoria, arch.candidatos,
                         hasta="entrevista").convocados_entrevista
    assert sorted(convocados) == ["P01", "P06", "P07", "P08", "P09"]
    conv = engine_db.importar(db.session, d)
    for etapa in ("ficha", "examen", "psicologica", "curricular"):
        engine_db.evaluar(db.session, conv.codigo, etapa)
    apps = {a.ficha["intercambio"]["id"]: a for a in db.session.scalars(
        sa.select(m.Postulacion).where(m.Postulacion.convocatoria_id == conv.id))}
    hito = db.session.scalar(sa.select(m.HitoCronograma).where(m.HitoCronograma.convocatoria_id == conv.id,
                                                               m.HitoCronograma.tipo == TipoHito.entrevista))
    for i, pid in enumerate(convocados):
        cita = m.Citacion(postulacion_id=apps[pid].id, etapa=Etapa.entrevista,
                          fecha_hora=hito.inicio.replace(minute=0) if hito else now(),
                          lugar_o_enlace=f"Sala virtual {i + 1}")
        if notificadas:  # as «Notificar citaciones» leaves them (§4.2.5 c)
            cita.notificada_en, cita.notificado = now(), etapas.datos_citacion(cita)
        db.session.add(cita)
    db.session.commit()
    esc = Escenario(db, conv, {pid: apps[pid] for pid in convocados}, apps["P05"])
    if miembros:
        orh = usuario_de(db, "orh.sunedu")
        for username, rol in ((C1, RolComite.orh), (C2, RolComite.area_usuaria), (VE, RolComite.veedor)):
            comite.asignar(db.session, esc.conv, usuario_de(db, username).id, rol, por=orh)
    return esc



def datos_hoja(valores, *, accion: str = "guardar", **extra) -> dict[str, str]:
    """A sheet's form data: five factors (one value for all, or a list), the button pressed."""
    if not isinstance(valores, (list, tuple)):
        valores = [valores] * 5
    return {**{f: str(v) for f, v in zip(FACTORES, valores, strict=True)}, "accion": accion, **extra}
