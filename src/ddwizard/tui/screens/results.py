"""Results: ranked eligible providers, why the others are excluded, and the shortlist.

Nothing here scores anything: the screen shows ``Evaluation`` from the matching rules and
writes the user's shortlist back through the session handle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ddwizard.core.questionnaire import CRITERIA
from ddwizard.core.sessions.session import Position
from ddwizard.tui.widgets.footer import WizardFooter
from ddwizard.tui.widgets.help_panel import SEVERITY_STYLES

if TYPE_CHECKING:
    from ddwizard.core.results import Evaluation
    from ddwizard.tui.app import DdwizardApp

SHORT_LABELS = {
    "liquidity": "Liq",
    "security": "Sec",
    "coverage": "Cov",
    "costs": "Cost",
    "ux": "UX",
    "support": "Sup",
}


class ResultsScreen(Screen[None]):
    app: DdwizardApp  # type: ignore[assignment]
    CSS_PATH = "results.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_shortlist", "Shortlist on/off"),
        Binding("t", "top_three", "Top three"),
        Binding("enter", "diligence", "Diligence"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shortlist: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Container(id="results"):
            with Vertical(id="ranking"):
                yield Static("", id="recommendation")
                yield DataTable(id="ranked", cursor_type="row")
            with VerticalScroll(id="details"):
                yield Static("", id="explanation")
                yield Static("", id="overview")
        yield WizardFooter()

    @property
    def evaluation(self) -> Evaluation:
        return self.app.evaluation()

    def on_mount(self) -> None:
        session = self.app.session
        ev = self.evaluation
        self.shortlist = (
            list(session.shortlist) if session.shortlist is not None else list(ev.shortlist)
        )
        table = self.query_one(DataTable)
        table.add_column("SL", key="sl")
        table.add_column("#", key="rank")
        table.add_column("Provider", key="provider")
        table.add_column("Total", key="total")
        for criterion in CRITERIA:
            table.add_column(SHORT_LABELS[criterion], key=criterion)
        for ranked in ev.eligible:
            table.add_row(
                self._mark(ranked.provider_id),
                Text(str(ranked.rank), justify="right"),
                Text(self.app.provider_name(ranked.provider_id))
                + (Text(" ⚑", style="bold red") if ranked.blocked_by else Text("")),
                Text(f"{ranked.total:.1f}", style="bold", justify="right"),
                *[Text(f"{ranked.criterion(c).score:.0f}", justify="right") for c in CRITERIA],
                key=ranked.provider_id,
            )
        self._show_recommendation()
        self._show_overview()
        table.focus()
        if ev.eligible:
            self._show_provider(ev.eligible[0].provider_id)
        else:
            self.query_one("#explanation", Static).update(
                Text(
                    "No provider meets every hard requirement of the mandate.", style="bold yellow"
                )
            )
        self.app.save_position(Position(screen="results"))

    def _mark(self, provider_id: str) -> Text:
        return Text(
            "[x]" if provider_id in self.shortlist else "[ ]",
            style="bold green" if provider_id in self.shortlist else "dim",
        )

    def _show_recommendation(self) -> None:
        ev = self.evaluation
        text = Text()
        if ev.recommendation:
            text.append("Recommendation: ", style="bold")
            text.append(self.app.provider_name(ev.recommendation), style="bold green")
            text.append(f"  ({ev.robustness.verdict.replace('_', ' ')})", style="dim")
        else:
            text.append("No recommendation yet. ", style="bold yellow")
            text.append(ev.recommendation_reason)
        text.append("\nShortlist: ", style="bold")
        text.append(", ".join(self.app.provider_name(p) for p in self.shortlist) or "none")
        text.append("   (space toggles, t = top three, Enter = diligence)", style="dim")
        self.query_one("#recommendation", Static).update(text)

    def _show_overview(self) -> None:
        ev = self.evaluation
        text = Text()
        text.append("\nRobustness: ", style="bold")
        text.append(ev.robustness.summary + "\n")  # the summary opens with the verdict
        if ev.warnings:
            text.append("\nMandate warnings\n", style="bold underline")
            for warning in ev.warnings:
                text.append(
                    f"{warning.severity.value.upper():<8} ",
                    style=SEVERITY_STYLES[warning.severity.value],
                )
                text.append(warning.message + "\n")
                if warning.mitigation:
                    text.append(f"         → {warning.mitigation}\n", style="dim")
        text.append(f"\nExcluded ({len(ev.excluded)})\n", style="bold underline")
        if not ev.excluded:
            text.append("none\n", style="dim")
        for exclusion in ev.excluded:
            text.append(self.app.provider_name(exclusion.provider_id), style="bold")
            text.append("\n")
            for reason in exclusion.reasons:
                text.append(f"  • {reason}\n")
        self.query_one("#overview", Static).update(text)

    def _show_provider(self, provider_id: str) -> None:
        ev = self.evaluation
        ranked = ev.ranked(provider_id)
        if ranked is None:
            return
        text = Text()
        text.append(f"{ranked.rank}. {self.app.provider_name(provider_id)}", style="bold")
        text.append(f"  total {ranked.total:.1f}\n", style="bold")
        text.append(ranked.explanation + "\n")
        for score in ranked.criteria:
            text.append(f"• {score.explain()}\n")
        for finding in ranked.blocked_by:
            text.append("Blocked: ", style="bold red")
            text.append(finding.message + "\n")
        findings = ev.findings_for(provider_id)
        if findings:
            text.append("\nFindings\n", style="bold underline")
            for finding in sorted(findings, key=lambda f: -f.severity.rank):
                text.append(
                    f"{finding.severity.value.upper():<8} ",
                    style=SEVERITY_STYLES[finding.severity.value],
                )
                text.append(finding.message + "\n")
        items = ev.open_items_for(provider_id)
        text.append(f"\nOpen items ({len(items)})\n", style="bold underline")
        for item in items:
            text.append(f"• {item.message}\n")
        if not items:
            text.append("none\n", style="dim")
        closed = ev.confirmed_for(provider_id)
        if closed:
            text.append(f"\nClosed by the diligence answers ({len(closed)})\n", style="bold")
            for confirmed in closed:
                text.append(f"✓ {confirmed.message}\n", style="green")
        self.query_one("#explanation", Static).update(text)

    @on(DataTable.RowHighlighted, "#ranked")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            self._show_provider(str(event.row_key.value))

    @on(DataTable.RowSelected, "#ranked")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_diligence()

    def _current(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value) if key.value else None

    def action_toggle_shortlist(self) -> None:
        provider = self._current()
        if provider is None:
            return
        if provider in self.shortlist:
            self.shortlist.remove(provider)
        else:
            self.shortlist.append(provider)
        order = [r.provider_id for r in self.evaluation.eligible]
        self.shortlist.sort(key=lambda p: order.index(p) if p in order else len(order))
        self._save()

    def action_top_three(self) -> None:
        self.shortlist = [r.provider_id for r in self.evaluation.eligible[:3]]
        self._save()

    def _save(self) -> None:
        handle = self.app.handle
        if handle is None:
            return
        self.app.apply(handle.set_shortlist, list(self.shortlist))
        table = self.query_one(DataTable)
        for ranked in self.evaluation.eligible:
            table.update_cell(ranked.provider_id, "sl", self._mark(ranked.provider_id))
        self._show_recommendation()

    def flush(self) -> None:
        """Persist the default shortlist the first time the user moves on from here."""
        handle = self.app.handle
        session = self.app.session
        if handle is None or session.shortlist is not None or not self.shortlist:
            return
        if session.status != "final":
            self.app.apply(handle.set_shortlist, list(self.shortlist))

    def action_diligence(self) -> None:
        if not self.shortlist:
            self.app.notify("Shortlist at least one provider first (space).", severity="warning")
            return
        self.app.go("diligence")
