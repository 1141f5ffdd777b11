"""``ddwizard demo``: a complete, realistic example review and its memo, no questions asked.

The answers live in ``questionnaires/examples/demo.yaml`` (also the README's example). The
demo creates the session once and updates it on later runs, so repeated demos do not pile up
sessions; every run is in its audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from ddwizard.core.answers import AnswersFile, parse_answers_file
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.report import MemoResult, session_memo
from ddwizard.core.report.context import MemoContext
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


@dataclass(frozen=True)
class DemoResult:
    session_id: str
    session_path: Path
    memo: MemoResult
    created: bool


def run_demo(
    sessions_dir: Path,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    output: Path,
    *,
    fmt: str | None = None,
    templates_dir: Path | None = None,
    today: date | None = None,
) -> DemoResult:
    """Create (or update) the demo session, apply the demo answers and write its memo."""
    from ddwizard.core.sessions.store import SessionNotFound, SessionStore

    parsed = load_demo_answers(qset, catalog, as_of=today or date.today())
    store = SessionStore(sessions_dir)
    name = parsed.name or DEMO_SESSION_NAME
    try:
        store.resolve(name)
    except SessionNotFound:
        handle = store.create(name, qset, catalog, preparer=parsed.preparer, title=name)
        created = True
    else:
        handle = store.open(name, qset, catalog)
        created = False
    with handle:
        if not handle.read_only:
            handle.apply_answers(parsed)
        result = session_memo(
            handle.session, qset, catalog, output, fmt=fmt, templates_dir=templates_dir, today=today
        )
        handle.record_memo(result.path, result.sha256, result.format)
        return DemoResult(handle.session.id, handle.path, result, created)


def demo_memo_context(
    qset: QuestionnaireSet | None = None,
    catalog: ProviderCatalog | None = None,
    today: date | None = None,
) -> MemoContext:
    """The demo review's memo context without touching any session (template checks)."""
    from ddwizard.core.loading import load_providers, load_questionnaires
    from ddwizard.core.matching import evaluate
    from ddwizard.core.report import build_memo
    from ddwizard.core.report.context import record_from_answers_file

    qset = qset or load_questionnaires()
    catalog = catalog or load_providers()
    parsed = load_demo_answers(qset, catalog)
    evaluation = evaluate(qset, catalog, parsed.sheet, today=today)
    record = record_from_answers_file(
        source_name=demo_answers_path().name,
        content=parsed.content,
        name=parsed.name,
        preparer=parsed.preparer,
        evaluation=evaluation,
        qset=qset,
        catalog=catalog,
    )
    return build_memo(
        qset=qset,
        catalog=catalog,
        sheet=parsed.sheet,
        record=record,
        evaluation=evaluation,
        today=today,
    )
