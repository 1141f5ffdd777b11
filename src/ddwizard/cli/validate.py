"""``ddwizard validate`` and ``ddwizard schema``: check data folders, publish their schemas."""

from __future__ import annotations

import argparse
import json
import sys

from ddwizard.cli.context import CliContext
from ddwizard.core.errors import DataError, Problem
from ddwizard.core.loading import load_providers, load_questionnaires
from ddwizard.core.provider import Provider
from ddwizard.core.questionnaire import Questionnaire


def run_validate(args: argparse.Namespace) -> int:
    ctx = CliContext(args)
    problems: list[Problem] = []
    checked: list[str] = []
    only_one = (args.providers is None) != (args.questionnaires is None)
    if args.questionnaires is not None or not only_one:
        try:
            qset = load_questionnaires(ctx.folders.questionnaires)
            count = sum(1 for _ in qset.selection.questions()) + sum(
                1 for _ in qset.diligence.questions()
            )
            checked.append(f"questionnaires: {ctx.folders.questionnaires} ({count} questions)")
        except DataError as exc:
            problems += exc.problems
    if args.providers is not None or not only_one:
        try:
            catalog = load_providers(ctx.folders.providers)
            checked.append(f"providers: {ctx.folders.providers} ({len(catalog)} profiles)")
        except DataError as exc:
            problems += exc.problems
    if args.templates is not None:
        from ddwizard.core.report.render import check_templates

        template_problems = check_templates(args.templates)
        problems += template_problems
        if not template_problems:
            checked.append(f"templates: {args.templates}")
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    for line in checked:
        print(f"ok  {line}")
    return 0


def run_schema(args: argparse.Namespace) -> int:
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    for name, model in (("provider", Provider), ("questionnaire", Questionnaire)):
        schema = model.model_json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = f"ddwizard {name} file"
        path = out / f"ddwizard-{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0
