"""Geometry of the memo's score chart, computed here so the template only draws numbers.

One stacked bar per ranked provider; each segment is one criterion's contribution to the
weighted total (weight x score / 100), so the bar's length is the total score. The template
turns these rows into inline SVG; colours come from a fixed palette, never from user input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS

PALETTE: Mapping[str, str] = {
    "liquidity": "#1f4e79",
    "security": "#2e7d6b",
    "coverage": "#7a9cc6",
    "costs": "#c9a227",
    "ux": "#8e5b8a",
    "support": "#a5a5a5",
}

LABEL_WIDTH = 170.0
PLOT_WIDTH = 400.0
TOTAL_WIDTH = 50.0
BAR_HEIGHT = 16.0
BAR_GAP = 8.0
TOP = 8.0
AXIS_HEIGHT = 22.0
LEGEND_ROW = 18.0
LEGEND_PER_ROW = 3


@dataclass(frozen=True, slots=True)
class Segment:
    criterion: str
    label: str
    x: float
    width: float
    color: str
    contribution: str
    """Preformatted points contributed to the total, e.g. ``"22.5"``."""


@dataclass(frozen=True, slots=True)
class ChartRow:
    label: str
    y: float
    text_y: float
    total: str
    total_x: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class LegendItem:
    x: float
    y: float
    text_x: float
    text_y: float
    color: str
    label: str


@dataclass(frozen=True, slots=True)
class ScoreChart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    axis_y: float
    rows: tuple[ChartRow, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[LegendItem, ...]
    description: str
    """Text alternative for the chart (SVG ``<title>``)."""


@dataclass(frozen=True, slots=True)
class ChartInput:
    """One provider's bar: display name, weighted total and criterion scores (0-100)."""

    label: str
    total: float
    scores: Mapping[str, float]


def contribution(weight: float, score: float) -> float:
    """Points a criterion adds to the weighted total."""
    return weight * score / 100.0


def build_score_chart(bars: Sequence[ChartInput], weights: Mapping[str, int]) -> ScoreChart:
    """Lay out the stacked bars on a 0-100 scale, in the order given (rank order)."""
    scale = PLOT_WIDTH / 100.0
    plot_left = LABEL_WIDTH
    rows: list[ChartRow] = []
    for i, bar in enumerate(bars):
        y = TOP + i * (BAR_HEIGHT + BAR_GAP)
        x = plot_left
        segments: list[Segment] = []
        for criterion in CRITERIA:
            points = contribution(weights.get(criterion, 0), bar.scores.get(criterion, 0.0))
            width = max(points, 0.0) * scale
            if width > 0:
                segments.append(
                    Segment(
                        criterion=criterion,
                        label=CRITERION_LABELS[criterion],
                        x=round(x, 2),
                        width=round(width, 2),
                        color=PALETTE[criterion],
                        contribution=f"{points:.1f}",
                    )
                )
            x += width
        rows.append(
            ChartRow(
                label=_shorten(bar.label, 28),
                y=round(y, 2),
                text_y=round(y + BAR_HEIGHT * 0.72, 2),
                total=f"{bar.total:.1f}",
                total_x=round(x + 6, 2),
                segments=tuple(segments),
            )
        )
    axis_y = TOP + len(bars) * (BAR_HEIGHT + BAR_GAP)
    ticks = tuple(Tick(x=round(plot_left + v * scale, 2), label=str(v)) for v in range(0, 101, 20))
    legend: list[LegendItem] = []
    legend_top = axis_y + AXIS_HEIGHT
    column = (PLOT_WIDTH + LABEL_WIDTH) / LEGEND_PER_ROW
    for i, criterion in enumerate(CRITERIA):
        row, col = divmod(i, LEGEND_PER_ROW)
        lx = col * column
        ly = legend_top + row * LEGEND_ROW
        legend.append(
            LegendItem(
                x=round(lx, 2),
                y=round(ly, 2),
                text_x=round(lx + 16, 2),
                text_y=round(ly + 9, 2),
                color=PALETTE[criterion],
                label=f"{CRITERION_LABELS[criterion]} (weight {weights.get(criterion, 0)})",
            )
        )
    legend_rows = -(-len(CRITERIA) // LEGEND_PER_ROW)
    height = legend_top + legend_rows * LEGEND_ROW + 4
    description = "Weighted score by criterion: " + "; ".join(f"{r.label} {r.total}" for r in rows)
    return ScoreChart(
        width=LABEL_WIDTH + PLOT_WIDTH + TOTAL_WIDTH,
        height=round(height, 2),
        plot_left=plot_left,
        plot_right=plot_left + PLOT_WIDTH,
        axis_y=round(axis_y, 2),
        rows=tuple(rows),
        ticks=ticks,
        legend=tuple(legend),
        description=description,
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
