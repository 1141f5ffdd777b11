"""Mandate and diligence questions, one section at a time.

The same screen serves the mandate (answered once) and the diligence questionnaire (answered
per shortlisted provider, with evidence). Conditional questions are shown or hidden from
``applicable_values`` after every change; the position (section and question) is saved on
every focus change so resuming lands on the same place.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.events import Click, DescendantFocus
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static, Tab, Tabs

from ddwizard.core.answers import Answer, applicable_values, diligence_lookup
from ddwizard.core.questionnaire import Questionnaire, Section
from ddwizard.core.sessions.session import Position
from ddwizard.tui.widgets.footer import WizardFooter
from ddwizard.tui.widgets.help_panel import SEVERITY_STYLES, HelpPanel
from ddwizard.tui.widgets.question import QuestionField
from ddwizard.tui.widgets.sidebar import SectionSidebar, SectionState

if TYPE_CHECKING:
    from ddwizard.core.results import Finding
    from ddwizard.tui.app import DdwizardApp

Mode = Literal["mandate", "diligence"]


class QuestionsScreen(Screen[None]):
    """Sidebar of sections, the current section's questions, help for the focused one."""

    app: DdwizardApp  # type: ignore[assignment]
    CSS_PATH = "questions.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "next_section", "Next section", priority=True),
        Binding("pageup", "previous_section", "Prev section", priority=True),
        Binding("ctrl+n", "next_section", "Next section", show=False, priority=True),
        Binding("ctrl+b", "previous_section", "Prev section", show=False, priority=True),
        Binding("ctrl+o", "next_provider", "Next provider", priority=True),
        Binding("ctrl+l", "focus_sections", "Sections"),
        Binding("ctrl+y", "confirm_answer", "Keep answer", priority=True),
    ]

    def __init__(
        self,
        mode: Mode,
        *,
        section: str | None = None,
        question: str | None = None,
        provider: str | None = None,
    ) -> None:
        super().__init__(classes=mode)
        self.mode: Mode = mode
        self._start_section = section
        self._start_question = question
        self.provider = provider
        self.section_id = ""
        self.focused_question: str | None = None
        self._findings_seen: set[tuple[str, str]] | None = None
        self._container: VerticalScroll | None = None
        self._fields: list[QuestionField] = []
        self._renders = 0
        self._advance_pending: QuestionField | None = None
        self._help_for: QuestionField | None = None

    # --- data --------------------------------------------------------------------------

    @property
    def questionnaire(self) -> Questionnaire:
        qset = self.app.services.qset
        return qset.selection if self.mode == "mandate" else qset.diligence

    def providers(self) -> list[str]:
        session = self.app.session
        if session.shortlist is not None:
            return list(session.shortlist)
        return list(self.app.evaluation().shortlist)

    def answers(self) -> dict[str, Answer]:
        session = self.app.session
        if self.mode == "mandate":
            return dict(session.answers)
        return dict(session.diligence.get(self.provider or "", {}))

    def shown_ids(self) -> set[str]:
        qset = self.app.services.qset
        session = self.app.session
        mandate = applicable_values(qset, session.answers)
        if self.mode == "mandate":
            lookup = mandate.get
        else:
            lookup = diligence_lookup(qset, mandate, self.answers())
        return {q.id for q in self.questionnaire.questions() if qset.is_shown(q, lookup)}

    def section(self) -> Section:
        for section in self.questionnaire.sections:
            if section.id == self.section_id:
                return section
        return self.questionnaire.sections[0]

    @property
    def read_only(self) -> bool:
        return self.app.session.status == "final"

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        title = "Mandate" if self.mode == "mandate" else "Diligence"
        yield Header()
        with Horizontal(id="body"):
            yield SectionSidebar(title, id="sidebar")
            with Vertical(id="main"):
                if self.mode == "diligence":
                    # Focusable: left/right switch the provider (ctrl+o works anywhere).
                    yield Tabs(id="providers")
                yield Static("", id="section-title")
                yield Static("", id="section-intro")
                with Container(id="center"):
                    yield HelpPanel(id="help")
        yield WizardFooter()

    def on_mount(self) -> None:
        if self.mode == "diligence":
            providers = self.providers()
            if self.provider not in providers:
                self.provider = providers[0] if providers else None
            tabs = self.query_one(Tabs)
            for pid in providers:
                tabs.add_tab(Tab(Text(self.app.provider_name(pid)), id=f"p-{pid}"))
            if self.provider is not None:
                tabs.active = f"p-{self.provider}"
            if self.provider is None:
                self.query_one("#section-title", Static).update(
                    Text(
                        "No shortlist yet: choose providers on the Results screen (F4).",
                        style="bold yellow",
                    )
                )
                self.query_one(SectionSidebar).display = False
                return
        ids = [s.id for s in self.questionnaire.sections]
        section = self._start_section if self._start_section in ids else None
        if section is None and self._start_question:
            section = self._section_of(self._start_question)
        self.show_section(section or ids[0], focus=self._start_question)

    def _section_of(self, question_id: str) -> str | None:
        for section in self.questionnaire.sections:
            if any(q.id == question_id for q in section.questions):
                return section.id
        return None

    def show_section(
        self,
        section_id: str,
        *,
        focus: str | None = None,
        last: bool = False,
        focus_questions: bool = True,
    ) -> None:
        """Replace the question list with ``section_id``'s questions and focus one.

        With ``focus_questions=False`` the focus stays where it is (the provider tabs).
        """
        self.flush()
        self.section_id = section_id
        section = self.section()
        answers = self.answers()
        title = Text(section.title, style="bold")
        if self.mode == "diligence" and self.provider:
            title.append(f"  ·  {self.app.provider_name(self.provider)}", style="dim")
        if self.read_only:
            title.append("  ·  FINAL: read-only", style="bold yellow")
        self.query_one("#section-title", Static).update(title)
        intro = self.query_one("#section-intro", Static)
        intro.update(Text(section.intro.strip() if section.intro else "", style="dim"))
        intro.set_class(not section.intro, "-empty")
        fields = [
            QuestionField(
                q,
                answers.get(q.id),
                self,
                diligence=self.mode == "diligence",
                read_only=self.read_only,
            )
            for q in section.questions
        ]
        # A fresh container per section: the old one is removed asynchronously and its
        # question ids must not collide with the new ones.
        self._renders += 1
        container = VerticalScroll(*fields, id=f"questions-{self._renders}", classes="questions")
        if self._container is not None:
            self._container.remove()
        self._container = container
        self._fields = fields
        self.query_one("#center", Container).mount(container, before=0)
        self.refresh_visibility()
        self.refresh_sidebar()
        self.refresh_findings(notify=False)
        shown = [f for f in fields if f.display]
        target = None
        if focus:
            target = next((f for f in shown if f.question.id == focus), None)
        if target is None and shown:
            target = shown[-1] if last else shown[0]
        if target is not None:
            # Known now, so quitting before the focus lands still resumes here.
            self._remember(target)

        def focus_first() -> None:
            if not focus_questions:
                return
            if target is not None:
                target.focus_value()
                target.scroll_visible(animate=False)
            else:
                self.query_one(HelpPanel).show(None)

        self.call_after_refresh(focus_first)

    def refresh_visibility(self) -> None:
        shown = self.shown_ids()
        for field in self._fields:
            field.display = field.question.id in shown

    def section_states(self) -> list[SectionState]:
        shown = self.shown_ids()
        answers = self.answers()
        states = []
        for section in self.questionnaire.sections:
            visible = [q.id for q in section.questions if q.id in shown]
            states.append(
                SectionState(
                    section.id,
                    section.title,
                    answered=sum(1 for qid in visible if qid in answers),
                    shown=len(visible),
                )
            )
        return states

    def refresh_sidebar(self) -> None:
        states = self.section_states()
        if self.mode == "mandate":
            progress = self.app.session.progress(self.app.services.qset)
        else:
            total = sum(s.shown for s in states)
            progress = 0 if not total else sum(s.answered for s in states) * 100 // total
        self.query_one(SectionSidebar).show(states, self.section_id, progress)

    def refresh_findings(self, *, notify: bool = True) -> None:
        """Diligence: show this provider's findings; announce the ones that just arose."""
        if self.mode != "diligence" or self.provider is None:
            self.query_one(HelpPanel).show_findings(None)
            return
        findings = self.app.evaluation().findings_for(self.provider)
        keys = {(f.question_id, f.severity.value) for f in findings}
        if notify and self._findings_seen is not None:
            for finding in findings:
                if (finding.question_id, finding.severity.value) not in self._findings_seen:
                    self.app.notify(
                        finding.message,
                        title=f"{finding.severity.value.upper()} finding",
                        severity="error" if finding.severity.rank >= 3 else "warning",
                        markup=False,
                    )
        self._findings_seen = keys
        self.query_one(HelpPanel).show_findings(findings_text(findings))

    # --- focus and position ----------------------------------------------------------------

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        field = next(
            (w for w in event.widget.ancestors_with_self if isinstance(w, QuestionField)), None
        )
        if field is None:
            return
        self._remember(field)
        # The help follows after the focus has been painted, once per burst of moves: moving
        # on does not wait for the help text to be laid out.
        if self._help_for is None:
            self.call_after_refresh(self._show_help)
        self._help_for = field

    def _show_help(self) -> None:
        field, self._help_for = self._help_for, None
        if field is not None and field.is_attached:
            self.query_one(HelpPanel).show(field.question)

    def _remember(self, field: QuestionField) -> None:
        self.focused_question = field.question.id
        position = self.current_position()
        if position is not None:
            self.app.save_position(position)

    def current_position(self) -> Position | None:
        """Where resuming should land: this section and the question being answered."""
        if not self.section_id:
            return None
        return Position(
            screen=self.mode,
            section=self.section_id,
            question=self.focused_question,
            provider=self.provider,
        )

    def focused_field(self) -> QuestionField | None:
        return next((f for f in self._fields if f.question.id == self.focused_question), None)

    # --- saving (FieldSaver) ----------------------------------------------------------------

    def save_value(self, field: QuestionField, value: Any) -> bool:
        handle = self.app.handle
        if handle is None:
            return False
        qid = field.question.id
        if self.mode == "mandate":
            ok = self.app.apply(handle.set_answer, qid, value)
        else:
            extras = field.extras() or {}
            note = field.note_text().strip() or None
            ok = self.app.apply(
                handle.set_diligence, self.provider, qid, value, note=note, **extras
            )
        self._after_save(field)
        return ok

    def clear_value(self, field: QuestionField) -> None:
        handle = self.app.handle
        if handle is None:
            return
        if self.mode == "mandate":
            self.app.apply(handle.clear_answer, field.question.id)
        elif self.provider is not None:
            self.app.apply(handle.clear_diligence, self.provider, field.question.id)
        self._after_save(field)

    def save_note(self, field: QuestionField, note: str) -> None:
        handle = self.app.handle
        if handle is None:
            return
        qid = field.question.id
        if qid not in self.answers():
            field.show_problem("answer the question first; the note is kept once it is answered")
            return
        if self.mode == "mandate":
            self.app.apply(handle.set_note, qid, note or None)
        else:
            self.app.apply(handle.set_note, qid, note or None, provider=self.provider)
        self._after_save(field)

    def today(self) -> date:
        return self.app.services.clock().astimezone().date()

    def save_extras(self, field: QuestionField) -> None:
        if self.mode != "diligence":
            return
        extras = field.extras()
        if extras is None:
            return
        answer = self.answers().get(field.question.id)
        if answer is None:
            field.show_problem("answer the question first; evidence is recorded with the answer")
            return
        handle = self.app.handle
        if handle is None:
            return
        self.app.apply(
            handle.set_diligence,
            self.provider,
            field.question.id,
            answer.value,
            note=answer.note,
            **extras,
        )
        self._after_save(field)

    def _after_save(self, field: QuestionField) -> None:
        field.refresh_answer(self.answers().get(field.question.id))
        self.refresh_visibility()
        self.refresh_sidebar()
        self.refresh_findings()

    def flush(self) -> None:
        """Save edits still waiting for a typing pause, and finish a pending move-on."""
        if not self.is_mounted:
            return
        for field in self._fields:
            field.flush()
        self._run_pending_advance()

    def request_advance(self, field: QuestionField) -> None:
        """Move on from ``field`` soon (after the focus settles), or at once on ``flush``."""
        self._advance_pending = field
        self.app.call_later(self._run_pending_advance)

    def _run_pending_advance(self) -> None:
        field, self._advance_pending = self._advance_pending, None
        if field is not None and field in self._fields:
            self.advance_from(field)

    # --- actions ---------------------------------------------------------------------------

    def _navigable(self) -> list[str]:
        shown = self.shown_ids()
        return [
            s.id for s in self.questionnaire.sections if any(q.id in shown for q in s.questions)
        ]

    def action_next_section(self) -> None:
        ids = self._navigable()
        if self.section_id in ids and ids.index(self.section_id) + 1 < len(ids):
            self.show_section(ids[ids.index(self.section_id) + 1])
        elif self.mode == "mandate":
            self.app.go("results")
        elif self.provider is not None:
            providers = self.providers()
            index = providers.index(self.provider) if self.provider in providers else -1
            if index + 1 < len(providers):
                self._switch_provider(providers[index + 1])
            else:
                self.app.go("review")

    def action_previous_section(self) -> None:
        ids = self._navigable()
        if self.section_id in ids and ids.index(self.section_id) > 0:
            self.show_section(ids[ids.index(self.section_id) - 1], last=True)

    def action_next_provider(self) -> None:
        providers = self.providers()
        if not providers or self.provider is None:
            return
        index = providers.index(self.provider) if self.provider in providers else -1
        self._switch_provider(providers[(index + 1) % len(providers)])

    def action_focus_sections(self) -> None:
        self.query_one("#sidebar OptionList", OptionList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_provider":
            return self.mode == "diligence"
        if action == "confirm_answer":
            field = self.focused_field()
            return field is not None and field.needs_reconfirmation and not self.read_only
        return True

    def action_confirm_answer(self) -> None:
        """Keep an answer flagged after a questionnaire change, as it is."""
        field = self.focused_field()
        handle = self.app.handle
        if field is None or handle is None or field.answer is None:
            return
        qid = field.question.id
        if self.mode == "mandate":
            ok = self.app.apply(handle.confirm_answer, qid)
        else:
            ok = self.app.apply(handle.set_diligence, self.provider, qid, field.answer.value)
        if ok:
            self.app.notify("Answer kept and re-confirmed.")
            self.show_section(self.section_id, focus=qid)

    def _switch_provider(self, provider: str, *, focus_questions: bool = True) -> None:
        if provider == self.provider:
            return
        self.flush()
        self.provider = provider
        self.focused_question = None
        self._findings_seen = None
        self.query_one(Tabs).active = f"p-{provider}"
        first = self._navigable()
        self.show_section(
            first[0] if first else self.questionnaire.sections[0].id,
            focus_questions=focus_questions,
        )
        if not focus_questions:
            position = self.current_position()
            if position is not None:
                self.app.save_position(position)

    @on(Tabs.TabActivated, "#providers")
    def _provider_tab(self, event: Tabs.TabActivated) -> None:
        # Arrow keys on the focused tabs switch the provider and keep the focus there. Adding
        # the tabs activates the first one, which must not switch away from the provider
        # asked for: that happens while the tabs are not focused, so it is ignored.
        event.stop()
        tabs = event.tabs
        if tabs.has_focus and event.tab.id and event.tab.id.startswith("p-"):
            self._switch_provider(event.tab.id.removeprefix("p-"), focus_questions=False)

    def on_click(self, event: Click) -> None:
        tab = event.widget
        if isinstance(tab, Tab) and tab.id and tab.id.startswith("p-"):
            self.call_later(self._switch_provider, tab.id.removeprefix("p-"))

    @on(OptionList.OptionSelected, "#sidebar OptionList")
    def _section_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.show_section(event.option.id)

    def advance_from(self, field: QuestionField) -> None:
        """Focus the next shown question after ``field``; past the last, the next section."""
        fields = [f for f in self._fields if f.display]
        if field in fields and fields.index(field) + 1 < len(fields):
            target = fields[fields.index(field) + 1]
            self._remember(target)  # now, not when the focus lands: quit may come first
            target.focus_value()
            target.scroll_visible(animate=False)
        else:
            self.action_next_section()

    def focus_question(self, question_id: str) -> None:
        """Jump to ``question_id`` (used by the review screen)."""
        section = self._section_of(question_id)
        if section is not None:
            self.show_section(section, focus=question_id)


def findings_text(findings: tuple[Finding, ...]) -> Text:
    text = Text()
    text.append(f"Findings ({len(findings)})\n", style="bold underline")
    if not findings:
        text.append("none so far", style="dim")
        return text
    for finding in sorted(findings, key=lambda f: -f.severity.rank):
        text.append(
            f"{finding.severity.value.upper():<8} ", style=SEVERITY_STYLES[finding.severity.value]
        )
        text.append(finding.message)
        text.append(f"  {finding.question_id}\n", style="dim")
    return text
