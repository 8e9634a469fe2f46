"""ORH creates a call through the three forms of "Nueva convocatoria" and publishes it (B1–B4),
in a real browser; the schedule is calculated in business days (§4.1) and adjusted before saving.

Call numbers 560000–569999 (H3's range)."""

from __future__ import annotations

import datetime as dt
import itertools

import sqlalchemy as sa

from casadmin import models as m
from casadmin.models.enums import EstadoConvocatoria
from casadmin.peru import business_days as bd
from casadmin.peru.clock import today

_NUMEROS = itertools.count(560000)


def test_orh_creates_and_publishes_a_call_through_the_wizard(page, pasos, entrar, app):
    shot = pasos(page)
    n = next(_NUMEROS)
    entrar(page, "orh.sunedu", "demo12345")
    page.goto("/gestion/")
    page.get_by_role("link", name="Nueva convocatoria").first.click()
    page.get_by_label("Número de convocatoria").fill(str(n))
    page.get_by_label("Nombre del puesto").fill("Especialista en Contrataciones")
    page.get_by_label("Órgano", exact=True).fill("Oficina de Administración")
    page.get_by_label("Remuneración mensual (S/)").fill("7000")
    page.get_by_label("Lugar de prestación del servicio").fill("Lima")
    page.get_by_label("Duración del contrato").fill("3 meses")
    page.get_by_label("Modalidad de suscripción del contrato").select_option(label="Virtual")
    shot("datos")
    page.get_by_role("button", name="Guardar y continuar").click()

    assert "perfil del puesto" in page.inner_text("h1")
    page.get_by_label("Nivel académico").select_option(label="Bachiller")
    page.get_by_label("Experiencia general (meses)").fill("24")
    page.get_by_label("Experiencia específica (meses)").fill("36")  # more than general: refused at the field
    page.get_by_label("Funciones principales").fill("Conducir las contrataciones de la entidad.")
    page.get_by_role("button", name="Guardar perfil").click()
    assert "no puede ser mayor que la general" in page.inner_text("#campo-experiencia_especifica_meses")
    shot("perfil-con-error")
    page.get_by_label("Experiencia específica (meses)").fill("12")
    page.get_by_label("Tema 1").fill("Contrataciones del Estado")
    page.get_by_label("Tipo de capacitación 1").select_option(label="Curso")
    page.get_by_label("Horas mínimas 1").fill("90")
    page.get_by_role("button", name="Guardar perfil").click()

    assert "cronograma" in page.inner_text("h1")
    inicio = bd.next_business_day(today() + dt.timedelta(days=7))
    page.get_by_label("Inicio de la publicación").fill(inicio.isoformat())
    page.get_by_role("button", name="Calcular cronograma").click()
    assert page.get_by_label("Inicio: Publicación de la convocatoria").input_value().startswith(inicio.isoformat())
    shot("cronograma-calculado")
    page.get_by_label("Responsable: Entrevista Personal").fill("Comité de Entrevista")
    page.get_by_role("button", name="Guardar cronograma").click()

    assert page.inner_text("#estado") == "Borrador"
    shot("pagina-de-la-convocatoria")
    page.get_by_role("button", name="Publicar convocatoria").click()
    assert page.inner_text("#estado") == "Publicada"
    shot("publicada")
    with app.app_context():
        from casadmin.extensions import db

        conv = db.session.scalar(sa.select(m.Convocatoria).where(m.Convocatoria.numero == n))
        assert conv.estado is EstadoConvocatoria.publicada and conv.perfil.experiencia_especifica_meses == 12
        assert {h.tipo.name: h.responsable for h in conv.cronograma}["entrevista"] == "Comité de Entrevista"
        db.session.remove()
