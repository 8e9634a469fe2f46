"""Every hook of CAS Admin, in the order of the hiring process (§4).

A *bases version* (:class:`casadmin.engine.bases.BasesVersion`) names the
plugins that implement each stage; the engine calls each hook only on the
plugins of the call's bases version, so two institutions' rules never mix.
The stage hooks work on the whole list of candidates of a stage at once (one
call per stage, not per candidate), which keeps a call with 150,000 applicants
fast; the document check, the experience detail and the bonuses are asked per
candidate. A first-result hook is answered by the first plugin, in pluggy's call
order, that does not answer ``None``; a plugin consults another hook through
``ctx.pm`` (the plugin manager of the run).

Hooks grow by adding arguments, never by renaming (pluggy ignores arguments an
implementation does not ask for).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from casadmin.engine.bases import BasesVersion
    from casadmin.engine.model import Candidato, Contexto, Resultado
    from decimal import Decimal

    from casadmin.rules.experience import Computo
    from casadmin.rules.ranking import Finalista, ResultadoFinal
    from casadmin.rules.reasons import Motivo
    from casadmin.rules.scores import Bonificacion

PROJECT = "casadmin"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- Bases versions (F1–F3) ----------------------------------------------------------


@hookspec
def casadmin_bases_versions() -> Sequence[BasesVersion]:
    """Declare the bases versions this plugin provides.

    Collects from every plugin. Two plugins declaring the same bases id is an
    error at start-up.

    :returns: the bases versions (id, name, institution, effective date, stages,
        plugins per stage, dated parameters with their clauses, document types).
    """


# --- Stage 1: Evaluación de Ficha de Postulante y Anexos (§4.2.1, D1) --------------------


@hookspec(firstresult=True)
def casadmin_evaluar_ficha(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado] | None:
    """Check each declared Ficha against the profile, requirement by requirement (D1).

    Stops at the first plugin that answers. Each candidate is judged on their own: the engine
    may call the hook on consecutive parts of the batch, in this process or in forked ones, and join
    the results in order (``run.evaluar_etapa(procesos=…)`` or from ``run.UMBRAL_PARALELO``
    candidates when set; the helper process of ``casadmin simulate --ayudante``, ``run.Ayudante``;
    batches of 10,000 on the database, ``engine_db``), so an implementation must not depend on the
    other candidates of the batch.

    :param ctx: the call, its bases version and the parameters in force.
    :param candidatos: everyone who applied.
    :returns: one result per candidate: Apto / No apto with a reason per requirement.
    """


@hookspec
def casadmin_verificar_documentos(ctx: Contexto, candidato: Candidato) -> Sequence[Motivo]:
    """Contribute the document checks of a bases version's application flow (annexes, C3).

    Collects from every plugin of the bases version.

    :param candidato: one candidate, with the documents attached when applying.
    :returns: reasons (:class:`casadmin.rules.reasons.Motivo`) about the attached documents.
    """


@hookspec(firstresult=True)
def casadmin_detallar_experiencia(ctx: Contexto, candidato: Candidato) -> dict[str, Computo] | None:
    """Count one candidate's experience requirement by requirement, experience by experience (D1).

    Stops at the first plugin that answers. The Ficha's result keeps one reason per experience
    requirement, with the days counted and its clause; this gives, on request (HR's review of a
    candidate, the applicant's published result), how those days were counted: from which date
    (§4.2.1 p, v), each declared experience counted or set aside with its clause (§4.2.1 q–x), the
    overlaps counted once (§4.2.1 y). It is not stored with every result: a call of 150,000
    applicants would pay for it on every evaluation.

    :param ctx: the call, its bases version and the parameters in force.
    :param candidato: one candidate, as the Ficha stage judged them.
    :returns: by the ``requisito`` of the result's reason (``"Experiencia general: 4 años"``), its
        count (:class:`casadmin.rules.experience.Computo`: the days and the reasons); the days
        equal those of the stored reason when the candidate's Ficha and inputs have not changed.
    """


# --- Stage 2: Evaluación de Conocimientos Técnicos (§4.2.2, D2) ---------------------------


@hookspec(firstresult=True)
def casadmin_evaluar_examen(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado] | None:
    """Score the technical exam: absence is "No se presentó"; below the pass mark is No apto.

    Stops at the first plugin that answers.

    :param candidatos: the candidates still in the process.
    :returns: one result per candidate, with the score.
    """


# --- Stage 3: Evaluación Psicológica (§4.2.3, D3) ------------------------------------------


@hookspec(firstresult=True)
def casadmin_evaluar_psicologica(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado] | None:
    """Record attendance at the psychological test (referential, no score).

    Stops at the first plugin that answers.

    :param candidatos: the candidates still in the process, with the recorded attendance.
    :returns: one result per candidate: Asistió / No se presentó, no score (§4.2.3).
    """


# --- Stage 4: Evaluación Curricular (§4.2.4, D4) ------------------------------------------


@hookspec(firstresult=True)
def casadmin_evaluar_curricular(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado] | None:
    """Score the curricular evaluation from the evaluator's factor judgments.

    Stops at the first plugin that answers.

    :param candidatos: the candidates still in the process, with the expediente and the evaluator's
        judgment of each factor (§4.2.4).
    :returns: one result per candidate, with the score and a reason per factor.
    """


@hookspec(firstresult=True)
def casadmin_convocar_entrevista(ctx: Contexto, acumulados: Sequence[tuple[str, Decimal]]) -> list[str] | None:
    """Choose who is called to the interview (D5, §4.2.4).

    Stops at the first plugin that answers.

    :param acumulados: ``(candidate id, accumulated score)`` of the Aptos so far.
    :returns: the ids called, in merit order.
    """


# --- Stage 5: Entrevista Personal (§4.2.5, D6) --------------------------------------------


@hookspec(firstresult=True)
def casadmin_evaluar_entrevista(ctx: Contexto, candidatos: Sequence[Candidato]) -> list[Resultado] | None:
    """Score the interview from each committee member's five factors.

    Stops at the first plugin that answers.

    :param candidatos: the candidates called (D5), with attendance and each member's submitted sheet.
    :returns: one result per candidate, with the averaged score (§4.2.5 g) and its reasons.
    """


# --- Final result (§4.2.6, §4.3, D7–D9) ---------------------------------------------------


@hookspec
def casadmin_bonificaciones(ctx: Contexto, candidato: Candidato, puntaje: Decimal) -> Sequence[Bonificacion]:
    """Contribute the bonuses that apply to one candidate's final score (D7, §4.3).

    Collects from every plugin of the bases version: each bonus is its own plugin.

    :param puntaje: the final score before bonuses (``Decimal``).
    :returns: the bonuses, each with its legal basis.
    """


@hookspec(firstresult=True)
def casadmin_orden_merito(ctx: Contexto, finalistas: Sequence[Finalista]) -> ResultadoFinal | None:
    """Rank the finalists and break ties (D8): winners and accesitarios.

    Stops at the first plugin that answers.

    :param finalistas: final score (bonuses included), interview and exam scores of each finalist.
    :returns: the merit order, winners, accesitarios and the ties the committee must decide (§4.2.6 c);
        optionally ``motivos_por_candidato``, each finalist's reasons for their own place, which the
        applicant sees once the final results are published: they must name no other candidate.
    """


@hookspec(firstresult=True)
def casadmin_detectar_desierto(ctx: Contexto, resumen: dict[str, int]) -> str | None:
    """Propose the desierto cause of §4.5 that applies, if any (D9).

    Stops at the first plugin that answers.

    :param resumen: counts: ``postulantes``, ``aptos_ficha``, ``finalistas``, ``ganadores``, and
        ``sin_nadie_por_llamar`` (1 when the winners and every accesitario called in turn did not sign
        the contract, §4.4 f; 0 otherwise, and always in ``casadmin simulate``, which has no contracts).
    :returns: the cause code (``CausaDesierto``), or ``None`` when no cause applies.
    """
