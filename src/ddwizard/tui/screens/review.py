"""Review: what is still open before the committee sees the memo, each item a jump to its
question; and the status change to ready-for-review or final (confirmed in a modal)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ddwizard.core.answers import applicable_values, diligence_lookup
from ddwizard.core.sessions.session import Position
from ddwizard.tui.screens.confirm import ConfirmScreen
from ddwizard.tui.widgets.footer import WizardFooter
from ddwizard.tui.widgets.help_panel import SEVERITY_STYLES

if TYPE_CHECKING:
    from ddwizard.tui.app import DdwizardApp


@dataclass(frozen=True)
class ReviewItem:
    """One thing to look at, and where it lives."""

    kind: str
    label: Text
    screen: str
    question: str | None = None
    provider: str | None = None
    severity_rank: int = 0
    """For red flags and mandate warnings: listed together, most severe first."""


class ReviewScreen(Screen[None]):
    app: DdwizardApp  # type: ignore[assignment]
    CSS_PATH = "review.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "jump", "Jump to item", show=True),
        Binding("r", "mark('ready_for_review')", "Ready for review"),
        Binding("f", "mark('final')", "Mark final"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[ReviewItem] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="review"):
            yield Static("", id="status")
            yield OptionList(id="items")
        yield WizardFooter()

    def on_mount(self) -> None:
        self.refresh_items()
        self.query_one(OptionList).focus()
        self.app.save_position(Position(screen="review"))

    def collect(self) -> list[ReviewItem]:
        app = self.app
        qset = app.services.qset
        session = app.session
        ev = app.evaluation()
        items: list[ReviewItem] = []
        mandate = applicable_values(qset, session.answers)
        for q in qset.selection.questions():
            if not qset.is_shown(q, mandate.get):
                continue
            answer = session.answers.get(q.id)
            if answer is None:
                label = Text("unanswered  ", style="yellow")
                label.append(q.prompt)
                if q.required:
                    label.append("  (required)", style="bold red")
                items.append(ReviewItem("unanswered", label, "mandate", q.id))
            elif answer.value == "unknown":
                items.append(
                    ReviewItem(
                        "unknown",
                        Text("unknown     ", style="cyan") + Text(q.prompt),
                        "mandate",
                        q.id,
                    )
                )
        for warning in ev.warnings:
            label = Text(
                f"{warning.severity.value:<11} ", style=SEVERITY_STYLES[warning.severity.value]
            )
            label.append(f"Mandate: {warning.message}")
            target = warning.question_ids[0] if warning.question_ids else None
            items.append(
                ReviewItem("warning", label, "mandate", target, severity_rank=warning.severity.rank)
            )
        shortlist = list(session.shortlist) if session.shortlist is not None else list(ev.shortlist)
        for pid in shortlist:
            name = app.provider_name(pid)
            answers = session.diligence.get(pid, {})
            lookup = diligence_lookup(qset, mandate, answers)
            missing = [
                q.id
                for q in qset.diligence.questions()
                if qset.is_shown(q, lookup) and q.id not in answers
            ]
            if missing:
                label = Text("diligence   ", style="yellow")
                label.append(f"{name}: {len(missing)} question(s) unanswered")
                items.append(ReviewItem("unanswered", label, "diligence", missing[0], pid))
            for qid, answer in answers.items():
                if answer.value == "unknown":
                    label = Text("unknown     ", style="cyan")
                    label.append(f"{name}: {qset.question(qid).prompt}")
                    items.append(ReviewItem("unknown", label, "diligence", qid, pid))
        for finding in sorted(ev.red_flags, key=lambda f: -f.severity.rank):
            label = Text(
                f"{finding.severity.value:<11} ", style=SEVERITY_STYLES[finding.severity.value]
            )
            label.append(f"{app.provider_name(finding.provider_id)}: {finding.message}")
            items.append(
                ReviewItem(
                    "flag",
                    label,
                    "diligence",
                    finding.question_id,
                    finding.provider_id,
                    severity_rank=finding.severity.rank,
                )
            )
        for key in session.needs_reconfirmation():
            pid, _, qid = key.rpartition(":")
            label = Text("re-confirm  ", style="magenta")
            label.append(f"{qid} changed in the questionnaire")
            items.append(
                ReviewItem("reconfirm", label, "diligence" if pid else "mandate", qid, pid or None)
            )
        order = {"flag": 0, "warning": 0, "reconfirm": 2, "unknown": 3, "unanswered": 4}
        return sorted(items, key=lambda item: (order.get(item.kind, 5), -item.severity_rank))

    def refresh_items(self) -> None:
        session = self.app.session
        ev = self.app.evaluation()
        self.items = self.collect()
        status = Text("Status: ", style="bold")
        status.append(
            session.status.replace("_", " "),
            style="bold green" if session.status == "final" else "bold",
        )
        counts = {
            k: sum(1 for i in self.items if i.kind == k)
            for k in ("unanswered", "unknown", "flag", "warning")
        }
        status.append(
            f"   unanswered {counts['unanswered']} · unknown {counts['unknown']} · "
            f"red flags {counts['flag']} · mandate warnings {counts['warning']} · "
            f"open items {len(ev.open_items)}"
        )
        status.append(
            "\nEnter jumps to the item; r marks ready for review, f marks final.", style="dim"
        )
        self.query_one("#status", Static).update(status)
        options = self.query_one(OptionList)
        options.clear_options()
        if self.items:
            options.add_options(
                [Option(item.label, id=str(i)) for i, item in enumerate(self.items)]
            )
            options.highlighted = 0
        else:
            options.add_option(
                Option(
                    Text("Nothing open: every question is answered and no red flag is raised."),
                    disabled=True,
                )
            )

    @on(OptionList.OptionSelected, "#items")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.jump(int(event.option.id or 0))

    def action_jump(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and self.items:
            self.jump(options.highlighted)

    def jump(self, index: int) -> None:
        if not 0 <= index < len(self.items):
            return
        item = self.items[index]
        self.app.go(
            item.screen,
            position=Position(screen=item.screen, question=item.question, provider=item.provider),
        )

    def action_mark(self, status: str) -> None:
        session = self.app.session
        if session.status == status:
            self.app.notify(f"Already {status.replace('_', ' ')}.")
            return
        if status == "final":
            question = (
                "Mark this review FINAL? It becomes read-only; reopening it is recorded in the "
                "audit trail."
            )
        else:
            question = "Mark this review ready for review?"
        open_count = sum(1 for i in self.items if i.kind in ("unanswered", "flag"))
        if open_count:
            question += f"\n{open_count} item(s) are still open."

        def done(confirmed: bool | None) -> None:
            handle = self.app.handle
            if confirmed and handle is not None:
                if self.app.apply(handle.set_status, status):
                    self.app.notify(f"Review marked {status.replace('_', ' ')}.")
                self.refresh_items()

        self.app.push_screen(ConfirmScreen(question), done)
