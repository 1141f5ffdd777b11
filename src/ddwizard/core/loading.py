"""Load questionnaires and provider profiles from folders, collecting every problem found.

Loading runs at every start, so it stays cheap: one safe YAML parse and one pydantic
validation per file. Errors name the file, the line and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ddwizard.core.errors import DataError, Problem
from ddwizard.core.provider import Provider, ProviderCatalog
from ddwizard.core.questionnaire import Questionnaire, QuestionnaireSet
from ddwizard.core.resources import bundled_dir
from ddwizard.core.yamlio import LoadedYaml, PathKey, load_yaml_file, validate_model

QUESTIONNAIRE_FILES = {"selection": "selection.yaml", "diligence": "diligence.yaml"}


def load_questionnaires(folder: Path | None = None) -> QuestionnaireSet:
    """Both questionnaires from ``folder`` (default: bundled), cross-checked."""
    folder = folder or bundled_dir("questionnaires")
    _require_folder(folder, "questionnaires")
    problems: list[Problem] = []
    loaded: dict[str, Questionnaire] = {}
    sources: dict[str, LoadedYaml] = {}
    for kind, filename in QUESTIONNAIRE_FILES.items():
        path = folder / filename
        try:
            source = load_yaml_file(path, what="questionnaire file")
            qn = validate_model(Questionnaire, source)
        except DataError as exc:
            problems += exc.problems
            continue
        if qn.kind != kind:
            problems.append(
                Problem(
                    f"expected kind '{kind}' in {filename}, found '{qn.kind}'",
                    file=str(path),
                    field="kind",
                )
            )
            continue
        loaded[kind] = qn
        sources[kind] = source
    if problems:
        raise DataError(problems)
    qset = QuestionnaireSet(loaded["selection"], loaded["diligence"])
    cross = qset.check()
    if cross:
        raise DataError(_locate(p, qset, folder, sources) for p in cross)
    return qset


def _locate(
    problem: Problem, qset: QuestionnaireSet, folder: Path, sources: dict[str, LoadedYaml]
) -> Problem:
    """Give a cross-file problem (reported by questionnaire and question id) its file and line."""
    field = problem.field or ""
    for qn in (qset.selection, qset.diligence):
        if problem.file not in (None, qn.id):
            continue
        spot = _question_path(qn, field)
        if spot is None and problem.file is None:
            continue
        line = sources[qn.kind].line_of(spot) if spot is not None else None
        file = str(folder / QUESTIONNAIRE_FILES[qn.kind])
        return Problem(problem.message, file=file, line=line, field=problem.field)
    return problem


def _question_path(qn: Questionnaire, field: str) -> PathKey | None:
    """YAML path of the question (or its show_if / red-flag rule) that ``field`` names."""
    matches = [
        (len(q.id), s_index, q_index, q.id)
        for s_index, section in enumerate(qn.sections)
        for q_index, q in enumerate(section.questions)
        if field == q.id or field.startswith(q.id + ".")
    ]
    if not matches:
        return None
    # Longest id wins; among duplicates the last one, which is the one reported.
    _, s_index, q_index, qid = max(matches)
    base: PathKey = ("sections", s_index, "questions", q_index)
    rest = field[len(qid) + 1 :]
    if rest.startswith("show_if"):
        return (*base, "show_if")
    rule = re.match(r"red_flags\[(\d+)\]", rest)
    if rule:
        return (*base, "red_flags", int(rule.group(1)), "when")
    return (*base, "id")


def load_providers(folder: Path | None = None) -> ProviderCatalog:
    """Every ``*.yaml`` profile in ``folder`` (default: bundled); ids must be unique.

    Files whose names start with ``_`` are not profiles: ``_catalog.yaml`` gives the data
    set's version, and other such files (a scoring rubric) belong to their own readers.
    """
    folder = folder or bundled_dir("providers")
    _require_folder(folder, "providers")
    problems: list[Problem] = []
    providers: list[Provider] = []
    first_file: dict[str, Path] = {}
    sources: dict[str, LoadedYaml] = {}
    unreadable: set[str] = set()  # file stems of profiles already reported as broken
    files = sorted(
        path
        for path in [*folder.glob("*.yaml"), *folder.glob("*.yml")]
        if not path.name.startswith(NOT_A_PROFILE_PREFIX)
    )
    catalog_info: CatalogInfo | None = None
    catalog_path = folder / CATALOG_FILE
    if catalog_path.exists():
        try:
            catalog_info = validate_model(
                CatalogInfo, load_yaml_file(catalog_path, what="provider catalog file")
            )
        except DataError as exc:
            problems += exc.problems
    if not files:
        raise DataError.single("no provider files (*.yaml) found", file=str(folder))
    for path in files:
        try:
            source = load_yaml_file(path, what="provider file")
            provider = validate_model(Provider, source)
        except DataError as exc:
            problems += exc.problems
            unreadable.add(path.stem)
            continue
        if provider.id in first_file:
            problems.append(
                Problem(
                    f"duplicate provider id '{provider.id}' (also in {first_file[provider.id].name})",
                    file=str(path),
                    field="id",
                )
            )
            continue
        first_file[provider.id] = path
        sources[provider.id] = source
        providers.append(provider)
    catalog_ids = set(first_file)
    for provider in providers:
        for i, alt in enumerate(provider.alternatives):
            if alt not in catalog_ids and alt not in unreadable:
                problems.append(
                    Problem(
                        f"alternative '{alt}' is not a provider id in this folder",
                        file=str(first_file[provider.id]),
                        line=sources[provider.id].line_of(("alternatives", i)),
                        field=f"alternatives[{i}]",
                    )
                )
    if problems:
        raise DataError(problems)
    return ProviderCatalog(
        providers,
        version=catalog_info.version if catalog_info else None,
        description=catalog_info.description if catalog_info else None,
    )


NOT_A_PROFILE_PREFIX = "_"
CATALOG_FILE = "_catalog.yaml"


class CatalogInfo(BaseModel):
    """``providers/_catalog.yaml``: what the profiles in the folder are, as one data set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(pattern=r"^\d{4}\.\d{2}\.\d+$")
    description: str | None = None
    changes: tuple[str, ...] = ()
    """What changed in this version, for the people who re-read a review after an upgrade."""

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value


def _require_folder(folder: Path, what: str) -> None:
    if not folder.exists():
        raise DataError.single(f"{what} folder not found", file=str(folder))
    if not folder.is_dir():
        raise DataError.single(f"expected a {what} folder, found a file", file=str(folder))


@dataclass(frozen=True)
class DataFolders:
    """The folders a run reads its data from (bundled unless the user points elsewhere)."""

    questionnaires: Path
    providers: Path
    templates: Path

    @classmethod
    def resolve(
        cls,
        questionnaires: Path | None = None,
        providers: Path | None = None,
        templates: Path | None = None,
    ) -> DataFolders:
        return cls(
            questionnaires=questionnaires or bundled_dir("questionnaires"),
            providers=providers or bundled_dir("providers"),
            templates=templates or bundled_dir("report_templates"),
        )
