"""How the memo reached its conclusions, and from which data: rules, weights, sources, versions.

States the limits a signing officer must know: the profiles rest on one secondary source and
were not verified against primary sources unless a profile records when they were; weights
that differ from the defaults carry the rationale given for them (or say none was given).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS, DEFAULT_WEIGHTS
from ddwizard.core.report.inputs import MemoInputs
from ddwizard.core.report.sections.common import LabelValue
from ddwizard.core.report.text import clean, plural

WEIGHTS_QUESTION = "priorities.weights"
RATIONALE_QUESTIONS = ("priorities.weights_rationale", "priorities.rationale")


@dataclass(frozen=True)
class WeightRow:
    criterion: str
    weight: str
    default: str
    changed: bool


@dataclass(frozen=True)
class SourceGroup:
    """One source shared by several provider profiles with the same verification state."""

    providers: tuple[str, ...]
    title: str
    by: str
    """Author and publisher, as the profile gives them."""
    dated: str
    url: str
    last_verified: str
    """When the profiles were verified against a primary source, or "not verified"."""
    age: str
    """Age of the facts at the memo date (from the verification, else the source's date)."""
    stale: bool


@dataclass(frozen=True)
class MethodologySection:
    caveat: str
    """The single-secondary-source caveat of the profiles."""
    paragraphs: tuple[str, ...]
    weights: tuple[WeightRow, ...]
    weights_changed: bool
    weights_rationale: str
    sources: tuple[SourceGroup, ...]
    stale_after_days: int
    stale_profiles: int
    versions: tuple[LabelValue, ...]


def _text(value: Any) -> str:
    if value is None or str(value) == "unknown":
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return clean(value)


def _rationale(inputs: MemoInputs) -> str:
    for qid in RATIONALE_QUESTIONS:
        value = inputs.sheet.value(qid)
        if value:
            return clean(value)
    answer = inputs.sheet.selection.get(WEIGHTS_QUESTION)
    return clean(answer.note) if answer is not None and answer.note else ""


def build(inputs: MemoInputs) -> MethodologySection:
    days = inputs.settings.stale_after_days
    weights = inputs.evaluation.weights
    rows = tuple(
        WeightRow(
            criterion=CRITERION_LABELS[c],
            weight=f"{weights.get(c, 0)} %",
            default=f"{DEFAULT_WEIGHTS[c]} %",
            changed=weights.get(c, 0) != DEFAULT_WEIGHTS[c],
        )
        for c in CRITERIA
    )
    changed = any(r.changed for r in rows)
    rationale = _rationale(inputs)
    if changed and not rationale:
        rationale = "No rationale was recorded for weights that differ from the defaults."
    sources, stale_profiles = _sources(inputs)
    secondary = [s for s in inputs.catalog.sources if s.kind == "secondary"]
    verified = inputs.catalog.verified_count
    if len(inputs.catalog.sources) == 1 and secondary:
        caveat = f"Every provider profile rests on one secondary source: {clean(secondary[0].citation())}."
    elif secondary and len(secondary) == len(inputs.catalog.sources):
        caveat = f"The provider profiles rest on {plural(len(secondary), 'secondary source')} only."
    else:
        caveat = (
            f"The provider profiles rest on {plural(len(inputs.catalog.sources), 'source')}, "
            f"{len(secondary)} of them secondary."
        )
    if verified == 0:
        caveat += (
            " Nobody has verified the profiles against primary sources (regulators' registers, "
            "audit reports, insurance certificates, custody agreements); only diligence answers "
            "resting on documents seen or public sources are such evidence."
        )
    elif verified < len(inputs.catalog):
        caveat += (
            f" {verified} of {plural(len(inputs.catalog), 'profile')} record a date when they "
            "were verified against a primary source (below); the others were not verified."
        )
    else:
        caveat += " Each profile records when it was verified against a primary source (below)."
    paragraphs = (
        "Eligibility applies the mandate's hard requirements to each profile. A requirement is "
        "met when the profile states it with a source, or a current documentary diligence "
        "answer confirms it; unconfirmed when the profile does not state it; breached when the "
        "profile states the opposite or a diligence answer contradicts it. Providers are "
        "grouped as meeting the mandate, conditional (nothing breached, something to confirm) "
        "or excluded, and ranked by score within each group.",
        "Each provider is scored 0-100 per criterion from a written rubric over the facts its "
        "profile states; an unknown fact earns nothing. Points are weight × score / 100 and "
        "add up to the total out of 100. Scores read the profiles only: diligence answers do "
        "not move them, but they confirm or breach requirements and raise the red flags.",
        f"Documentary evidence is a document seen or a public source, dated and not older than "
        f"{days} days at the memo date; a provider's claim, or an undated or older document, "
        "confirms nothing. Robustness measures how far each weight can move, the others "
        "rescaled, before the recommendation changes.",
    )
    return MethodologySection(
        caveat=caveat,
        paragraphs=paragraphs,
        weights=rows,
        weights_changed=changed,
        weights_rationale=rationale,
        sources=sources,
        stale_after_days=days,
        stale_profiles=stale_profiles,
        versions=_versions(inputs),
    )


def _sources(inputs: MemoInputs) -> tuple[tuple[SourceGroup, ...], int]:
    order = {pid: i for i, pid in enumerate(inputs.shortlist)}
    groups: dict[tuple[str, str, str, str, str, str, bool], list[str]] = {}
    stale_profiles = 0
    for p in sorted(inputs.catalog, key=lambda p: (order.get(p.id, len(order)), p.name)):
        as_of = p.facts_as_of
        stale = as_of is not None and inputs.is_stale(as_of)
        stale_profiles += stale
        age = f"{(inputs.today - as_of).days} days" if as_of else "—"
        for s in p.sources:
            by = ", ".join(x for x in (_text(s.author), _text(s.publisher)) if x)
            kind = "primary" if s.kind == "primary" else "secondary"
            key = (
                clean(s.title),
                f"{by} ({kind} source)" if by else f"{kind} source",
                _text(s.source_date),
                _text(s.url),
                p.last_verified.isoformat() if p.last_verified else "not verified",
                age,
                stale,
            )
            groups.setdefault(key, []).append(clean(p.name))
    return (
        tuple(SourceGroup(tuple(dict.fromkeys(n)), *k) for k, n in groups.items()),
        stale_profiles,
    )


def _versions(inputs: MemoInputs) -> tuple[LabelValue, ...]:
    record = inputs.record
    stamps: Mapping[str, Mapping[str, str]] = record.questionnaires or inputs.qset.versions
    rows = [
        LabelValue(
            f"{'mandate' if kind == 'selection' else kind} questionnaire".capitalize(),
            f"version {clean(stamp.get('version', ''))}",
        )
        for kind, stamp in stamps.items()
    ]
    rows.append(
        LabelValue(
            "Provider data",
            f"version {clean(inputs.catalog.version_label)}, {plural(len(inputs.catalog), 'profile')}",
        )
    )
    return tuple(rows)
