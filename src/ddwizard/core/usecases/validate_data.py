"""``ddwizard validate``: check questionnaire, provider and template folders, every problem.

Templates are compiled and, when the bundled questionnaires and profiles load, rendered with
the demo review's memo context, which catches misspelt fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ddwizard.core.errors import DataError, Problem

if TYPE_CHECKING:
    from ddwizard.core.report.context import MemoContext
    from ddwizard.core.workspace import Workspace


@dataclass(frozen=True)
class Validation:
    checked: tuple[str, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_data(
    workspace: Workspace,
    *,
    questionnaires: bool = True,
    providers: bool = True,
    templates: Path | None = None,
) -> Validation:
    from ddwizard.core.loading import load_providers, load_questionnaires

    folders = workspace.folders
    problems: list[Problem] = []
    checked: list[str] = []
    if questionnaires:
        try:
            qset = load_questionnaires(folders.questionnaires)
            count = sum(1 for _ in qset.selection.questions()) + sum(
                1 for _ in qset.diligence.questions()
            )
            checked.append(
                f"questionnaires: {folders.questionnaires} ({count} questions; "
                f"selection {qset.selection.version}, diligence {qset.diligence.version})"
            )
        except DataError as exc:
            problems += exc.problems
    if providers:
        try:
            catalog = load_providers(folders.providers)
            checked.append(
                f"providers: {folders.providers} ({len(catalog)} profiles; "
                f"data version {catalog.version_label})"
            )
        except DataError as exc:
            problems += exc.problems
        from ddwizard.core.matching.rubric import load_rubric, rubric_path

        rubric_file = rubric_path(folders.providers)
        if rubric_file.exists():
            try:
                rubric = load_rubric(rubric_file)
                checked.append(f"scoring rubric: {rubric_file} (version {rubric.version})")
            except DataError as exc:
                problems += exc.problems
    if templates is not None:
        from ddwizard.core.report.render import check_templates

        def sample() -> MemoContext:
            from ddwizard.core.usecases.demo import demo_memo_context

            return demo_memo_context(
                workspace.qset, workspace.catalog, workspace.today(), settings=workspace.settings
            )

        template_problems = check_templates(templates, sample=sample)
        problems += template_problems
        if not template_problems:
            checked.append(f"templates: {templates}")
    return Validation(tuple(checked), tuple(problems))
