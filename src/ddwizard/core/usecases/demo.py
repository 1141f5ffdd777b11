"""``ddwizard demo``: the bundled example review and its memo, built on the other use cases.

The answers live in ``questionnaires/examples/demo.yaml`` (``core/demo.py`` reads them and
moves their document dates with the calendar). The demo creates its session once and updates
it on later runs, so repeated demos do not pile up sessions; every run is in its audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ddwizard.core.demo import DEMO_SESSION_NAME, demo_answers_path, load_demo_answers
from ddwizard.core.usecases.write_memo import MemoResult

if TYPE_CHECKING:
    from ddwizard.core.provider import ProviderCatalog
    from ddwizard.core.questionnaire import QuestionnaireSet
    from ddwizard.core.report.context import MemoContext
    from ddwizard.core.settings import Settings
    from ddwizard.core.workspace import Workspace


@dataclass(frozen=True)
class DemoResult:
    session_id: str
    session_path: Path
    memo: MemoResult
    created: bool


def run_demo(
    workspace: Workspace,
    output: Path,
    *,
    fmt: str | None = None,
    templates_dir: Path | None = None,
) -> DemoResult:
    """Create (or update) the demo session, apply the demo answers and write its memo."""
    from ddwizard.core.sessions.store import SessionNotFound
    from ddwizard.core.usecases.open_review import open_review
    from ddwizard.core.usecases.write_memo import write_memo

    parsed = load_demo_answers(workspace.qset, workspace.catalog, as_of=workspace.today())
    name = parsed.name or DEMO_SESSION_NAME
    store = workspace.store
    try:
        store.resolve(name)
    except SessionNotFound:
        handle = store.create(
            name, workspace.qset, workspace.catalog, preparer=parsed.preparer, title=name
        )
        created = True
    else:
        handle = open_review(workspace, name)
        created = False
    with handle:
        if not handle.read_only:
            handle.apply_answers(parsed)
        path, session_id = handle.path, handle.session.id
    memo = write_memo(workspace, str(path), output, fmt=fmt, templates_dir=templates_dir)
    return DemoResult(session_id, path, memo, created)


def demo_memo_context(
    qset: QuestionnaireSet | None = None,
    catalog: ProviderCatalog | None = None,
    today: date | None = None,
    *,
    settings: Settings | None = None,
) -> MemoContext:
    """The demo review's memo context without touching any session (template checks)."""
    from ddwizard.core.loading import load_providers, load_questionnaires
    from ddwizard.core.settings import DEFAULT_SETTINGS
    from ddwizard.core.usecases.write_memo import answers_memo_context

    qset = qset or load_questionnaires()
    catalog = catalog or load_providers()
    settings = settings or DEFAULT_SETTINGS
    parsed = load_demo_answers(qset, catalog)
    memo, _record = answers_memo_context(
        parsed, demo_answers_path().name, qset, catalog, today=today, settings=settings
    )
    return memo
