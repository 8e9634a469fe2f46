"""Pure rules of the CAS bases (SUNEDU 2026 reference version): no Flask, no database, no I/O.

Modules:

* :mod:`~casadmin.rules.types` – frozen input types (Periodo, Experiencia, Formacion, Capacitacion, Nivel, requisitos).
* :mod:`~casadmin.rules.reasons` – ``Motivo``: the reason returned with every automatic decision.
* :mod:`~casadmin.rules.decimales` – Decimal-only helpers (``como_decimal``, ``truncar``).
* :mod:`~casadmin.rules.periods` – union of periods, days → months/years (30-day months, 360-day years).
* :mod:`~casadmin.rules.experience` – general, specific and public-sector experience (§4.2.1 p–z).
* :mod:`~casadmin.rules.courses` – courses, programas de especialización, diplomados, postgraduate studies (§4.2.1 i–m).
* :mod:`~casadmin.rules.levels` – office software / language levels and the academic ladder (§4.2.1 e–h, n).
* :mod:`~casadmin.rules.age` – age and the Ley 31533 condition (§4.2.5 h, §4.3.2).
* :mod:`~casadmin.rules.scores` – interview average, curricular points, bonuses (§4.2.4–§4.3).
* :mod:`~casadmin.rules.ranking` – interview shortlist, merit order, winners and accesitarios (§4.2.4, §4.2.6).

Each module states its interpretation of the ambiguous points in its docstring.
"""
