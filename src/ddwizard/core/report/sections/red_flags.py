"""The one red-flags table: every finding and mandate warning once, most severe first.

Rows are numbered (R1, R2 ...); the decision page and the provider sections refer to these
numbers instead of repeating the findings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ddwizard.core.questionnaire import Severity
from ddwizard.core.report.inputs import MemoInputs
from ddwizard.core.report.text import plural, severity_label
from ddwizard.core.results import Finding, MandateWarning


@dataclass(frozen=True)
class RedFlagRow:
    ref: str
    """``R1``, ``R2`` ...: how other sections refer to this row."""
    severity: str
    severity_label: str
    subject: str
    kind: str
    """``finding``, ``breaches the mandate`` or ``mandate warning``."""
    message: str
    mitigation: str


@dataclass(frozen=True)
class RedFlagsSection:
    rows: tuple[RedFlagRow, ...]
    counts: str
    """e.g. "2 high, 9 medium and 2 low"."""
    general_open_items: tuple[str, ...]


def ordered(inputs: MemoInputs) -> list[Finding | MandateWarning]:
    """Most severe first; within a severity the mandate's warnings, then shortlist order."""
    order = {pid: i for i, pid in enumerate(inputs.shortlist)}
    items: list[tuple[int, int, int, str, Finding | MandateWarning]] = []
    for w in inputs.evaluation.warnings:
        items.append((-w.severity.rank, 0, 0, w.code, w))
    for f in inputs.evaluation.red_flags:
        items.append((-f.severity.rank, 1, order.get(f.provider_id, len(order)), f.question_id, f))
    items.sort(key=lambda t: t[:4])
    return [t[-1] for t in items]


def references(inputs: MemoInputs) -> dict[int, str]:
    """``id(finding)`` -> its row reference in the table."""
    return {id(item): f"R{n}" for n, item in enumerate(ordered(inputs), start=1)}


def severity_counts(severities: list[Severity]) -> str:
    counts = Counter(severities)
    parts = [f"{counts[s]} {s.value}" for s in sorted(counts, key=lambda s: -s.rank) if counts[s]]
    if not parts:
        return "none"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def build(inputs: MemoInputs) -> RedFlagsSection:
    rows: list[RedFlagRow] = []
    for n, item in enumerate(ordered(inputs), start=1):
        if isinstance(item, MandateWarning):
            subject, kind = "Mandate", "mandate warning"
        else:
            subject = inputs.name(item.provider_id)
            kind = "breaches the mandate" if item.breaches_mandate else "finding"
        rows.append(
            RedFlagRow(
                ref=f"R{n}",
                severity=item.severity.value,
                severity_label=severity_label(item.severity),
                subject=subject,
                kind=kind,
                message=inputs.plain(item.message),
                mitigation=inputs.plain(item.mitigation),
            )
        )
    total = [i.severity for i in ordered(inputs)]
    return RedFlagsSection(
        rows=tuple(rows),
        counts=f"{plural(len(total), 'red flag')}: {severity_counts(total)}" if total else "",
        general_open_items=tuple(
            inputs.plain(o.message) for o in inputs.evaluation.open_items if o.provider_id is None
        ),
    )
