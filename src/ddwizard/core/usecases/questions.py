"""``ddwizard questions``: the question ids a user types (answers files, ``answer``), with
their section, label and type, so nobody has to read the questionnaire YAML to find them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ddwizard.core.errors import DataError
from ddwizard.core.usecases.suggestions import did_you_mean

if TYPE_CHECKING:
    from ddwizard.core.workspace import Workspace

QUESTIONNAIRES = ("selection", "diligence")


@dataclass(frozen=True)
class QuestionRow:
    questionnaire: str
    section: str
    section_title: str
    id: str
    type: str
    label: str
    choices: tuple[str, ...] = ()


def list_questions(
    workspace: Workspace,
    *,
    section: str | None = None,
    questionnaire: str | None = None,
) -> list[QuestionRow]:
    """Questions in order, optionally of one questionnaire and one section (id or title)."""
    qset = workspace.qset
    if questionnaire is not None and questionnaire not in QUESTIONNAIRES:
        raise DataError.single(
            f"unknown questionnaire '{questionnaire}'{did_you_mean(questionnaire, QUESTIONNAIRES)}"
            f" (choose {' or '.join(QUESTIONNAIRES)})",
            field="questionnaire",
        )
    chosen = [qn for qn in (qset.selection, qset.diligence) if questionnaire in (None, qn.kind)]
    rows: list[QuestionRow] = []
    sections: list[str] = []
    wanted = section.strip().casefold() if section is not None else None
    for qn in chosen:
        for sec in qn.sections:
            sections += [sec.id, sec.title]
            if wanted is not None and wanted not in (sec.id.casefold(), sec.title.casefold()):
                continue
            for q in sec.questions:
                rows.append(
                    QuestionRow(
                        questionnaire=qn.kind,
                        section=sec.id,
                        section_title=sec.title,
                        id=q.id,
                        type=str(getattr(q.type, "value", q.type)),
                        label=" ".join(q.prompt.split()),
                        choices=q.choice_ids,
                    )
                )
    if wanted is not None and not rows:
        raise DataError.single(
            f"no section '{section}'{did_you_mean(section or '', sections)} "
            "(run 'ddwizard questions' to see them all)",
            field="section",
        )
    return rows
