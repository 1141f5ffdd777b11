"""Whether a review may be marked final: checked by a second person (DECISIONS.md §6).

``final`` needs a supported recommendation, or an override: a named reviewer who is not the
preparer and a written rationale. This module only decides; the sessions layer records the
decision (who, when, reviewer, rationale) in the audit trail and the memo prints it.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ddwizard.core.results import Evaluation, RecommendationStatus


@dataclass(frozen=True, slots=True)
class SignoffCheck:
    allowed: bool
    override: bool
    """True when final is allowed only because a second person overrides the conditions."""
    reasons: tuple[str, ...]
    """Refused: why. Allowed by override: the conditions overridden. Supported: empty."""


def _person(name: str | None) -> str:
    return " ".join((name or "").split())


def same_person(a: str, b: str) -> bool:
    """One person written two ways: "Dana Whitfield, Head of Compliance" is "dana whitfield".

    The name is what stands before a comma or parenthesis (a title or role follows it);
    case, dots and spacing do not matter. A reviewer must differ from the preparer by name.
    """

    def key(text: str) -> str:
        name = re.split(r"[,(;/|]", text, maxsplit=1)[0]
        return " ".join(name.replace(".", " ").casefold().split())

    return key(a) == key(b)


def check_final(
    evaluation: Evaluation,
    *,
    preparer: str | None,
    reviewer: str | None = None,
    rationale: str | None = None,
) -> SignoffCheck:
    """May this review go ``final``? See the module docstring for the rule."""
    if evaluation.recommendation_status == RecommendationStatus.SUPPORTED:
        return SignoffCheck(True, False, ())
    status = evaluation.recommendation_status.value
    open_conditions = tuple(c.text for c in evaluation.conditions) or (
        f"the recommendation is {status}",
    )
    who, prepared_by = _person(reviewer), _person(preparer)
    problems: list[str] = []
    if not who:
        problems.append(
            f"The recommendation is {status}, not supported: final needs an override by a named "
            "reviewer other than the preparer, with a written rationale."
        )
    elif not prepared_by:
        problems.append(
            "The preparer is not recorded, so the override cannot be shown to come from a "
            "second person: record the preparer first."
        )
    elif same_person(who, prepared_by):
        problems.append(f"The reviewer ({who}) is the preparer: an override needs a second person.")
    if who and not (rationale or "").strip():
        problems.append("An override needs a written rationale.")
    if problems:
        return SignoffCheck(False, False, (*problems, *open_conditions))
    return SignoffCheck(True, True, open_conditions)
