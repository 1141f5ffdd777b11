"""``ddwizard validate`` and ``ddwizard schema``: check data folders, publish their schemas."""

from __future__ import annotations

import argparse
import json
import sys

from ddwizard.cli.context import workspace
from ddwizard.core.provider import Provider
from ddwizard.core.questionnaire import Questionnaire


def run_validate(args: argparse.Namespace) -> int:
    from ddwizard.core.usecases.validate_data import validate_data

    only_one = (args.providers is None) != (args.questionnaires is None)
    result = validate_data(
        workspace(args),
        questionnaires=args.questionnaires is not None or not only_one,
        providers=args.providers is not None or not only_one,
        templates=args.templates,
    )
    if result.problems:
        for problem in result.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(result.problems)} problem(s) found", file=sys.stderr)
        return 1
    for line in result.checked:
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
