"""Mandate and diligence questions, one section at a time.

The same screen serves the mandate (answered once) and the diligence questionnaire (answered
per shortlisted provider, with evidence); what differs lives in a ``QuestionsMode``. Each
section's form is built once: the first one shown before the first paint, the others in the
background after it, and a diligence form is re-filled for another provider instead of rebuilt,
so moving between sections and providers only shows and hides. Conditional questions are shown
or hidden from ``applicable_values`` after every change; the position (section and question)
is saved on every focus change so resuming lands on the same place.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual._context import active_app
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Container, Horizontal, Vertical
from textual.events import Click, DescendantFocus
from textual.widget import Widget
from textual.widgets import Header, OptionList, Static, Tab, Tabs

from ddwizard.core.answers import Answer
from ddwizard.core.questionnaire import Questionnaire, Section
from ddwizard.core.sessions.session import Position
from ddwizard.tui.display import shown, shown_line
from ddwizard.tui.screens.base import SIDE_BY_SIDE, WizardScreen
from ddwizard.tui.screens.question_modes import MODES, QuestionsMode, today_of
from ddwizard.tui.widgets.footer import WizardFooter
from ddwizard.tui.widgets.help_panel import HelpPanel, findings_text
from ddwizard.tui.widgets.provider_tab import ProviderTab, ProviderTabs
from ddwizard.tui.widgets.question import QuestionField
from ddwizard.tui.widgets.section_view import STALE, SectionView
from ddwizard.tui.widgets.sidebar import SectionSidebar, SectionState

PREBUILD_DELAY = 0.05
"""Seconds between building two off-screen sections after the first paint (keys go first)."""
PREBUILD_START = 1.0
"""Seconds after the screen is shown before the off-screen sections are built."""


TYPING_KEYS = frozenset({"backspace", "delete", "left", "right", "home", "end", "enter", "space"})
"""Keys kept for the first question while the screen is built (with the printable ones)."""


class QuestionCommands(Provider):
    """Command palette: jump to a section or a question by its text."""

    def _targets(self) -> Iterator[tuple[str, str, str, str | None]]:
        screen = self.screen
        if not isinstance(screen, QuestionsScreen) or not screen.section_id:
            return
        shown_ids = screen.shown_ids()
        for section in screen.questionnaire.sections:
            if not any(q.id in shown_ids for q in section.questions):
                continue
            yield f"Section: {section.title}", "jump to this section", section.id, None
            for q in section.questions:
                if q.id in shown_ids:
                    yield f"Question: {q.prompt}", f"{section.title} · {q.id}", section.id, q.id

    async def discover(self) -> Hits:
        for title, help_text, section, question in self._targets():
            if question is None:
                yield DiscoveryHit(
                    shown_line(title), self._jump(section, None), help=shown_line(help_text)
                )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, section, question in self._targets():
            score = max(matcher.match(title), matcher.match(f"{title} {help_text}") * 0.9)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(shown_line(title)),
                    self._jump(section, question),
                    help=shown_line(help_text),
                )

    def _jump(self, section: str, question: str | None) -> Any:
        screen = self.screen

        def jump() -> None:
            if isinstance(screen, QuestionsScreen):
                screen.show_section(section, focus=question)

        return jump


def questions_screen(mode: str, position: Position | None) -> QuestionsScreen:
    """The questions screen of ``mode`` for the open review, built once and then reused.

    Each mode's screen is installed on the app while its review is open, so F2 / F5 only show
    it again (at ``position`` when one is given) instead of building every form anew.
    """
    app = active_app.get()
    name = f"questions-{mode}"
    handle = getattr(app, "handle", None)
    if app.is_screen_installed(name):
        existing = app.get_screen(name)
        if (
            isinstance(existing, QuestionsScreen)
            and existing.handle is handle
            and existing.status == _status(handle)
        ):
            existing.go_to(position)
            return existing
        if existing not in app.screen_stack:
            app.uninstall_screen(name)
            existing.remove()
    screen = QuestionsScreen(
        mode,
        section=position.section if position else None,
        question=position.question if position else None,
        provider=position.provider if position and mode == "diligence" else None,
    )
    screen.handle = handle
    if not app.is_screen_installed(name):
        app.install_screen(screen, name)
    return screen


def freeze_built_objects() -> None:
    """Exempt everything built so far (every section's form) from Python's full garbage
    collections.

    The forms of a review are hundreds of thousands of long-lived objects; a full collection
    walks all of them (200-250 ms measured), and the allocations of a section change or a
    provider switch set one off about once a key. Frozen objects stay alive until
    ``gc.unfreeze`` (when a questions screen goes away, so a closed review's forms are freed).
    """
    gc.collect(1)  # the young garbage, not the frozen forms
    gc.freeze()


def _status(handle: Any) -> str | None:
    return None if handle is None else str(handle.session.status)


class QuestionsScreen(WizardScreen):
    """Sidebar of sections, the current section's questions, help for the focused one."""

    CSS_PATH = "questions.tcss"
    HORIZONTAL_BREAKPOINTS = SIDE_BY_SIDE
    COMMANDS: ClassVar[set[Any]] = {QuestionCommands}
    AUTO_FOCUS = ""  # the screen focuses the question to answer itself (not the sidebar)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "next_section", "Next section", priority=True),
        Binding("pageup", "previous_section", "Prev section", priority=True),
        Binding("ctrl+n", "next_section", "Next section", show=False, priority=True),
        Binding("ctrl+b", "previous_section", "Prev section", show=False, priority=True),
        Binding("ctrl+down", "next_question", "Next question", show=False),
        Binding("ctrl+up", "previous_question", "Previous question", show=False),
        Binding("ctrl+o", "next_provider", "Next provider", priority=True),
        Binding("ctrl+l", "focus_sections", "Sections"),
        Binding("ctrl+y", "confirm_answer", "Keep answer", priority=True),
    ]

    def __init__(
        self,
        mode: str,
        *,
        section: str | None = None,
        question: str | None = None,
        provider: str | None = None,
    ) -> None:
        super().__init__(classes=mode)
        self.mode = mode
        self._start_section = section
        self._start_question = question
        self.provider = provider
        self.section_id = ""
        self.focused_question: str | None = None
        self._findings_seen: set[tuple[str, str]] | None = None
        self._left_at: dict[str, tuple[str, str | None]] = {}
        """Where each provider was left (section, question): ctrl+o comes back there."""
        self._views: dict[str, SectionView] = {}
        self._view: SectionView | None = None
        self._warming: SectionView | None = None
        """A section being laid out out of sight before its first showing (``_warm``)."""
        self._advance_pending: tuple[QuestionField, bool] | None = None
        self._help_for: QuestionField | None = None
        self._strategy: QuestionsMode | None = None
        self._typed_ahead: list[events.Key] | None = None
        """Keys that arrived before the question being focused had the focus (None: not
        waiting for a focus)."""
        self.handle: Any = None
        """The session handle this screen was built for (reused only for the same one)."""
        self.status: str | None = None
        self._revision_seen = -1
        self._going_to: Position | None = None
        self._resumed = False
        self._theme_seen: str | None = None
        """Keys that arrived before the first question had the focus (None: it has it)."""

    # --- data --------------------------------------------------------------------------

    @property
    def kind(self) -> QuestionsMode:
        if self._strategy is None:
            self._strategy = MODES[self.mode](self.app)
        return self._strategy

    @property
    def questionnaire(self) -> Questionnaire:
        return self.kind.questionnaire

    @property
    def _fields(self) -> list[QuestionField]:
        """The fields of the section being shown."""
        return self._view.fields if self._view is not None else []

    def providers(self) -> list[str]:
        return self.kind.providers()

    def answers(self) -> dict[str, Answer]:
        return self.kind.answers(self.provider)

    def shown_ids(self) -> set[str]:
        qset = self.app.services.qset
        lookup = self.kind.lookup(self.provider)
        return {q.id for q in self.questionnaire.questions() if qset.is_shown(q, lookup)}

    def section(self) -> Section:
        for section in self.questionnaire.sections:
            if section.id == self.section_id:
                return section
        return self.questionnaire.sections[0]

    @property
    def read_only(self) -> bool:
        return self.app.read_only

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield SectionSidebar(self.kind.title, id="sidebar")
            with Vertical(id="main"):
                if self.kind.per_provider:
                    # Focusable: left/right switch the provider (ctrl+o works anywhere).
                    yield ProviderTabs(id="providers")
                yield Static("", id="section-title")
                with Container(id="center"):
                    yield HelpPanel(id="help")
        yield WizardFooter()

    def go_to(self, position: Position | None) -> None:
        """Show ``position`` when this screen is shown again (a jump, or F2 / F5 back)."""
        self._going_to = position

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual re-applies every style of the screen when it comes back, in case the theme
        # changed: for a screen holding every section's form that is most of a second. Only
        # when the theme did change (the base handler runs after this one).
        theme = self.app.theme
        if self._resumed and self._theme_seen == theme:
            event.refresh_styles = False
        self._theme_seen = theme
        if not self._resumed:
            self._resumed = True
            return  # first time: on_mount shows the start position
        self.set_timer(PREBUILD_START, self._prebuild_next)
        position, self._going_to = self._going_to, None
        if self.app.revision != self._revision_seen:
            # Changed elsewhere (weights, shortlist, review): re-fill the forms from the session.
            for view in self._views.values():
                view.loaded_for = STALE
            self._sync_providers()
        if self.kind.per_provider and self.provider is None:
            return
        provider = position.provider if position and self.kind.per_provider else None
        if provider and provider != self.provider and provider in self.providers():
            self._switch_provider(provider, focus_questions=False)
        section, question = self.section_id, self.focused_question
        if position is not None and (position.section or position.question):
            question = position.question
            section = position.section or self._section_of(question or "") or section
        self.show_section(section or self.questionnaire.sections[0].id, focus=question)

    def _sync_providers(self) -> None:
        """The shortlist may have changed since the tabs were made."""
        if not self.kind.per_provider:
            return
        providers = self.providers()
        tabs = self.query_one(Tabs)
        shown_tabs = [t.id.removeprefix("p-") for t in tabs.query(Tab) if t.id]
        if shown_tabs == providers:
            return
        tabs.clear()
        for pid in providers:
            tabs.add_tab(ProviderTab(self._tab_label(pid), id=f"p-{pid}"))
        if self.provider not in providers:
            self.provider = providers[0] if providers else None
            self.focused_question = None
        self.call_after_refresh(self._activate_provider_tab)

    def on_mount(self) -> None:
        self.status = _status(self.app.handle)
        self._revision_seen = self.app.revision
        if self.kind.per_provider:
            providers = self.providers()
            if self.provider not in providers:
                self.provider = providers[0] if providers else None
            tabs = self.query_one(Tabs)
            for pid in providers:
                tabs.add_tab(ProviderTab(self._tab_label(pid), id=f"p-{pid}"))
            self.call_after_refresh(self._activate_provider_tab)
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
        self.set_timer(PREBUILD_START, self._prebuild_next)

    def on_unmount(self) -> None:
        gc.unfreeze()  # this screen's forms may now be collected (others refreeze later)

    def _tab_label(self, provider: str) -> Text:
        name = self.app.provider_name(provider)
        if provider == self.provider:
            return Text(f"▸ {name}", style="bold")
        return Text(f"  {name}")

    def _refresh_tabs(self) -> None:
        for tab in self.query_one(Tabs).query(Tab):  # not the whole screen: every form is in it
            if tab.id and tab.id.startswith("p-"):
                label = self._tab_label(tab.id.removeprefix("p-"))
                if tab.label.plain != label.plain:  # only the two whose ▸ mark moves
                    tab.label = label

    def _section_of(self, question_id: str) -> str | None:
        for section in self.questionnaire.sections:
            if any(q.id == question_id for q in section.questions):
                return section.id
        return None

    def _build_view(self, section: Section) -> SectionView:
        answers = self.answers()
        fields = [
            QuestionField(
                q,
                answers.get(q.id),
                self,
                diligence=self.kind.per_provider,
                read_only=self.read_only,
            )
            for q in section.questions
        ]
        view = SectionView(section, fields, self.provider)
        self._views[section.id] = view
        return view

    def _prebuild_next(self) -> None:
        """Build one more off-screen section (after the first paint, between keys), and lay
        it out once where it cannot be seen (see ``_warm``)."""
        stack = self.app.screen_stack
        if not self.is_attached or not stack or stack[-1] is not self:
            return  # not shown (any more), or the app is closing
        warming = self._warming
        if warming is not None and warming.is_attached:
            if not warming.size:
                self.set_timer(PREBUILD_DELAY, self._prebuild_next)  # not laid out yet
                return
            warming.paint_into_caches()
        self._end_warming()
        for section in self.questionnaire.sections:
            if section.id not in self._views:
                view = self._build_view(section)
                self._warm(view)
                self.query_one("#center", Container).mount(view, before=0)
                self.set_timer(PREBUILD_DELAY, self._prebuild_next)
                return
        freeze_built_objects()

    def _warm(self, view: SectionView) -> None:
        """Lay ``view`` out out of sight at the size it will have (``SectionView.warm``)."""
        shown = self._view
        size = shown.outer_size if shown is not None else None
        if not size:
            view.display = False  # nothing to match yet: laid out when first shown
            return
        view.warm(size)
        self._warming = view

    def _end_warming(self) -> None:
        view, self._warming = self._warming, None
        if view is not None:
            view.end_warming()
            if view is not self._view:
                view.display = False

    def _view_for(self, section: Section) -> SectionView:
        view = self._views.get(section.id)
        if view is None:
            view = self._build_view(section)
            self.query_one("#center", Container).mount(view, before=0)
        elif view.loaded_for is STALE or view.loaded_for != self.provider:
            answers = self.answers()
            for field in view.fields:
                field.load(answers.get(field.question.id))
            view.loaded_for = self.provider
        return view

    def show_section(
        self,
        section_id: str,
        *,
        focus: str | None = None,
        last: bool = False,
        focus_questions: bool = True,
    ) -> None:
        """Show ``section_id``'s questions and focus one.

        With ``focus_questions=False`` the focus stays where it is (the provider tabs).
        """
        self.flush()
        self._end_warming()  # a section being laid out out of sight is hidden (or shown) now
        self.section_id = section_id
        section = self.section()
        title = Text(shown_line(section.title), style="bold")
        if self.kind.per_provider and self.provider:
            title.append(f"  ·  {self.app.provider_name(self.provider)}", style="dim")
        if self.read_only:
            title.append("  ·  FINAL: read-only", style="bold yellow")
        self.query_one("#section-title", Static).update(title)
        view = self._view_for(section)
        if self._view is not None and self._view is not view:
            self._view.display = False
        view.display = True
        self._view = view
        self._revision_seen = self.app.revision
        self.refresh_visibility()
        self.refresh_sidebar()
        self.refresh_findings(notify=False)
        fields = [f for f in view.fields if f.display]
        target = None
        if focus:
            target = next((f for f in fields if f.question.id == focus), None)
        if target is None and fields:
            target = fields[-1] if last else fields[0]
        if target is not None:
            # Known now, so quitting before the focus lands still resumes here.
            self._remember(target)
        if not focus_questions:
            return
        if target is not None and self.focused is None and not self.read_only:
            self._typed_ahead = []  # keys typed before the focus lands are kept for it
        # The help of the question about to be focused, in this same frame (one layout pass).
        self.query_one(HelpPanel).show(target.question if target is not None else None)
        if target is not None:
            target.focus_value()

    def refresh_visibility(self) -> None:
        shown_ids = self.shown_ids()
        for field in self._fields:
            field.display = field.question.id in shown_ids

    def section_states(self) -> list[SectionState]:
        shown_ids = self.shown_ids()
        answers = self.answers()
        states = []
        for section in self.questionnaire.sections:
            visible = [q.id for q in section.questions if q.id in shown_ids]
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
        self.query_one(SectionSidebar).show(states, self.section_id, self.kind.progress(states))

    def refresh_findings(self, *, notify: bool = True) -> None:
        """Diligence: show this provider's findings; announce the ones that just arose."""
        if not self.kind.per_provider or self.provider is None:
            self.query_one(HelpPanel).show_findings(None)
            return
        findings = self.app.evaluation().findings_for(self.provider)
        keys = {(f.question_id, f.severity.value) for f in findings}
        if notify and self._findings_seen is not None:
            for finding in findings:
                if (finding.question_id, finding.severity.value) not in self._findings_seen:
                    self.app.notify(
                        shown(finding.message),
                        title=f"{finding.severity.value.upper()} finding",
                        severity="error" if finding.severity.rank >= 3 else "warning",
                        markup=False,
                    )
        self._findings_seen = keys
        self.query_one(HelpPanel).show_findings(findings_text(findings))

    # --- focus and position ----------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """A key with nothing focused yet: the screen is still being built. Kept for the
        question about to get the focus, so typing ahead is neither lost nor sent elsewhere."""
        if self.read_only or (not event.is_printable and event.key not in TYPING_KEYS):
            return  # screen and app keys (F-keys, page keys) act at once
        if self._typed_ahead is not None and self.focused is None:
            event.stop()
            event.prevent_default()
            self._typed_ahead.append(event)

    def _replay_typed_ahead(self, widget: Widget) -> None:
        keys, self._typed_ahead = self._typed_ahead, None
        for key in keys or ():
            widget.post_message(events.Key(key.key, key.character))

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if self._typed_ahead is not None:
            self._replay_typed_ahead(event.widget)
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
        if self.app.refuse_if_read_only():
            return False
        ok = self.kind.save_value(field, self.provider, value)
        self._after_save(field)
        return ok

    def clear_value(self, field: QuestionField) -> None:
        if self.app.refuse_if_read_only():
            return
        self.kind.clear_value(field, self.provider)
        self._after_save(field)

    def save_note(self, field: QuestionField, note: str) -> None:
        if self.app.refuse_if_read_only():
            return
        if field.question.id not in self.answers():
            field.show_hint("the note is saved with the answer: answer the question to keep it")
            return
        self.kind.save_note(field, self.provider, note or None)
        self._after_save(field)

    def today(self) -> date:
        return today_of(self.app)

    def save_extras(self, field: QuestionField) -> None:
        if self.app.refuse_if_read_only():
            return
        if field.extras() is None:
            return
        answer = self.answers().get(field.question.id)
        if answer is None:
            field.show_hint("evidence is saved with the answer: answer the question to keep it")
            return
        self.kind.save_extras(field, self.provider, answer)
        self._after_save(field)

    def _after_save(self, field: QuestionField) -> None:
        self._revision_seen = self.app.revision
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

    # --- moving on ---------------------------------------------------------------------

    @on(QuestionField.Advance)
    def _field_done(self, event: QuestionField.Advance) -> None:
        event.stop()
        if event.queued:
            # A Select gives itself the focus back when its list closes: move after that
            # (flush runs it at once when the user quits right after choosing).
            self._advance_pending = (event.field, event.answered)
            self.app.call_later(self._run_pending_advance)
        else:
            self._move_on(event.field, answered=event.answered)

    def _run_pending_advance(self) -> None:
        pending, self._advance_pending = self._advance_pending, None
        if pending is not None and pending[0] in self._fields:
            self._move_on(pending[0], answered=pending[1])

    def _move_on(self, field: QuestionField, *, answered: bool) -> None:
        """After an answer: its evidence (diligence, none recorded yet), else the next question."""
        if answered and field.diligence and field.answer is not None and not field.answer.evidence:
            self._remember(field)
            field.focus_evidence()
            return
        self.advance_from(field)

    def advance_from(self, field: QuestionField) -> None:
        """Focus the next shown question after ``field``; past the last, the next section."""
        fields = [f for f in self._fields if f.display]
        if field in fields and fields.index(field) + 1 < len(fields):
            target = fields[fields.index(field) + 1]
            self._remember(target)  # now, not when the focus lands: quit may come first
            target.focus_value()
        else:
            self.action_next_section()

    def action_next_question(self) -> None:
        field = self.focused_field()
        if field is not None:
            self.advance_from(field)

    def action_previous_question(self) -> None:
        fields = [f for f in self._fields if f.display]
        field = self.focused_field()
        if field in fields and fields.index(field) > 0:
            target = fields[fields.index(field) - 1]
            self._remember(target)
            target.focus_value()
        elif fields:
            self.action_previous_section()

    # --- actions ---------------------------------------------------------------------------

    def _navigable(self) -> list[str]:
        shown_ids = self.shown_ids()
        return [
            s.id for s in self.questionnaire.sections if any(q.id in shown_ids for q in s.questions)
        ]

    def action_next_section(self) -> None:
        ids = self._navigable()
        if self.section_id in ids and ids.index(self.section_id) + 1 < len(ids):
            self.show_section(ids[ids.index(self.section_id) + 1])
            return
        if self.kind.per_provider and self.provider is None:
            return
        self.flush()
        following = self.kind.after_last_section(self.provider)
        if following is not None:
            self._switch_provider(following)

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
            return self.kind.per_provider
        if action == "confirm_answer":
            field = self.focused_field()
            return field is not None and field.needs_reconfirmation and not self.read_only
        return True

    def action_confirm_answer(self) -> None:
        """Keep an answer flagged after a questionnaire change, as it is."""
        field = self.focused_field()
        if field is None or field.answer is None or self.app.refuse_if_read_only():
            return
        if self.kind.confirm(field, self.provider):
            self.app.notify("Answer kept and re-confirmed.")
            field.load(self.answers().get(field.question.id))
            self.refresh_bindings()

    def _activate_provider_tab(self) -> None:
        """The shown provider's tab, made active once the tabs are mounted (set before, the
        first tab stayed active: after a resume the tab did not match the provider shown)."""
        if self.provider is not None and self.is_mounted:
            self.query_one(Tabs).active = f"p-{self.provider}"

    def _switch_provider(self, provider: str, *, focus_questions: bool = True) -> None:
        if provider == self.provider:
            return
        self.flush()
        if self.provider is not None and self.section_id:
            self._left_at[self.provider] = (self.section_id, self.focused_question)
        self.provider = provider
        self.focused_question = None
        self._findings_seen = None
        self.query_one(Tabs).active = f"p-{provider}"
        self._refresh_tabs()
        first = self._navigable()
        section, question = self._left_at.get(
            provider, (first[0] if first else self.questionnaire.sections[0].id, None)
        )
        self.show_section(section, focus=question, focus_questions=focus_questions)
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
        elif self.provider is not None and event.tab.id != f"p-{self.provider}":
            tabs.active = f"p-{self.provider}"  # the tab always names the provider shown

    def on_click(self, event: Click) -> None:
        tab = event.widget
        if isinstance(tab, Tab) and tab.id and tab.id.startswith("p-"):
            self.call_later(self._switch_provider, tab.id.removeprefix("p-"))

    @on(OptionList.OptionSelected, "#sidebar OptionList")
    def _section_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.show_section(event.option.id)
