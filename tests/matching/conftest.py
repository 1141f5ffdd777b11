"""Helpers for the matching tests: answers files written to disk and evaluated for real."""

from __future__ import annotations

import datetime
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from ddwizard.core.answers import AnswersFile, parse_answers_file
from ddwizard.core.matching import evaluate
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.results import Evaluation

TODAY = datetime.date(2026, 6, 30)
"""Fixed evaluation date so evidence age is reproducible."""


@pytest.fixture()
def today() -> datetime.date:
    return TODAY


Scorer = Callable[[str], tuple[AnswersFile, Evaluation]]


@pytest.fixture()
def write_answers(tmp_path: Path) -> Callable[[str], Path]:
    counter = iter(range(1000))

    def write(text: str) -> Path:
        path = tmp_path / f"answers-{next(counter)}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture()
def score(
    write_answers: Callable[[str], Path], qset: QuestionnaireSet, catalog: ProviderCatalog
) -> Scorer:
    """Write an answers file, parse it like the CLI does, and evaluate it on TODAY."""

    def run(text: str) -> tuple[AnswersFile, Evaluation]:
        parsed = parse_answers_file(write_answers(text), qset, catalog)
        return parsed, evaluate(qset, catalog, parsed.sheet, today=TODAY)

    return run
