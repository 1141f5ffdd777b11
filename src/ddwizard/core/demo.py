"""The demo review's answers: ``questionnaires/examples/demo.yaml`` (also the README's example).

Data only: the ``ddwizard demo`` use case (session and memo) is ``core/usecases/demo.py``,
built on the other use cases; nothing here imports the renderer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from ddwizard.core.answers import AnswersFile, parse_answers_file
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.resources import bundled_dir

DEMO_SESSION_NAME = "Demo — Northwind Pension Trust custody review"


def demo_answers_path() -> Path:
    return bundled_dir("questionnaires") / "examples" / "demo.yaml"


DEMO_DATES_AS_OF = date(2026, 11, 28)
"""The day the demo's document dates were written for (one of them a year and a half old)."""


def load_demo_answers(
    qset: QuestionnaireSet, catalog: ProviderCatalog, *, as_of: date | None = None
) -> AnswersFile:
    """The demo answers; with ``as_of``, every document date moved by ``as_of`` minus
    DEMO_DATES_AS_OF, so the demo run on any day shows the same ages (fresh documents stay
    fresh, the stale one stays stale) instead of everything going stale over the years."""
    parsed = parse_answers_file(demo_answers_path(), qset, catalog)
    if as_of is None or as_of == DEMO_DATES_AS_OF:
        return parsed
    shift = as_of - DEMO_DATES_AS_OF
    diligence = {
        pid: {
            qid: a.model_copy(update={"document_date": a.document_date + shift})
            if a.document_date
            else a
            for qid, a in per.items()
        }
        for pid, per in parsed.sheet.diligence.items()
    }
    return replace(parsed, sheet=replace(parsed.sheet, diligence=diligence))
