"""What every command needs: the data folders and lazily loaded data, from the global options."""

from __future__ import annotations

import argparse
from functools import cached_property
from pathlib import Path

from ddwizard.core.loading import DataFolders, load_providers, load_questionnaires
from ddwizard.core.provider import ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.resources import default_sessions_dir


class CliContext:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.folders = DataFolders.resolve(
            questionnaires=getattr(args, "questionnaires", None),
            providers=getattr(args, "providers", None),
            templates=getattr(args, "templates", None),
        )

    @cached_property
    def sessions_dir(self) -> Path:
        return default_sessions_dir(getattr(self.args, "sessions_dir", None))

    @cached_property
    def questionnaires(self) -> QuestionnaireSet:
        return load_questionnaires(self.folders.questionnaires)

    @cached_property
    def catalog(self) -> ProviderCatalog:
        return load_providers(self.folders.providers)
