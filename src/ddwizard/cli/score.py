"""``ddwizard score``: eligibility, ranking, explanations, red flags and open items.

``--json`` prints exactly ``Evaluation.to_json()`` and nothing else on stdout; without it a
readable report is drawn with rich tables. Both are deterministic: identical input gives
byte-identical output (the report width is fixed when stdout is not a terminal). All text from
data files and answers is rendered as plain text, never as rich markup.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from ddwizard.cli.context import workspace
from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS, Severity

if TYPE_CHECKING:
    from ddwizard.core.provider import ProviderCatalog
    from ddwizard.core.results import Evaluation

REPORT_WIDTH = 120
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def run_score(args: argparse.Namespace) -> int:
    from ddwizard.core.usecases.evaluate_review import evaluate_review, load_review

    ws = workspace(args)
    review = load_review(ws, args.session)
    for warning in review.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    evaluation = evaluate_review(ws, review)
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(evaluation.to_json(), indent=2, sort_keys=False) + "\n")
        return 0
    render_report(evaluation, ws.catalog, review.name, sys.stdout)
    return 0


def render_report(
    evaluation: Evaluation, catalog: ProviderCatalog, title: str | None, out: TextIO
) -> None:
    """Draw the human-readable score report with rich (imported here, never in the core)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    interactive = out.isatty()
    buffer = io.StringIO()
    console = Console(
        file=out if interactive else buffer,
        width=None if interactive else REPORT_WIDTH,
        highlight=False,
        emoji=False,
        soft_wrap=False,
        force_terminal=interactive or None,
        no_color=not interactive,
    )

    def name(pid: str | None) -> str:
        if pid is None:
            return "-"
        provider = catalog.get(pid)
        return provider.name if provider else pid

    def heading(text: str) -> None:
        console.print()
        console.print(Text(text, style="bold"))

    console.print(Text(f"Custody review: {title}" if title else "Custody review", style="bold"))
    weights = ", ".join(f"{CRITERION_LABELS[c]} {evaluation.weights[c]}" for c in CRITERIA)
    console.print(Text(f"Weights: {weights}"))

    heading("Recommendation")
    console.print(Text(f"Recommended: {name(evaluation.recommendation)}"))
    console.print(Text(evaluation.recommendation_reason))
    if evaluation.alternates:
        console.print(Text("Alternates: " + ", ".join(name(p) for p in evaluation.alternates)))
    if evaluation.shortlist:
        console.print(Text("Shortlist: " + ", ".join(name(p) for p in evaluation.shortlist)))

    heading("Ranking of eligible providers")
    if evaluation.eligible:
        table = Table(show_lines=False)
        table.add_column("#", justify="right")
        table.add_column("Provider")
        table.add_column("Total", justify="right")
        for c in CRITERIA:
            table.add_column(CRITERION_LABELS[c], justify="right")
        table.add_column("Blocked by")
        for r in evaluation.eligible:
            table.add_row(
                str(r.rank),
                Text(name(r.provider_id)),
                f"{r.total:.1f}",
                *(f"{r.criterion(c).score:.0f}" for c in CRITERIA),
                Text(", ".join(f.question_id for f in r.blocked_by)),
            )
        console.print(table)
        for r in evaluation.eligible:
            console.print(Text(f"{r.rank}. {r.explanation}"))
    else:
        console.print(Text("No provider is eligible."))

    heading("Excluded")
    if evaluation.excluded:
        table = Table()
        table.add_column("Provider")
        table.add_column("Why")
        for e in evaluation.excluded:
            table.add_row(Text(name(e.provider_id)), Text("\n".join(e.reasons)))
        console.print(table)
    else:
        console.print(Text("None: every provider meets the hard requirements."))

    heading("Red flags")
    if evaluation.red_flags:
        table = Table()
        table.add_column("Severity")
        table.add_column("Provider")
        table.add_column("Question")
        table.add_column("Finding")
        for severity in SEVERITY_ORDER:
            for f in evaluation.red_flags:
                if f.severity == severity:
                    table.add_row(
                        severity.value, Text(name(f.provider_id)), f.question_id, Text(f.message)
                    )
        console.print(table)
    else:
        console.print(Text("None found in the diligence answers."))

    heading("Open items")
    if evaluation.open_items:
        unanswered: Counter[str] = Counter()
        for o in evaluation.open_items:
            if o.topic == "diligence unanswered" and o.provider_id is not None:
                unanswered[o.provider_id] += 1
                continue
            who = name(o.provider_id) if o.provider_id else "Mandate"
            console.print(Text(f"- {who}: {o.message}"))
        for pid, count in unanswered.items():
            console.print(Text(f"- {name(pid)}: {count} diligence question(s) not answered yet"))
    else:
        console.print(Text("None."))
    if evaluation.confirmed_items:
        heading("Closed by the diligence answers")
        for item in evaluation.confirmed_items:
            console.print(Text(f"- {name(item.provider_id)}: {item.message}"))

    heading("Mandate warnings")
    if evaluation.warnings:
        for w in evaluation.warnings:
            line = f"- [{w.severity.value}] {w.message}"
            if w.mitigation:
                line += f" {w.mitigation}"
            console.print(Text(line))
    else:
        console.print(Text("None."))

    heading("Robustness")
    console.print(Text(evaluation.robustness.summary))
    if evaluation.robustness.sensitivities:
        table = Table()
        table.add_column("Criterion")
        table.add_column("Weight", justify="right")
        table.add_column("Same recommendation from", justify="right")
        table.add_column("to", justify="right")
        table.add_column("Below, first is")
        table.add_column("Above, first is")
        for s in evaluation.robustness.sensitivities:
            table.add_row(
                CRITERION_LABELS[s.criterion],
                str(s.weight),
                f"{s.lowest:.1f}",
                f"{s.highest:.1f}",
                Text(name(s.taker_below) if s.taker_below else "-"),
                Text(name(s.taker_above) if s.taker_above else "-"),
            )
        console.print(table)

    if evaluation.answers_ignored:
        heading("Answers ignored")
        for note in evaluation.answers_ignored:
            console.print(Text(f"- {note}"))
    if not interactive:  # plain text: no trailing blanks from wrapping, same bytes every run
        out.write("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n")
