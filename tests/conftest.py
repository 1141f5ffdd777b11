"""Shared fixtures: the bundled data, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddwizard.core.loading import load_providers, load_questionnaires
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def qset() -> QuestionnaireSet:
    return load_questionnaires(REPO / "questionnaires")


@pytest.fixture(scope="session")
def catalog() -> ProviderCatalog:
    return load_providers(REPO / "providers")


@pytest.fixture()
def sessions_dir(tmp_path: Path) -> Path:
    path = tmp_path / "sessions"
    path.mkdir()
    return path


@pytest.fixture()
def workspace(sessions_dir: Path, qset: QuestionnaireSet, catalog: ProviderCatalog) -> Workspace:
    """A workspace over a temporary sessions folder and the bundled data (already loaded)."""
    return Workspace(sessions_dir=sessions_dir, qset=qset, catalog=catalog)
