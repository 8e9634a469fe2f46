"""Peru specifics: Lima clock, business days with Peru's holidays, ubigeo, identity documents."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casadmin.peru import business_days as bd
from casadmin.peru import clock, documentos, ubigeo

# ---------------------------------------------------------------- clock


def test_now_is_aware_lima_time():
    now = clock.now()
    assert now.tzinfo is clock.LIMA
    assert now.utcoffset() == dt.timedelta(hours=-5)
    assert abs(now - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1)


def test_today_is_the_lima_date_not_the_utc_date(monkeypatch):
    # 23:30 in Lima is already 04:30 of the next day in UTC.
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 7, 27, 23, 30, tzinfo=clock.LIMA))
    assert clock.today() == dt.date(2026, 7, 27)


def test_storage_convention_naive_is_lima_local_time():
    naive = clock.to_naive_lima(dt.datetime(2026, 3, 2, 21, 30, tzinfo=dt.timezone.utc))
    assert naive == dt.datetime(2026, 3, 2, 16, 30) and naive.tzinfo is None
    assert clock.to_naive_lima(naive) is naive  # naive values are already Lima time
    aware = clock.to_lima(naive)
    assert aware.tzinfo is clock.LIMA and (aware.hour, aware.minute) == (16, 30)
    assert aware == dt.datetime(2026, 3, 2, 21, 30, tzinfo=dt.timezone.utc)
    madrid = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert clock.to_lima(madrid).hour == 16


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=dt.datetime(1995, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.timezones(),
        allow_imaginary=False,  # a wall time skipped by DST elsewhere is no instant at all
    )
)
def test_naive_lima_round_trips_to_the_same_instant(value):
    stored = clock.to_naive_lima(value)
    assert stored.tzinfo is None
    # compared in UTC: == between zones is always False for a wall time repeated by DST (PEP 495)
    assert clock.to_lima(stored).astimezone(dt.timezone.utc) == value.astimezone(dt.timezone.utc)
    assert clock.to_naive_lima(clock.to_lima(stored)) == stored


# ---------------------------------------------------------------- business days


@pytest.mark.parametrize(
    "day,expected",
    [
        (dt.date(2026, 7, 28), False),  # Fiestas Patrias
        (dt.date(2026, 7, 29), False),
        (dt.date(2026, 12, 8), False),  # Inmaculada Concepción
        (dt.date(2026, 12, 9), False),  # Batalla de Ayacucho
        (dt.date(2026, 1, 1), False),
        (dt.date(2026, 4, 2), False),  # Jueves Santo
        (dt.date(2026, 11, 21), False),  # Saturday
        (dt.date(2026, 11, 22), False),  # Sunday
        (dt.date(2026, 11, 23), True),
        (dt.date(2026, 7, 27), True),
    ],
)
def test_business_days(day, expected):
    assert bd.is_business_day(day) is expected


def test_holiday_names_are_spanish():
    assert bd.feriado(dt.date(2026, 12, 8)) == "Inmaculada Concepción"
    assert bd.feriado(dt.date(2026, 11, 23)) is None


def test_add_business_days_zero_and_positive():
    saturday = dt.date(2026, 11, 21)
    assert bd.add_business_days(saturday, 0) == dt.date(2026, 11, 23)
    assert bd.add_business_days(dt.date(2026, 11, 23), 0) == dt.date(2026, 11, 23)
    assert bd.add_business_days(dt.date(2026, 11, 23), 1) == dt.date(2026, 11, 24)
    assert bd.add_business_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)  # Friday → Monday
    with pytest.raises(ValueError):
        bd.add_business_days(saturday, -1)


def test_business_days_between_is_inclusive():
    assert bd.business_days_between(dt.date(2026, 11, 23), dt.date(2026, 11, 27)) == 5
    assert bd.business_days_between(dt.date(2026, 11, 21), dt.date(2026, 11, 22)) == 0
    assert bd.business_days_between(dt.date(2026, 11, 27), dt.date(2026, 11, 23)) == 0


def test_publication_window_skips_holidays_section_4_1():
    first, last = bd.publication_window(dt.date(2026, 7, 20))
    assert first == dt.date(2026, 7, 20)
    # 20–22 and 24 Jul (23 Jul is Air Force Day), 27 Jul, 28–29 holidays, 30–31 Jul, 3–5 Aug.
    assert last == dt.date(2026, 8, 5)
    assert bd.business_days_between(first, last) == 10


def test_publication_window_starting_on_a_holiday_begins_next_business_day():
    first, last = bd.publication_window(dt.date(2026, 12, 8), 10)  # Tue, holiday; Wed 9 too
    assert first == dt.date(2026, 12, 10)
    # 10, 11, 14–18, 21–23 Dec
    assert last == dt.date(2026, 12, 23)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31)), st.integers(1, 30))
def test_publication_window_has_exactly_n_business_days(start, n):
    first, last = bd.publication_window(start, n)
    assert first >= start and bd.is_business_day(first) and bd.is_business_day(last)
    assert bd.business_days_between(first, last) == n
    assert bd.business_days_between(start, first - dt.timedelta(days=1)) == 0


def test_contract_deadline_section_4_4_d():
    # Results on Friday 4 Dec 2026: 7, 10, 11, 14, 15 Dec (8 and 9 Dec are holidays).
    assert bd.contract_deadline(dt.date(2026, 12, 4)) == dt.date(2026, 12, 15)
    # Results on Monday 23 Nov 2026: counted from Tuesday 24, five business days.
    assert bd.contract_deadline(dt.date(2026, 11, 23)) == dt.date(2026, 11, 30)


# ---------------------------------------------------------------- ubigeo


def test_ubigeo_counts():
    todos = ubigeo.distritos_todos()
    assert len(todos) == 1893
    assert len({d.inei for d in todos}) == 1893
    assert all(len(d.inei) == 6 and d.inei.isdigit() for d in todos)
    deps = ubigeo.departamentos()
    assert len(deps) == 25
    assert [name for _, name in deps] == sorted(name for _, name in deps)
    assert ("07", "CALLAO") in deps and ("15", "LIMA") in deps
    assert ubigeo.provincias("07") == [("0701", "CALLAO")]
    assert len({d.provincia_codigo for d in todos}) == 196


def test_ubigeo_cascade_lima_lima_san_borja():
    assert dict(ubigeo.departamentos())["15"] == "LIMA"
    assert ("1501", "LIMA") in ubigeo.provincias("15")
    assert ("150130", "SAN BORJA") in ubigeo.distritos("1501")
    assert all(code.startswith("1501") for code, _ in ubigeo.distritos("1501"))
    assert ubigeo.label("150130") == "LIMA / LIMA / SAN BORJA"
    d = ubigeo.get("150130")
    assert d is not None and (d.departamento_codigo, d.provincia_codigo) == ("15", "1501")
    assert ubigeo.is_valid("150130")
    assert not ubigeo.is_valid("999999") and not ubigeo.is_valid("NA") and not ubigeo.is_valid("")
    assert ubigeo.get("999999") is None and ubigeo.label("999999") == ""


def test_ubigeo_data_gaps_are_filled():
    san_antonio = ubigeo.get("180107")
    assert san_antonio is not None
    assert san_antonio.reniec == "170107"
    assert (san_antonio.provincia, san_antonio.distrito) == ("MARISCAL NIETO", "SAN ANTONIO")
    huachipa = ubigeo.get("150144")
    assert huachipa is not None and huachipa.reniec is None


def test_ubigeo_sorting_is_spanish():
    names = [name for _, name in ubigeo.distritos("1802")]
    assert names.index("ICHUÑA") < names.index("LA CAPILLA")


# ---------------------------------------------------------------- documents


def test_dni():
    assert documentos.validar_dni(" 07703173 ") == "07703173"
    assert documentos.validar_documento("DNI", "0770 3173") == "07703173"
    for bad in ("1234567", "123456789012", "1234567A", "", "١٢٣٤٥٦٧٨"):
        with pytest.raises(documentos.DocumentoInvalido, match="^El DNI debe tener 8 dígitos.$"):
            documentos.validar_dni(bad)


def test_dni_with_check_digit_uses_stdnum():
    from stdnum.pe import cui

    digit, letter = cui.calc_check_digits("07703173")
    assert documentos.validar_dni("07703173-" + digit) == "07703173"
    assert documentos.validar_dni("07703173" + letter.lower()) == "07703173"
    assert documentos.validar_dni("10117410-2") == "10117410"  # stdnum's documented example
    wrong = "0" if digit != "0" else "1"
    with pytest.raises(documentos.DocumentoInvalido, match="dígito de verificación"):
        documentos.validar_dni("07703173" + wrong)
    with pytest.raises(documentos.DocumentoInvalido, match="8 dígitos"):
        documentos.validar_dni("0770317A2")


def test_carne_de_extranjeria():
    assert documentos.validar_documento("CE", "001234567") == "001234567"
    assert documentos.validar_carne_extranjeria("ab-1234567") == "AB1234567"
    assert documentos.validar_carne_extranjeria("123456789012") == "123456789012"
    for bad in ("1234", "12345678", "1234567890123", "12345678_9"):
        with pytest.raises(documentos.DocumentoInvalido, match="carné de extranjería"):
            documentos.validar_documento("CE", bad)


def test_pasaporte_and_unknown_type():
    assert documentos.validar_documento("PASAPORTE", "ab12345") == "AB12345"
    for bad in ("AB123", "1234567890123", "AB12345/"):
        with pytest.raises(documentos.DocumentoInvalido, match="pasaporte"):
            documentos.validar_pasaporte(bad)
    with pytest.raises(documentos.DocumentoInvalido, match="tipo de documento"):
        documentos.validar_documento("LIBRETA", "1")
    assert set(documentos.TIPOS_DOCUMENTO) == {"DNI", "CE", "PASAPORTE"}
    assert documentos.TIPOS_DOCUMENTO["CE"] == "Carné de extranjería"
    assert issubclass(documentos.DocumentoInvalido, ValueError)


def test_masking():
    assert documentos.enmascarar("07703173") == "****3173"
    assert documentos.enmascarar("AB12345") == "***2345"
    assert documentos.enmascarar("123") == "***"
    assert "0770" not in documentos.enmascarar("07703173")
