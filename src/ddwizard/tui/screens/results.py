"""Results: providers by tier then score, why each stands where it does, and the shortlist.

Nothing here scores anything: the screen shows ``Evaluation`` from the matching rules (tiers,
recommendation status and its conditions, diligence progress, findings) and writes the user's
shortlist back through the session handle. Every provider is listed, in the tier order of
DECISIONS.md §1: meets the mandate, conditional (what to confirm), to consider but not
profiled, excluded (the reason quoting the fact, or the diligence answer). A shortlisted
provider that became excluded stays visible and marked. On a final review the shortlist is
read-only: toggles are refused and nothing on screen changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Static

from ddwizard.core.questionnaire import CRITERIA
from ddwizard.core.results import Evaluation, RecommendationStatus, Tier
from ddwizard.core.sessions.session import Position
from ddwizard.tui.display import shown
from ddwizard.tui.screens.base import SIDE_BY_SIDE, WizardScreen
from ddwizard.tui.widgets.footer import WizardFooter
from ddwizard.tui.widgets.help_panel import SEVERITY_STYLES

if TYPE_CHECKING:
    from ddwizard.core.results import Finding, RankedProvider

SHORT_LABELS = {
    "liquidity": "Liq",
    "security": "Sec",
    "coverage": "Cov",
    "costs": "Cost",
    "ux": "UX",
    "support": "Sup",
}

NOT_PROFILED = "not_profiled"
GROUP_LABELS = {
    Tier.MEETS.value: "meets the mandate",
    Tier.CONDITIONAL.value: "conditional",
    NOT_PROFILED: "to consider, not profiled",
    Tier.EXCLUDED.value: "excluded",
}
GROUP_SHORT = {
    Tier.MEETS.value: Text("meets", style="green"),
    Tier.CONDITIONAL.value: Text("conditional", style="yellow"),
    NOT_PROFILED: Text("unprofiled", style="dim"),
    Tier.EXCLUDED.value: Text("excluded", style="red"),
}
PROVIDER_WIDTH = 24
"""Long names are cut in the table (the details show them whole): the scores stay in view."""
GROUP_ORDER = [Tier.MEETS.value, Tier.CONDITIONAL.value, NOT_PROFILED, Tier.EXCLUDED.value]

STATUS_STYLES = {
    RecommendationStatus.SUPPORTED: "bold green",
    RecommendationStatus.PROVISIONAL: "bold yellow",
    RecommendationStatus.NONE: "bold red",
}
STATUS_WORDS = {
    RecommendationStatus.SUPPORTED: "supported",
    RecommendationStatus.PROVISIONAL: "provisional",
    RecommendationStatus.NONE: "none",
}


@dataclass(frozen=True)
class Row:
    """One provider as listed: its group (tier, or not profiled) and its ranking, if ranked."""

    provider_id: str
    group: str
    ranked: RankedProvider | None


def rows_of(ev: Evaluation) -> list[Row]:
    """Every provider, by tier then score (DECISIONS.md §1)."""
    rows = [
        Row(r.provider_id, group_of(ev, r), r)
        for r in sorted(ev.eligible, key=lambda r: (GROUP_ORDER.index(group_of(ev, r)), r.rank))
    ]
    rows += [Row(e.provider_id, Tier.EXCLUDED.value, None) for e in ev.excluded]
    return rows


def group_of(ev: Evaluation, ranked: RankedProvider) -> str:
    if not ranked.profiled or ranked.provider_id in ev.not_profiled:
        return NOT_PROFILED
    return ranked.tier.value


def status_text(ev: Evaluation, name: str, *, conditions_where: str) -> Text:
    """The recommendation and its status in one line; the conditions are counted here and
    listed ``conditions_where`` (by ``conditions_text``)."""
    text = Text()
    status = ev.recommendation_status
    if ev.recommendation:
        text.append("Recommendation: ", style="bold")
        text.append(name, style="bold green")
        text.append("  status: ", style="bold")
        text.append(STATUS_WORDS[status], style=STATUS_STYLES[status])
    else:
        text.append("No recommendation. ", style="bold yellow")
        text.append(shown(ev.recommendation_reason))
    if ev.conditions:
        text.append(f"  ({len(ev.conditions)} conditions, {conditions_where})", style="dim")
    return text


def conditions_text(ev: Evaluation) -> Text:
    """What must happen before the recommendation is supported, one by one."""
    text = Text()
    if not ev.conditions:
        return text
    text.append(f"Conditions before approval ({len(ev.conditions)})\n", style="bold underline")
    for condition in ev.conditions:
        text.append(f"  • {shown(condition.text)}\n")
    return text


def diligence_text(ev: Evaluation, names: dict[str, str]) -> Text:
    """How many applicable diligence questions each shortlisted provider has answered."""
    text = Text()
    if not ev.diligence_progress:
        return text
    text.append("Diligence answered: ", style="bold")
    parts = [
        f"{names.get(pid, pid)} {p.answered}/{p.asked} ({p.documentary} on documents)"
        for pid, p in ev.diligence_progress.items()
    ]
    text.append("; ".join(parts))
    return text


def finding_line(text: Text, finding: Finding, *, name: str | None = None) -> None:
    text.append(
        f"{finding.severity.value.upper():<8} ", style=SEVERITY_STYLES[finding.severity.value]
    )
    if finding.breaches_mandate:
        text.append("breaches the mandate ", style="bold red reverse")
        text.append(" ")
    if name:
        text.append(f"{name}: ")
    text.append(shown(finding.message) + "\n")


class ResultsScreen(WizardScreen):
    CSS_PATH = "results.tcss"
    HORIZONTAL_BREAKPOINTS = SIDE_BY_SIDE

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_shortlist", "Shortlist on/off"),
        Binding("t", "top_three", "Top three"),
        Binding("enter", "diligence", "Diligence"),
    ]

    def __init__(self, *, provider: str | None = None) -> None:
        super().__init__()
        self.shortlist: list[str] = []
        self.rows: list[Row] = []
        self.shown_provider: str | None = None
        self._start_provider = provider
        """The provider to land on (a jump from the Review screen), else the first row."""

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
        self.rows = rows_of(ev)
        table = self.query_one(DataTable)
        table.add_column("SL", key="sl")
        table.add_column("#", key="rank")
        table.add_column("Provider", key="provider", width=PROVIDER_WIDTH)
        table.add_column("Tier", key="tier")
        table.add_column("Total", key="total")
        for criterion in CRITERIA:
            table.add_column(SHORT_LABELS[criterion], key=criterion)
        for row in self.rows:
            ranked = row.ranked
            name = Text(self.app.provider_name(row.provider_id))
            if ranked is not None and ranked.blocked_by:
                name.append(" ⚑", style="bold red")
            if ranked is None:
                scores = [Text("-", style="dim", justify="right")] * (len(CRITERIA) + 2)
            else:
                scores = [
                    Text(str(ranked.rank), justify="right"),
                    Text(f"{ranked.total:.1f}", style="bold", justify="right"),
                    *[Text(f"{ranked.criterion(c).score:.0f}", justify="right") for c in CRITERIA],
                ]
            table.add_row(
                self._mark(row.provider_id),
                scores[0],
                name,
                GROUP_SHORT[row.group],
                *scores[1:],
                key=row.provider_id,
            )
        self._show_recommendation()
        self._show_overview()
        table.focus()
        ids = [row.provider_id for row in self.rows]
        if self._start_provider in ids:
            table.move_cursor(row=ids.index(self._start_provider))
            self._show_provider(self._start_provider)
        elif self.rows:
            self._show_provider(self.rows[0].provider_id)
        self.app.save_position(Position(screen="results"))

    def _mark(self, provider_id: str) -> Text:
        if provider_id not in self.shortlist:
            return Text("[ ]", style="dim")
        if self.evaluation.tier_of(provider_id) == Tier.EXCLUDED:
            return Text("[!]", style="bold red")  # shortlisted, but excluded: look at it
        return Text("[x]", style="bold green")

    def _names(self) -> dict[str, str]:
        return {row.provider_id: self.app.provider_name(row.provider_id) for row in self.rows}

    def _show_recommendation(self) -> None:
        ev = self.evaluation
        name = self.app.provider_name(ev.recommendation) if ev.recommendation else ""
        text = status_text(ev, name, conditions_where="listed in the details")
        text.append("\nShortlist: ", style="bold")
        parts = Text(", ").join(self._shortlist_names()) if self.shortlist else Text("none")
        text.append_text(parts)
        progress = diligence_text(ev, self._names())
        if progress:
            text.append("\n")
            text.append_text(progress)
        open_items = ev.shortlist_open_items
        text.append(f"\nOpen items: {len(open_items)} ", style="bold")
        text.append(f"({Evaluation.OPEN_ITEMS_MEANING})", style="dim")
        if self.app.read_only:  # the keys themselves are in the footer
            text.append("\nFinal review: the shortlist is read-only.", style="dim")
        self.query_one("#recommendation", Static).update(text)

    def _shortlist_names(self) -> list[Text]:
        out = []
        for pid in self.shortlist:
            name = Text(self.app.provider_name(pid))
            if self.evaluation.tier_of(pid) == Tier.EXCLUDED:
                name.append(" (excluded)", style="bold red")
            out.append(name)
        return out

    def _show_overview(self) -> None:
        ev = self.evaluation
        text = Text("\n")
        text.append_text(conditions_text(ev))
        text.append("\nRobustness: ", style="bold")
        text.append(shown(ev.robustness.summary) + "\n")  # the summary opens with the verdict
        if ev.warnings:
            text.append("\nMandate warnings\n", style="bold underline")
            for warning in ev.warnings:
                text.append(
                    f"{warning.severity.value.upper():<8} ",
                    style=SEVERITY_STYLES[warning.severity.value],
                )
                text.append(shown(warning.message) + "\n")
                if warning.mitigation:
                    text.append(f"         → {shown(warning.mitigation)}\n", style="dim")
        not_profiled = [r for r in self.rows if r.group == NOT_PROFILED]
        if not_profiled:
            text.append(
                f"\nTo consider, not profiled ({len(not_profiled)})\n", style="bold underline"
            )
            text.append(
                "The profile confirms none of the mandate's hard requirements: never "
                "recommended until diligence confirms them.\n",
                style="dim",
            )
            for row in not_profiled:
                text.append(f"  • {self.app.provider_name(row.provider_id)}\n")
        text.append(f"\nExcluded ({len(ev.excluded)})\n", style="bold underline")
        if not ev.excluded:
            text.append("none\n", style="dim")
        for exclusion in ev.excluded:
            text.append(self.app.provider_name(exclusion.provider_id), style="bold")
            if exclusion.provider_id in self.shortlist:
                text.append("  shortlisted: take it off (space) or see why", style="bold red")
            text.append("\n")
            for reason in exclusion.reasons:
                text.append(f"  • {shown(reason)}\n")
        self.query_one("#overview", Static).update(text)

    def _show_provider(self, provider_id: str) -> None:
        ev = self.evaluation
        row = next((r for r in self.rows if r.provider_id == provider_id), None)
        if row is None:
            return
        ranked = row.ranked
        name = self.app.provider_name(provider_id)
        text = Text()
        if ranked is not None:
            text.append(f"{ranked.rank}. {name}", style="bold")
            text.append(f"  total {ranked.total:.1f}\n", style="bold")
        else:
            text.append(name + "\n", style="bold")
        text.append_text(self._tier_text(row))
        if ranked is not None:
            text.append(shown(ranked.explanation) + "\n")
            for score in ranked.criteria:
                text.append(f"• {shown(score.explain())}\n")
            for finding in ranked.blocked_by:
                text.append("Blocked: ", style="bold red")
                text.append(shown(finding.message) + "\n")
        findings = ev.findings_for(provider_id)
        if findings:
            text.append(f"\nFindings ({len(findings)})\n", style="bold underline")
            for finding in sorted(findings, key=lambda f: -f.severity.rank):
                finding_line(text, finding)
        progress = ev.diligence_progress.get(provider_id)
        if progress is not None:
            text.append(
                f"\nDiligence: {progress.answered} of {progress.asked} questions answered, "
                f"{progress.documentary} on current documents\n"
            )
        items = ev.open_items_for(provider_id)
        text.append(f"\nOpen items ({len(items)})\n", style="bold underline")
        for item in items:
            text.append(f"• {shown(item.message)}\n")
        if not items:
            text.append("none\n", style="dim")
        closed = ev.confirmed_for(provider_id)
        if closed:
            text.append(f"\nClosed by the diligence answers ({len(closed)})\n", style="bold")
            for confirmed in closed:
                text.append(f"✓ {shown(confirmed.message)}\n", style="green")
        self.query_one("#explanation", Static).update(text)
        if provider_id != self.shown_provider:
            # A new provider is read from its top, not where the previous one was scrolled.
            self.query_one("#details", VerticalScroll).scroll_home(animate=False)
        self.shown_provider = provider_id

    def _tier_text(self, row: Row) -> Text:
        """The tier in words: what to confirm for a conditional provider, why one is excluded."""
        ev = self.evaluation
        text = Text()
        style = {"meets": "bold green", "conditional": "bold yellow"}.get(row.group, "bold red")
        if row.group == NOT_PROFILED:
            style = "bold"
        text.append(GROUP_LABELS[row.group], style=style)
        ranked = row.ranked
        exclusion = next((e for e in ev.excluded if e.provider_id == row.provider_id), None)
        if ranked is not None and ranked.unconfirmed:
            text.append(": to confirm", style=style)
        elif exclusion is not None:
            text.append(": why", style=style)
        if row.provider_id in self.shortlist and exclusion is not None:
            text.append("  (shortlisted: no recommendation can come from it)", style="red")
        text.append("\n")
        for item in ranked.unconfirmed if ranked is not None else ():
            text.append(f"  • {shown(item.to_confirm or item.label)}\n")
        for reason in exclusion.reasons if exclusion is not None else ():
            text.append(f"  • {shown(reason)}\n")
        return text

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
        if self.app.refuse_if_read_only():
            return
        provider = self._current()
        if provider is None:
            return
        shortlist = list(self.shortlist)
        if provider in shortlist:
            shortlist.remove(provider)
        elif self.evaluation.tier_of(provider) == Tier.EXCLUDED:
            self.app.notify(
                f"{self.app.provider_name(provider)} is excluded by the mandate: it cannot be "
                "shortlisted (the reasons are listed on the right).",
                severity="warning",
                markup=False,
            )
            return
        else:
            shortlist.append(provider)
        order = [row.provider_id for row in self.rows]
        shortlist.sort(key=lambda p: order.index(p) if p in order else len(order))
        self._save(shortlist)

    def action_top_three(self) -> None:
        if self.app.refuse_if_read_only():
            return
        top = [r.provider_id for r in self.rows if r.group != Tier.EXCLUDED.value][:3]
        self._save(top)

    def _save(self, shortlist: list[str]) -> None:
        """Save ``shortlist``; the screen shows it only once it is saved."""
        handle = self.app.handle
        if handle is None or not self.app.apply(handle.set_shortlist, shortlist):
            return
        self.shortlist = shortlist
        table = self.query_one(DataTable)
        for row in self.rows:
            table.update_cell(row.provider_id, "sl", self._mark(row.provider_id))
        self._show_recommendation()
        self._show_overview()

    def flush(self) -> None:
        """Persist the default shortlist the first time the user moves on from here."""
        handle = self.app.handle
        session = self.app.session
        if handle is None or session.shortlist is not None or not self.shortlist:
            return
        if not self.app.read_only:
            self.app.apply(handle.set_shortlist, list(self.shortlist))

    def action_diligence(self) -> None:
        if not self.shortlist:
            self.app.notify("Shortlist at least one provider first (space).", severity="warning")
            return
        self.app.go("diligence")
