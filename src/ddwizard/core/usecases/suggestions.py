"""Closest matches for something mistyped (a review name, a question id): "did you mean"."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from ddwizard.core.errors import DataError, Problem

if TYPE_CHECKING:
    from ddwizard.core.questionnaire import QuestionnaireSet


def closest(word: str, candidates: Iterable[str], *, limit: int = 3) -> list[str]:
    """Up to ``limit`` candidates close to ``word`` (case-insensitive), best first."""
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        by_folded.setdefault(candidate.casefold(), candidate)
    wanted = word.strip().casefold()
    if not wanted:
        return []
    found = difflib.get_close_matches(wanted, list(by_folded), n=limit, cutoff=0.6)
    # A candidate containing the word (or the word containing it) is close too: "kestrel"
    # for "Kestrel Capital custody review".
    for folded in by_folded:
        if len(found) >= limit:
            break
        if folded not in found and len(wanted) >= 3 and (wanted in folded or folded in wanted):
            found.append(folded)
    return [by_folded[f] for f in found[:limit]]


def did_you_mean(word: str, candidates: Iterable[str], *, limit: int = 3) -> str:
    """`` (did you mean 'a' or 'b'?)`` or an empty string when nothing is close."""
    found = closest(word, candidates, limit=limit)
    if not found:
        return ""
    quoted = [f"'{c}'" for c in found]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f" (did you mean {listed}?)"


_UNKNOWN_QUESTION = re.compile(r"^unknown question id '([^']*)'$")


def suggest_question_ids(error: DataError, qset: QuestionnaireSet) -> DataError:
    """``error`` with "did you mean" added to each unknown question id it reports."""
    known = [q.id for qn in (qset.selection, qset.diligence) for q in qn.questions()]
    problems: list[Problem] = []
    changed = False
    for problem in error.problems:
        found = _UNKNOWN_QUESTION.match(problem.message)
        hint = did_you_mean(found.group(1), known) if found else ""
        if hint:
            problem = replace(problem, message=problem.message + hint)
            changed = True
        problems.append(problem)
    return DataError(problems) if changed else error
