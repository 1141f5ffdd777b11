"""Review: what is still open before the committee sees the memo, each item a jump to its
question; and the status changes, checked as DECISIONS.md §6 says.

The header shows the recommendation with its status (supported, provisional, none) and its
conditions, how many diligence questions each shortlisted provider has answered, and the one
open-items count every surface shows (``Evaluation.shortlist_open_items``). Marking a review
ready asks for confirmation; marking it final is refused unless ``core.signoff.check_final``
allows it, or a named reviewer other than the preparer overrides with a written rationale.
Reopening a final review asks for the reason here (it is recorded in the audit trail).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ddwizard.core.answers import applicable_values, diligence_lookup
from ddwizard.core.results import Evaluation, Tier
from ddwizard.core.sessions.session import Position
from ddwizard.tui.display import shown
from ddwizard.tui.screens.base import WizardScreen
from ddwizard.tui.screens.confirm import ConfirmScreen
from ddwizard.tui.screens.dialogs import Override, ReasonScreen, SignoffScreen
from ddwizard.tui.screens.results import diligence_text, status_text
from ddwizard.tui.widgets.footer import WizardFooter
from ddwizard.tui.widgets.help_panel import SEVERITY_STYLES

if TYPE_CHECKING:
    from ddwizard.core.questionnaire import QuestionnaireSet

STATUS_WORDS = {
    "in_progress": "in progress",
    "ready_for_review": "ready for review",
    "final": "final",
}


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


class ReviewScreen(WizardScreen):
    CSS_PATH = "review.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "jump", "Jump to item", show=True),
        Binding("r", "mark('ready_for_review')", "Ready for review"),
        Binding("f", "mark('final')", "Mark final"),
        Binding("o", "reopen", "Reopen"),
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reopen":
            return self.app.handle is not None and self.app.read_only
        return True

    def collect(self) -> list[ReviewItem]:
        app = self.app
        qset = app.services.qset
        session = app.session
        ev = app.evaluation()
        items: list[ReviewItem] = []
        mandate = applicable_values(qset, session.answers)
        mandate_ids = {q.id for q in qset.selection.questions()}
        diligence_ids = {q.id for q in qset.diligence.questions()}
        for q in qset.selection.questions():
            if not qset.is_shown(q, mandate.get):
                continue
            answer = session.answers.get(q.id)
            if answer is None:
                label = Text("unanswered  ", style="yellow")
                label.append(shown(q.prompt))
                if q.required:
                    label.append("  (required)", style="bold red")
                items.append(ReviewItem("unanswered", label, "mandate", q.id))
            elif answer.value == "unknown":
                items.append(
                    ReviewItem(
                        "unknown",
                        Text("unknown     ", style="cyan") + Text(shown(q.prompt)),
                        "mandate",
                        q.id,
                    )
                )
        for condition in ev.conditions:
            label = Text("condition   ", style="bold yellow")
            label.append(shown(condition.text))
            screen = "results"
            if condition.question_id in diligence_ids and condition.provider_id:
                screen = "diligence"
            elif condition.question_id in mandate_ids:
                screen = "mandate"
            items.append(
                ReviewItem("condition", label, screen, condition.question_id, condition.provider_id)
            )
        for warning in ev.warnings:
            if warning.code == "shortlisted_provider_excluded":
                continue  # listed as an 'excluded' item, which jumps to the Results
            label = Text(
                f"{warning.severity.value:<11} ", style=SEVERITY_STYLES[warning.severity.value]
            )
            label.append(f"Mandate: {shown(warning.message)}")
            target = warning.question_ids[0] if warning.question_ids else None
            items.append(
                ReviewItem("warning", label, "mandate", target, severity_rank=warning.severity.rank)
            )
        for pid in self.shortlist():
            name = app.provider_name(pid)
            if ev.tier_of(pid) == Tier.EXCLUDED:
                label = Text("excluded    ", style="bold red")
                label.append(f"{name} is shortlisted but excluded by the mandate")
                exclusion = next((e for e in ev.excluded if e.provider_id == pid), None)
                if exclusion is not None and exclusion.reasons:
                    label.append(": " + " ".join(shown(r) for r in exclusion.reasons))
                items.append(ReviewItem("excluded", label, "results", provider=pid))
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
                    label.append(f"{name}: {shown(qset.question(qid).prompt)}")
                    items.append(ReviewItem("unknown", label, "diligence", qid, pid))
        for finding in sorted(ev.red_flags, key=lambda f: -f.severity.rank):
            label = Text(
                f"{finding.severity.value:<11} ", style=SEVERITY_STYLES[finding.severity.value]
            )
            label.append(f"{app.provider_name(finding.provider_id)}: ")
            if finding.breaches_mandate:
                label.append("breaches the mandate", style="bold red reverse")
                label.append(" ")
            label.append(shown(finding.message))
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
            if pid:
                label.append(f"{app.provider_name(pid)}: ")
            label.append(f"“{shown(question_prompt(qset, qid))}” changed in the questionnaire")
            items.append(
                ReviewItem("reconfirm", label, "diligence" if pid else "mandate", qid, pid or None)
            )
        order = {
            "excluded": 0,
            "flag": 1,
            "warning": 1,
            "condition": 2,
            "reconfirm": 3,
            "unknown": 4,
            "unanswered": 5,
        }
        return sorted(items, key=lambda item: (order.get(item.kind, 5), -item.severity_rank))

    def shortlist(self) -> list[str]:
        """The shortlist as saved (an excluded provider on it is kept, to be marked)."""
        session = self.app.session
        if session.shortlist is not None:
            return list(session.shortlist)
        return list(self.app.evaluation().shortlist)

    def refresh_items(self) -> None:
        session = self.app.session
        ev = self.app.evaluation()
        self.items = self.collect()
        status = Text("Status: ", style="bold")
        status.append(
            STATUS_WORDS.get(session.status, session.status),
            style="bold green" if session.status == "final" else "bold",
        )
        status.append("   ")
        name = self.app.provider_name(ev.recommendation) if ev.recommendation else ""
        status.append_text(status_text(ev, name, conditions_where="listed below the red flags"))
        names = {pid: self.app.provider_name(pid) for pid in ev.diligence_progress}
        progress = diligence_text(ev, names)
        if progress:
            status.append("\n")
            status.append_text(progress)
        counts = {
            k: sum(1 for i in self.items if i.kind == k)
            for k in ("unanswered", "unknown", "flag", "warning")
        }
        status.append(
            f"\nconditions {len(ev.conditions)} · "
            f"unanswered {counts['unanswered']} · unknown {counts['unknown']} · "
            f"red flags {counts['flag']} · mandate warnings {counts['warning']} · "
        )
        status.append(f"open items {len(ev.shortlist_open_items)}", style="bold")
        status.append(f" ({Evaluation.OPEN_ITEMS_MEANING})", style="dim")
        if session.status == "final":
            keys = "Enter jumps to the item; o reopens the review (asks for the reason)."
        else:
            keys = "Enter jumps to the item; r marks ready for review, f marks final."
        status.append(f"\n{keys}", style="dim")
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

    # --- status changes ---------------------------------------------------------------

    def open_summary(self) -> str:
        """The counts the ready and final dialogs repeat, in the header's words."""
        ev = self.app.evaluation()
        unanswered = sum(1 for i in self.items if i.kind == "unanswered")
        flags = sum(1 for i in self.items if i.kind == "flag")
        return (
            f"Open items: {len(ev.shortlist_open_items)} ({Evaluation.OPEN_ITEMS_MEANING}); "
            f"unanswered: {unanswered}; red flags: {flags}."
        )

    def action_mark(self, status: str) -> None:
        session = self.app.session
        if session.status == status:
            hint = " o reopens it (it asks for the reason)." if self.app.read_only else ""
            self.app.notify(f"Already {STATUS_WORDS.get(status, status)}.{hint}")
            return
        if self.app.read_only:
            self.action_reopen(status)
            return
        if status == "final":
            self._mark_final()
            return
        question = f"Mark this review ready for review?\n{self.open_summary()}"
        self.app.push_screen(ConfirmScreen(question), self._set_status_if(status))

    def _set_status_if(self, status: str) -> Callable[[bool | None], None]:
        def done(confirmed: bool | None) -> None:
            if confirmed and self.app.apply(self.change_status, status):
                self.app.notify(f"Review marked {STATUS_WORDS.get(status, status)}.")
            self.refresh_items()
            self.refresh_bindings()

        return done

    def change_status(
        self,
        status: str,
        *,
        reason: str | None = None,
        reviewer: str | None = None,
        rationale: str | None = None,
    ) -> None:
        """The ``change_status`` use case on the open review (sign-off rules, audit trail)."""
        from ddwizard.core.usecases.change_status import change_status_of_handle

        handle = self.app.handle
        if handle is None:
            raise RuntimeError("no review is open")
        change_status_of_handle(
            self.app.workspace,
            handle,
            status,
            reason=reason,
            reviewer=reviewer,
            rationale=rationale,
        )

    def _mark_final(self) -> None:
        """Final only as ``check_final`` allows: a supported recommendation (confirmed here),
        or a second person's override with a rationale (asked in the sign-off dialog)."""
        from ddwizard.core.signoff import check_final

        ev = self.app.evaluation()
        preparer = self.app.session.preparer
        check = check_final(ev, preparer=preparer)
        if check.allowed:
            question = (
                "Mark this review FINAL? It becomes read-only; reopening it needs a reason and "
                f"is recorded in the audit trail.\n{self.open_summary()}"
            )
            self.app.push_screen(ConfirmScreen(question), self._set_status_if("final"))
            return
        conditions = {c.text for c in ev.conditions}

        def accept(override: Override) -> str | None:
            again = check_final(
                ev, preparer=preparer, reviewer=override.reviewer, rationale=override.rationale
            )
            if not again.allowed:
                return " ".join(r for r in again.reasons if r not in conditions)
            return self.app.try_change(
                self.change_status,
                "final",
                reviewer=override.reviewer,
                rationale=override.rationale,
            )

        def done(override: Override | None) -> None:
            if override is None:
                return
            self.app.notify(
                f"Review marked final on the override of {shown(override.reviewer)} "
                "(recorded with the rationale).",
                markup=False,
            )
            self.refresh_items()
            self.refresh_bindings()

        self.app.push_screen(SignoffScreen(check.reasons, preparer, accept), done)

    def action_reopen(self, status: str = "in_progress") -> None:
        """Reopen a final review (to ``status``), with the reason asked here and recorded."""
        if self.app.handle is None or not self.app.read_only:
            return

        def accept(reason: str) -> str | None:
            return self.app.try_change(self.change_status, status, reason=reason)

        def done(reason: str | None) -> None:
            if reason is None:
                return
            self.app.notify(
                f"Review reopened: it is {STATUS_WORDS.get(status, status)} again "
                "(reason recorded)."
            )
            self.refresh_items()
            self.refresh_bindings()

        self.app.push_screen(
            ReasonScreen(
                f"Reopen this final review? It goes back to {STATUS_WORDS.get(status, status)}; "
                "the reason is recorded in the audit trail and the next memo says it "
                "supersedes the earlier one.",
                accept,
            ),
            done,
        )


def question_prompt(qset: QuestionnaireSet, question_id: str) -> str:
    """The question as people read it (its id if the questionnaire no longer has it)."""
    question = qset.get(question_id)
    return question.prompt if question is not None else question_id
