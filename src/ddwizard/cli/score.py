"""``ddwizard score``: tiers, ranking, the recommendation's status and conditions, red flags.

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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ddwizard.cli.context import workspace
from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS, Severity
from ddwizard.core.results import TIER_LABELS, RecommendationStatus, Topic

if TYPE_CHECKING:
    from ddwizard.core.provider import ProviderCatalog
    from ddwizard.core.questionnaire import QuestionnaireSet
    from ddwizard.core.results import Evaluation, OpenItem

REPORT_WIDTH = 120
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
STATUS_LABELS = {
    RecommendationStatus.SUPPORTED: "supported (approval can be requested)",
    RecommendationStatus.PROVISIONAL: (
        "provisional (a ranking, not an approval: the conditions below must be met first)"
    ),
    RecommendationStatus.NONE: "no recommendation",
}


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
    render_report(evaluation, ws.catalog, review.name, sys.stdout, qset=ws.qset)
    return 0


class _Report:
    """The readable report, one method per section; all data text is plain ``Text``."""

    def __init__(
        self,
        evaluation: Evaluation,
        catalog: ProviderCatalog,
        console: Any,
        qset: QuestionnaireSet | None = None,
    ) -> None:
        from rich.table import Table
        from rich.text import Text

        self.ev = evaluation
        self.catalog = catalog
        self.qset = qset
        self.console = console
        self.Table = Table
        self.Text = Text

    def name(self, pid: str | None) -> str:
        if pid is None:
            return "-"
        provider = self.catalog.get(pid)
        return provider.name if provider else pid

    def tiered(self, pid: str | None) -> str:
        """A provider's name with its tier, so a conditional one is never read as meeting."""
        tier = self.ev.tier_of(pid) if pid else None
        return self.name(pid) if tier is None else f"{self.name(pid)} ({TIER_LABELS[tier]})"

    def question(self, question_id: str) -> str:
        """A question by its label (people read labels; ``--json`` keeps the ids)."""
        question = self.qset.get(question_id) if self.qset is not None else None
        return question.prompt if question is not None else question_id

    def line(self, text: str, style: str | None = None) -> None:
        self.console.print(self.Text(text, style=style or ""))

    def heading(self, text: str) -> None:
        self.console.print()
        self.line(text, "bold")

    def header(self, title: str | None) -> None:
        self.line(f"Custody review: {title}" if title else "Custody review", "bold")
        weights = ", ".join(f"{CRITERION_LABELS[c]} {self.ev.weights[c]}" for c in CRITERIA)
        self.line(f"Weights: {weights}")

    def recommendation(self) -> None:
        ev = self.ev
        self.heading("Recommendation")
        self.line(f"Status: {STATUS_LABELS[ev.recommendation_status]}")
        self.line(f"Recommended: {self.tiered(ev.recommendation)}")
        self.line(ev.recommendation_reason)
        if ev.alternates:
            self.line("Alternates: " + ", ".join(self.tiered(p) for p in ev.alternates))
        if ev.shortlist:
            self.line("Shortlist: " + ", ".join(self.tiered(p) for p in ev.shortlist))
        if ev.shortlist_excluded:
            self.line(
                "Shortlisted but excluded (no diligence, never recommended; see Excluded): "
                + ", ".join(self.name(p) for p in ev.shortlist_excluded)
            )
        for pid, p in ev.diligence_progress.items():
            self.line(
                f"Diligence for {self.name(pid)}: {p.answered} of {p.asked} questions answered, "
                f"{p.documentary} on current documentary evidence"
            )
        if ev.conditions:
            self.heading(
                "Why there is no recommendation, and what would change it"
                if ev.recommendation_status == RecommendationStatus.NONE
                else "Conditions before the recommendation is supported"
            )
            for i, condition in enumerate(ev.conditions, 1):
                self.line(f"{i}. {condition.text}")
        if ev.not_profiled:
            self.heading("To consider, not profiled (never recommended)")
            for pid in ev.not_profiled:
                self.line(f"- {self.name(pid)}: its profile confirms none of the hard requirements")

    def ranking(self) -> None:
        ev = self.ev
        self.heading("Ranking of eligible providers (by tier, then score)")
        if not ev.eligible:
            self.line("No provider is eligible.")
            return
        table = self.Table(show_lines=False)
        table.add_column("#", justify="right")
        table.add_column("Provider")
        table.add_column("Tier")
        table.add_column("Total", justify="right")
        for c in CRITERIA:
            table.add_column(CRITERION_LABELS[c], justify="right")
        table.add_column("Blocked by")
        for r in ev.eligible:
            tier = TIER_LABELS[r.tier] + ("" if r.profiled else ", not profiled")
            table.add_row(
                str(r.rank),
                self.Text(self.name(r.provider_id)),
                tier,
                f"{r.total:.1f}",
                *(f"{r.criterion(c).score:.0f}" for c in CRITERIA),
                self.Text("; ".join(self.question(f.question_id) for f in r.blocked_by)),
            )
        self.console.print(table)
        for r in ev.eligible:
            self.line(f"{r.rank}. {r.explanation}")
            for u in r.unconfirmed:
                self.line(f"   to confirm ({u.label}): {u.to_confirm}")

    def excluded(self) -> None:
        self.heading("Excluded (a hard requirement breached)")
        if not self.ev.excluded:
            self.line("None: no provider breaches a hard requirement.")
            return
        table = self.Table()
        table.add_column("Provider")
        table.add_column("Why")
        for e in self.ev.excluded:
            table.add_row(self.Text(self.name(e.provider_id)), self.Text("\n".join(e.reasons)))
        self.console.print(table)

    def red_flags(self) -> None:
        self.heading("Red flags")
        if not self.ev.red_flags:
            answered = sum(p.answered for p in self.ev.diligence_progress.values())
            asked = sum(p.asked for p in self.ev.diligence_progress.values())
            self.line(
                f"None raised by the diligence answers ({answered} of {asked} questions "
                "answered for the shortlist)."
            )
            return
        table = self.Table()
        table.add_column("Severity")
        table.add_column("Provider")
        table.add_column("Question")
        table.add_column("Finding")
        for severity in SEVERITY_ORDER:
            for f in self.ev.red_flags:
                if f.severity == severity:
                    label = severity.value + (", breaches mandate" if f.breaches_mandate else "")
                    table.add_row(
                        label,
                        self.Text(self.name(f.provider_id)),
                        self.Text(self.question(f.question_id)),
                        self.Text(f.message),
                    )
        self.console.print(table)

    def open_items(self) -> None:
        ev = self.ev
        counted = ev.shortlist_open_items
        # the same count as the TUI and the memo, with what it counts
        self.heading(f"Open items: {len(counted)} {ev.OPEN_ITEMS_MEANING}")
        if not counted:
            self.line("None.")
        self._list_open_items(counted)
        others = tuple(o for o in ev.open_items if o not in counted)
        if others:
            self.heading(f"Also open for eligible providers not on the shortlist: {len(others)}")
            self._list_open_items(others)
        if ev.confirmed_items:
            self.heading("Closed by the diligence answers")
            for item in ev.confirmed_items:
                self.line(f"- {self.name(item.provider_id)}: {item.message}")

    def _list_open_items(self, items: Sequence[OpenItem]) -> None:
        unanswered: Counter[str] = Counter()
        for o in items:
            if o.topic == Topic.DILIGENCE_UNANSWERED and o.provider_id is not None:
                unanswered[o.provider_id] += 1
                continue
            who = self.name(o.provider_id) if o.provider_id else "Mandate"
            self.line(f"- {who}: {o.message}")
        for pid, count in unanswered.items():
            questions = "question" if count == 1 else "questions"
            self.line(f"- {self.name(pid)}: {count} diligence {questions} not answered yet")

    def warnings(self) -> None:
        self.heading("Mandate warnings")
        if not self.ev.warnings:
            self.line("None.")
        for w in self.ev.warnings:
            text = f"- [{w.severity.value}] {w.message}"
            self.line(text + (f" {w.mitigation}" if w.mitigation else ""))

    def robustness(self) -> None:
        robust = self.ev.robustness
        self.heading("Robustness")
        self.line(robust.summary)
        if not robust.sensitivities:
            return
        table = self.Table()
        table.add_column("Criterion")
        table.add_column("Weight", justify="right")
        table.add_column("Same recommendation from", justify="right")
        table.add_column("to", justify="right")
        table.add_column("Below, first is")
        table.add_column("Above, first is")
        for s in robust.sensitivities:
            table.add_row(
                CRITERION_LABELS[s.criterion],
                str(s.weight),
                f"{s.lowest:.1f}",
                f"{s.highest:.1f}",
                self.Text(self.name(s.taker_below) if s.taker_below else "-"),
                self.Text(self.name(s.taker_above) if s.taker_above else "-"),
            )
        self.console.print(table)

    def ignored(self) -> None:
        if self.ev.answers_ignored:
            self.heading("Answers ignored")
            for note in self.ev.answers_ignored:
                self.line(f"- {note}")


def render_report(
    evaluation: Evaluation,
    catalog: ProviderCatalog,
    title: str | None,
    out: TextIO,
    *,
    qset: QuestionnaireSet | None = None,
) -> None:
    """Draw the human-readable score report with rich (imported here, never in the core)."""
    from rich.console import Console

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
    report = _Report(evaluation, catalog, console, qset)
    report.header(title)
    report.recommendation()
    report.ranking()
    report.excluded()
    report.red_flags()
    report.open_items()
    report.warnings()
    report.robustness()
    report.ignored()
    if not interactive:  # plain text: no trailing blanks from wrapping, same bytes every run
        out.write("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n")
