"""Everything a memo template sees, built once and preformatted.

Templates only present: every label, date, ordering, "unknown — verify" marker and STALE flag
is decided here, from the evaluation the matching rules produced. Firms can restyle the memo
with their own templates without re-implementing any rule. Free text stays plain ``str``;
the template environment escapes it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from ddwizard import __version__
from ddwizard.core.answers import EVIDENCE_LABELS, Answer, AnswerSheet, applicable_values
from ddwizard.core.provider import JURISDICTION_LABELS, REGION_LABELS, Provider, ProviderCatalog
from ddwizard.core.questionnaire import (
    CRITERIA,
    CRITERION_LABELS,
    DEFAULT_WEIGHTS,
    Question,
    QuestionnaireSet,
    Severity,
    format_value,
)
from ddwizard.core.report.chart import ChartInput, ScoreChart, build_score_chart
from ddwizard.core.results import Evaluation, Finding, MandateWarning

DEFAULT_STALE_AFTER_DAYS = 365
UNKNOWN_TEXT = "unknown — verify"
CONFIDENTIALITY = (
    "Confidential. Prepared for the investment committee and its advisers only; not for "
    "distribution to providers or third parties."
)
SEVERITY_LABELS: Mapping[str, str] = {
    "critical": "Critical",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
}
STATUS_LABELS: Mapping[str, str] = {
    "in_progress": "in progress",
    "ready_for_review": "ready for review",
    "final": "final",
}
KIND_LABELS: Mapping[str, str] = {
    "crypto_native": "crypto-native",
    "traditional_finance": "traditional finance",
    "bank": "bank",
    "unknown": UNKNOWN_TEXT,
}
STANDING_LABELS: Mapping[str, str] = {
    "bank": "bank charter",
    "trust": "trust charter",
    "regulated": "regulated (non-bank, non-trust)",
    "unregistered": "not registered",
    "unknown": UNKNOWN_TEXT,
}
VERDICT_LABELS: Mapping[str, str] = {
    "stable": "Stable",
    "sensitive": "Sensitive to the weights",
    "not_applicable": "Not applicable",
}
MANDATE_SUMMARY_QUESTIONS = (
    "client.entity_type",
    "client.home_jurisdiction",
    "client.regions",
    "client.aum_usd_m",
    "reg.qualified_custodian",
    "reg.min_standing",
    "reg.bank_backed",
    "reg.licence_required_in",
    "assets.required",
    "assets.staking",
    "assets.staking_assets",
    "controls.key_tech",
    "controls.cold_storage_priority",
    "controls.policy_engine",
    "controls.min_approvers",
    "controls.insurance_required",
    "settlement.trade_from_custody",
    "settlement.instant_network",
    "fees.sensitivity",
    "fees.max_bps",
    "reporting.soc1",
    "reporting.soc2",
    "support.always_on",
)
MANDATE_LABELS: Mapping[str, str] = {
    "client.entity_type": "Institution type",
    "client.home_jurisdiction": "Domicile",
    "client.regions": "Regions to be served",
    "client.aum_usd_m": "Assets to hold in custody",
    "reg.qualified_custodian": "Qualified custodian required",
    "reg.min_standing": "Minimum regulatory standing",
    "reg.bank_backed": "Bank backing",
    "reg.licence_required_in": "Licence required in",
    "assets.required": "Assets",
    "assets.staking": "Staking from custody",
    "assets.staking_assets": "Assets to stake",
    "controls.key_tech": "Key technology",
    "controls.cold_storage_priority": "Cold storage",
    "controls.policy_engine": "Policy engine required",
    "controls.min_approvers": "Minimum approvers for withdrawals",
    "controls.insurance_required": "Insurance required",
    "settlement.trade_from_custody": "Trade from custody",
    "settlement.instant_network": "Instant settlement network",
    "fees.sensitivity": "Fee sensitivity",
    "fees.max_bps": "Maximum fee (bps on AUC)",
    "reporting.soc1": "SOC 1 Type II required",
    "reporting.soc2": "SOC 2 Type II required",
    "support.always_on": "24/7 operations desk",
}


STAMP_KEYS = ("id", "version", "hash")


# --- the review being reported on ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: str
    at: str
    actor: str
    action: str
    target: str
    change: str


@dataclass(frozen=True, slots=True)
class RetiredRow:
    key: str
    answer: str
    note: str


@dataclass(frozen=True)
class ReviewRecord:
    """Who, what and which versions: the traceable side of a memo.

    ``record_json`` is exactly the bytes embedded in the PDF as ``session.json`` (for a saved
    session, ``Session.to_json_bytes()``); the memo prints its SHA-256.
    """

    kind: Literal["session", "answers_file"]
    name: str | None
    preparer: str | None
    status: str
    record_json: bytes
    session_id: str | None = None
    source_label: str | None = None
    questionnaires: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    provider_data_hash: str = ""
    audit: tuple[AuditRow, ...] = ()
    retired: tuple[RetiredRow, ...] = ()
    """Answers to questions no longer in the questionnaires (kept in the record)."""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def record_sha256(self) -> str:
        return hashlib.sha256(self.record_json).hexdigest()


def record_from_session(session: Any) -> ReviewRecord:
    """The record of a saved ``ddwizard.core.sessions.session.Session``."""
    events = tuple(_audit_row(e) for e in getattr(session, "audit", ()) or ())
    stamps = {
        str(kind): {k: str(v) for k, v in _as_mapping(stamp).items() if k in STAMP_KEYS}
        for kind, stamp in (getattr(session, "questionnaires", {}) or {}).items()
    }
    return ReviewRecord(
        kind="session",
        name=session.name,
        preparer=session.preparer,
        status=str(getattr(session.status, "value", session.status)),
        record_json=session.to_json_bytes(),
        session_id=str(session.id),
        source_label=f"session {session.id}",
        questionnaires=stamps,
        provider_data_hash=str(getattr(session, "provider_data_hash", "") or ""),
        audit=events,
        retired=tuple(
            RetiredRow(
                str(key), _short(getattr(a, "value", a), 200), getattr(a, "note", None) or ""
            )
            for key, a in sorted((getattr(session, "retired_answers", {}) or {}).items())
        ),
        created_at=getattr(session, "created_at", None),
        updated_at=getattr(session, "updated_at", None),
    )


def record_from_answers_file(
    *,
    source_name: str,
    content: bytes,
    name: str | None,
    preparer: str | None,
    evaluation: Evaluation,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
) -> ReviewRecord:
    """A JSON record of an answers file: its text, the evaluation and the data hashes."""
    payload = {
        "kind": "ddwizard.answers_file_record",
        "tool_version": __version__,
        "answers_file": {
            "name": source_name,
            "sha256": hashlib.sha256(content).hexdigest(),
            "content": content.decode("utf-8", errors="replace"),
        },
        "questionnaires": qset.versions,
        "provider_data_hash": catalog.data_hash,
        "evaluation": evaluation.to_json(),
    }
    record_json = (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return ReviewRecord(
        kind="answers_file",
        name=name,
        preparer=preparer,
        status="in_progress",
        record_json=record_json,
        session_id=None,
        source_label=f"answers file {source_name}",
        questionnaires=qset.versions,
        provider_data_hash=catalog.data_hash,
    )


def _as_mapping(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        result = dump(mode="json")
        if isinstance(result, Mapping):
            return result
    return {}


def _audit_row(event: Any) -> AuditRow:
    at = getattr(event, "at", None)
    old = getattr(event, "old", None)
    new = getattr(event, "new", None)
    detail = getattr(event, "detail", None)
    parts: list[str] = []
    if old is not None or new is not None:
        parts.append(f"{_short(old)} → {_short(new)}")
    if detail:
        parts.append(_short(detail, 160))
    return AuditRow(
        seq=str(getattr(event, "seq", "")),
        at=at.strftime("%Y-%m-%d %H:%M UTC") if isinstance(at, datetime) else str(at or ""),
        actor=str(getattr(event, "actor", "") or ""),
        action=str(getattr(event, "action", "") or "").replace("_", " "),
        target=str(getattr(event, "target", "") or ""),
        change="; ".join(parts),
    )


def summarize_audit(rows: Sequence[AuditRow]) -> tuple[AuditRow, ...]:
    """Runs of the same action by the same person collapse into one row (full trail embedded)."""
    out: list[AuditRow] = []
    run: list[AuditRow] = []

    def flush() -> None:
        if not run:
            return
        if len(run) == 1:
            out.append(run[0])
        else:
            first, last = run[0], run[-1]
            targets = list(dict.fromkeys(r.target for r in run if r.target))
            shown = ", ".join(targets[:4]) + (", …" if len(targets) > 4 else "")
            at = first.at if first.at == last.at else f"{first.at} – {last.at}"
            out.append(
                AuditRow(
                    seq=f"{first.seq}–{last.seq}",
                    at=at,
                    actor=first.actor,
                    action=f"{first.action} ×{len(run)}",
                    target=f"{len(targets)} item(s)" if targets else "",
                    change=shown,
                )
            )
        run.clear()

    for row in rows:
        if run and (row.action != run[-1].action or row.actor != run[-1].actor):
            flush()
        run.append(row)
    flush()
    return tuple(out)


def _short(value: Any, limit: int = 60) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- what the templates see --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelValue:
    label: str
    value: str
    unknown: bool = False


@dataclass(frozen=True, slots=True)
class ProviderBrief:
    id: str
    name: str
    score: str
    rank: str


@dataclass(frozen=True, slots=True)
class RiskRow:
    severity: str
    severity_label: str
    subject: str
    message: str
    mitigation: str


@dataclass(frozen=True, slots=True)
class EligibilityRow:
    name: str
    eligible: bool
    status: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RankingRow:
    rank: str
    name: str
    total: str
    scores: tuple[str, ...]
    shortlisted: bool
    note: str


@dataclass(frozen=True, slots=True)
class SensitivityRow:
    criterion: str
    weight: str
    range: str
    below: str
    above: str


@dataclass(frozen=True, slots=True)
class CriterionRow:
    criterion: str
    weight: str
    score: str
    rating: str
    contribution: str
    reasons: str


@dataclass(frozen=True, slots=True)
class FindingRow:
    severity: str
    severity_label: str
    question: str
    message: str
    mitigation: str
    answer: str
    evidence: str
    document_date: str
    stale: bool


@dataclass(frozen=True, slots=True)
class SeverityGroup:
    severity: str
    label: str
    findings: tuple[FindingRow, ...]


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    question: str
    answer: str
    evidence: str
    document_date: str
    reference: str
    note: str
    stale: bool


@dataclass(frozen=True, slots=True)
class LicenceRow:
    jurisdiction: str
    regulator: str
    type: str
    entity: str
    entity_unknown: bool


@dataclass(frozen=True, slots=True)
class OpenItemGroup:
    """Open items sharing one reason, listed once: ``lead`` then the items."""

    lead: str
    items: tuple[str, ...]

    @property
    def text(self) -> str:
        """The items as one sentence: ``a; b; c.``"""
        return join_items(self.items)


@dataclass(frozen=True, slots=True)
class ProviderSection:
    id: str
    anchor: str
    """In-document link target (``provider-1``...), built here, never from user text."""
    name: str
    rank: str
    total: str
    recommended: bool
    blocked: bool
    summary: str
    best_for: str
    consider_if: str
    last_verified: str
    stale: bool
    facts: tuple[LabelValue, ...]
    licences: tuple[LicenceRow, ...]
    explanation: str
    criteria: tuple[CriterionRow, ...]
    finding_groups: tuple[SeverityGroup, ...]
    finding_count: int
    evidence: tuple[EvidenceRow, ...]
    """Every diligence answer; the memo prints them once, in the appendix."""
    open_items: tuple[str, ...]
    known_facts: tuple[LabelValue, ...] = ()
    """The profile facts the source states (``facts`` minus the unknown ones)."""
    unknown_facts: tuple[str, ...] = ()
    """Labels of the facts the source does not state: to verify with the provider."""
    open_item_groups: tuple[OpenItemGroup, ...] = ()
    """``open_items`` grouped by reason, each reason written once."""
    licence_groups: tuple[LicenceRow, ...] = ()
    """``licences`` with rows differing only by jurisdiction merged ("UK, EU, UAE")."""
    confirmed_items: tuple[str, ...] = ()
    """Profile gaps the diligence answers have closed, each with the answer that closed it."""


@dataclass(frozen=True, slots=True)
class RedFlagRow:
    subject: str
    severity: str
    severity_label: str
    message: str
    mitigation: str
    kind: str


@dataclass(frozen=True, slots=True)
class SourceRow:
    provider: str
    title: str
    publisher: str
    published: str
    url: str
    last_verified: str
    age: str
    stale: bool


@dataclass(frozen=True, slots=True)
class SourceGroup:
    """One source shared by several provider profiles with the same verification date."""

    providers: tuple[str, ...]
    title: str
    publisher: str
    published: str
    url: str
    last_verified: str
    age: str
    stale: bool


def group_sources(rows: Iterable[SourceRow]) -> tuple[SourceGroup, ...]:
    """Sources table rows merged when only the provider differs (order of first use kept)."""
    groups: dict[tuple[str, str, str, str, str, str, bool], list[str]] = {}
    for r in rows:
        key = (r.title, r.publisher, r.published, r.url, r.last_verified, r.age, r.stale)
        groups.setdefault(key, []).append(r.provider)
    return tuple(SourceGroup(tuple(dict.fromkeys(names)), *key) for key, names in groups.items())


@dataclass(frozen=True, slots=True)
class WeightRow:
    criterion: str
    weight: str
    default: str
    changed: bool


@dataclass(frozen=True, slots=True)
class AnswerRow:
    qid: str
    question: str
    answer: str
    note: str
    evidence: str
    state: Literal["answered", "not_applicable", "unanswered"]
    condition: str
    reconfirm: bool = False
    """The question changed since this answer was given: to be re-confirmed."""


@dataclass(frozen=True, slots=True)
class AnswerSection:
    title: str
    rows: tuple[AnswerRow, ...]


@dataclass(frozen=True, slots=True)
class AnswerGroup:
    title: str
    sections: tuple[AnswerSection, ...]


@dataclass(frozen=True, slots=True)
class StampRow:
    kind: str
    id: str
    version: str
    hash: str


@dataclass(frozen=True, slots=True)
class MemoContext:
    """The whole memo, preformatted. Templates read it as ``memo``."""

    title: str
    entity: str
    review_name: str
    preparer: str
    memo_date: str
    memo_date_iso: str
    generated_at: str
    source_label: str
    session_id: str
    status: Literal["DRAFT", "FINAL"]
    status_detail: str
    is_final: bool
    confidentiality: str
    tool_version: str
    # executive summary
    recommendation: ProviderBrief | None
    recommendation_reason: str
    alternates: tuple[ProviderBrief, ...]
    decision_requested: str
    top_risks: tuple[RiskRow, ...]
    robustness_verdict: str
    # mandate and results
    mandate: tuple[LabelValue, ...]
    eligibility: tuple[EligibilityRow, ...]
    eligible_count: int
    excluded_count: int
    criteria_labels: tuple[str, ...]
    ranking: tuple[RankingRow, ...]
    chart: ScoreChart
    robustness_summary: str
    robustness_margin: str
    sensitivities: tuple[SensitivityRow, ...]
    providers: tuple[ProviderSection, ...]
    red_flags: tuple[RedFlagRow, ...]
    mandate_warnings: tuple[RedFlagRow, ...]
    red_flag_table: tuple[RedFlagRow, ...]
    """Mandate warnings and findings together, most severe first (the red-flags section)."""
    general_open_items: tuple[str, ...]
    # methodology
    methodology: tuple[str, ...]
    weights: tuple[WeightRow, ...]
    sources: tuple[SourceRow, ...]
    stale_after_days: int
    stale_source_count: int
    # appendix
    answers: tuple[AnswerGroup, ...]
    ignored_answers: tuple[str, ...]
    retired_answers: tuple[RetiredRow, ...]
    audit: tuple[AuditRow, ...]
    audit_total: int
    audit_omitted: int
    signoff: tuple[str, ...]
    # integrity
    record_kind: str
    record_sha256: str
    provider_data_hash: str
    questionnaires: tuple[StampRow, ...]
    attachment_name: str
    source_groups: tuple[SourceGroup, ...] = ()
    """``sources`` with identical rows merged: the memo prints these."""


ATTACHMENT_NAME = "session.json"
MAX_AUDIT_ROWS = 400


def make_memo_context(
    *,
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    sheet: AnswerSheet,
    evaluation: Evaluation,
    record: ReviewRecord,
    today: date | None = None,
    now: datetime | None = None,
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS,
) -> MemoContext:
    """Build the memo context; pure apart from reading the clock when ``today`` is not given."""
    now = now or datetime.now().astimezone()
    today = today or now.date()
    names = _Names(catalog)
    applicable = applicable_values(qset, sheet.selection)

    entity = str(sheet.value("client.entity_name") or record.name or "Unnamed institution")
    is_final = record.status == "final"

    def brief(pid: str) -> ProviderBrief:
        ranked = evaluation.ranked(pid)
        return ProviderBrief(
            id=pid,
            name=names(pid),
            score=f"{ranked.total:.1f}" if ranked else "—",
            rank=str(ranked.rank) if ranked else "—",
        )

    recommendation = brief(evaluation.recommendation) if evaluation.recommendation else None
    alternates = tuple(brief(pid) for pid in evaluation.alternates)
    shortlist = _shortlist(evaluation)

    findings_sorted = sorted(
        evaluation.red_flags,
        key=lambda f: (-f.severity.rank, _order(shortlist, f.provider_id), f.question_id),
    )
    warnings_sorted = sorted(evaluation.warnings, key=lambda w: (-w.severity.rank, w.code))
    red_flags = tuple(_finding_risk(f, names, qset) for f in findings_sorted)
    mandate_warnings = tuple(_warning_risk(w) for w in warnings_sorted)
    # One table, most severe first; within a severity, the mandate's own warnings lead.
    ranked_rows = [
        (w.severity.rank, 0, row) for w, row in zip(warnings_sorted, mandate_warnings, strict=True)
    ]
    ranked_rows += [
        (f.severity.rank, 1, row) for f, row in zip(findings_sorted, red_flags, strict=True)
    ]
    red_flag_table = tuple(row for *_, row in sorted(ranked_rows, key=lambda t: (-t[0], t[1])))

    top_risks = _top_risks(findings_sorted, warnings_sorted, names, evaluation.recommendation)

    sections = tuple(
        _provider_section(
            catalog[pid],
            f"provider-{index}",
            evaluation,
            sheet,
            qset,
            applicable,
            today,
            stale_after_days,
            names,
        )
        for index, pid in enumerate((p for p in shortlist if p in catalog), start=1)
    )

    sources, stale_count = _sources(catalog, evaluation, shortlist, today, stale_after_days)
    answers = _answer_groups(qset, sheet, applicable, shortlist, names)
    audit = summarize_audit(record.audit)[-MAX_AUDIT_ROWS:]
    return MemoContext(
        title="Custody due-diligence memo",
        entity=entity,
        review_name=record.name or entity,
        preparer=record.preparer or "not recorded",
        memo_date=f"{today.day} {today:%B %Y}",
        memo_date_iso=today.isoformat(),
        generated_at=now.strftime("%Y-%m-%d %H:%M %Z").strip(),
        source_label=record.source_label or record.kind.replace("_", " "),
        session_id=record.session_id or "none (generated from an answers file)",
        status="FINAL" if is_final else "DRAFT",
        status_detail=STATUS_LABELS.get(record.status, record.status.replace("_", " ")),
        is_final=is_final,
        confidentiality=CONFIDENTIALITY,
        tool_version=__version__,
        recommendation=recommendation,
        recommendation_reason=evaluation.recommendation_reason,
        alternates=alternates,
        decision_requested=_decision(entity, recommendation, alternates, findings_sorted),
        top_risks=top_risks,
        robustness_verdict=VERDICT_LABELS.get(
            evaluation.robustness.verdict, evaluation.robustness.verdict
        ),
        mandate=_mandate(qset, sheet, applicable),
        eligibility=_eligibility(catalog, evaluation, names, shortlist),
        eligible_count=len(evaluation.eligible),
        excluded_count=len(evaluation.excluded),
        criteria_labels=tuple(CRITERION_LABELS[c] for c in CRITERIA),
        ranking=tuple(
            RankingRow(
                rank=str(r.rank),
                name=names(r.provider_id),
                total=f"{r.total:.1f}",
                scores=tuple(_criterion_score(r, c) for c in CRITERIA),
                shortlisted=r.provider_id in shortlist,
                note=_ranking_note(r.provider_id, evaluation),
            )
            for r in evaluation.eligible
        ),
        chart=build_score_chart(
            [
                ChartInput(
                    label=names(r.provider_id),
                    total=r.total,
                    scores={c.criterion: c.score for c in r.criteria},
                )
                for r in evaluation.eligible
            ],
            evaluation.weights,
        ),
        robustness_summary=evaluation.robustness.summary,
        robustness_margin=f"{evaluation.robustness.margin:.1f}",
        sensitivities=tuple(
            SensitivityRow(
                criterion=CRITERION_LABELS.get(s.criterion, s.criterion),
                weight=str(s.weight),
                range=f"{s.lowest:.0f} – {s.highest:.0f}",
                below=names(s.taker_below) if s.taker_below else "no change down to 0",
                above=names(s.taker_above) if s.taker_above else "no change up to 100",
            )
            for s in evaluation.robustness.sensitivities
        ),
        providers=sections,
        red_flags=red_flags,
        mandate_warnings=mandate_warnings,
        red_flag_table=red_flag_table,
        general_open_items=tuple(o.message for o in evaluation.open_items if o.provider_id is None),
        methodology=_methodology(evaluation, stale_after_days),
        weights=tuple(
            WeightRow(
                criterion=CRITERION_LABELS[c],
                weight=str(evaluation.weights.get(c, 0)),
                default=str(DEFAULT_WEIGHTS[c]),
                changed=evaluation.weights.get(c, 0) != DEFAULT_WEIGHTS[c],
            )
            for c in CRITERIA
        ),
        sources=sources,
        stale_after_days=stale_after_days,
        stale_source_count=stale_count,
        answers=answers,
        ignored_answers=tuple(evaluation.answers_ignored),
        retired_answers=record.retired,
        audit=audit,
        audit_total=len(record.audit),
        audit_omitted=max(0, len(summarize_audit(record.audit)) - len(audit)),
        signoff=("Prepared by", "Reviewed by (compliance)", "Approved by (investment committee)"),
        record_kind="session JSON" if record.kind == "session" else "answers-file record JSON",
        record_sha256=record.record_sha256,
        provider_data_hash=record.provider_data_hash or catalog.data_hash,
        questionnaires=tuple(
            StampRow(
                kind=kind,
                id=str(stamp.get("id", "")),
                version=str(stamp.get("version", "")),
                hash=str(stamp.get("hash", "")),
            )
            for kind, stamp in (record.questionnaires or qset.versions).items()
        ),
        attachment_name=ATTACHMENT_NAME,
        source_groups=group_sources(sources),
    )


# --- pieces --------------------------------------------------------------------------------


class _Names:
    def __init__(self, catalog: ProviderCatalog) -> None:
        self._catalog = catalog

    def __call__(self, provider_id: str | None) -> str:
        if provider_id is None:
            return "the mandate"
        provider = self._catalog.get(provider_id)
        return provider.name if provider else provider_id


def _shortlist(evaluation: Evaluation) -> tuple[str, ...]:
    if evaluation.shortlist:
        return tuple(evaluation.shortlist)
    return tuple(r.provider_id for r in evaluation.eligible[:3])


def _order(shortlist: Sequence[str], pid: str) -> int:
    return shortlist.index(pid) if pid in shortlist else len(shortlist)


def _criterion_score(ranked: Any, criterion: str) -> str:
    for c in ranked.criteria:
        if c.criterion == criterion:
            return f"{c.score:.0f}"
    return "—"


def _ranking_note(pid: str, evaluation: Evaluation) -> str:
    ranked = evaluation.ranked(pid)
    if pid == evaluation.recommendation:
        return "recommended"
    if ranked is not None and ranked.blocked_by:
        return "blocked: open critical finding"
    if pid in evaluation.alternates:
        return "alternate"
    return ""


def _severity_label(severity: Severity | str) -> str:
    value = getattr(severity, "value", severity)
    return SEVERITY_LABELS.get(str(value), str(value))


def _finding_risk(f: Finding, names: _Names, qset: QuestionnaireSet) -> RedFlagRow:
    return RedFlagRow(
        subject=names(f.provider_id),
        severity=f.severity.value,
        severity_label=_severity_label(f.severity),
        message=f.message,
        mitigation=f.mitigation or "",
        kind="provider finding",
    )


def _warning_risk(w: MandateWarning) -> RedFlagRow:
    return RedFlagRow(
        subject="Mandate",
        severity=w.severity.value,
        severity_label=_severity_label(w.severity),
        message=w.message,
        mitigation=w.mitigation or "",
        kind="mandate warning",
    )


def _top_risks(
    findings: Sequence[Finding],
    warnings: Sequence[MandateWarning],
    names: _Names,
    recommendation: str | None,
    limit: int = 6,
) -> tuple[RiskRow, ...]:
    scored: list[tuple[int, int, RiskRow]] = []
    for f in findings:
        if f.severity.rank < Severity.MEDIUM.rank:
            continue
        focus = 0 if f.provider_id == recommendation else 1
        scored.append(
            (
                -f.severity.rank,
                focus,
                RiskRow(
                    severity=f.severity.value,
                    severity_label=_severity_label(f.severity),
                    subject=names(f.provider_id),
                    message=f.message,
                    mitigation=f.mitigation or "",
                ),
            )
        )
    for w in warnings:
        if w.severity.rank < Severity.MEDIUM.rank:
            continue
        scored.append(
            (
                -w.severity.rank,
                0,
                RiskRow(
                    severity=w.severity.value,
                    severity_label=_severity_label(w.severity),
                    subject="Mandate",
                    message=w.message,
                    mitigation=w.mitigation or "",
                ),
            )
        )
    scored.sort(key=lambda t: (t[0], t[1]))
    return tuple(row for _, _, row in scored[:limit])


def _decision(
    entity: str,
    recommendation: ProviderBrief | None,
    alternates: Sequence[ProviderBrief],
    findings: Sequence[Finding],
) -> str:
    if recommendation is None:
        return (
            f"The committee is asked to note that no provider can be recommended for {entity} "
            "on the current answers, and to direct the open items and findings below to be "
            "resolved before the review is resubmitted."
        )
    open_high = [
        f
        for f in findings
        if f.provider_id == recommendation.id and f.severity.rank >= Severity.HIGH.rank
    ]
    text = f"The committee is asked to approve {recommendation.name} as custodian for {entity}"
    if open_high:
        count = len(open_high)
        text += (
            f", conditional on the remediation of, or a formal exception for, the {count} "
            f"high-severity finding{'s' if count != 1 else ''} listed in this memo"
        )
    if alternates:
        text += f", and to note {alternates[0].name} as the fallback"
    return text + "."


def _mandate(
    qset: QuestionnaireSet, sheet: AnswerSheet, applicable: Mapping[str, Any]
) -> tuple[LabelValue, ...]:
    rows: list[LabelValue] = []
    for qid in MANDATE_SUMMARY_QUESTIONS:
        q = qset.get(qid)
        if q is None or qid not in applicable:
            continue
        value = applicable[qid]
        rows.append(
            LabelValue(
                label=MANDATE_LABELS.get(qid, q.prompt),
                value=format_value(q, value),
                unknown=value == "unknown",
            )
        )
    weights = sheet.weights
    rows.append(
        LabelValue(
            label="Criterion weights",
            value=", ".join(f"{CRITERION_LABELS[c]} {weights[c]}" for c in CRITERIA),
        )
    )
    return tuple(rows)


def _eligibility(
    catalog: ProviderCatalog, evaluation: Evaluation, names: _Names, shortlist: Sequence[str]
) -> tuple[EligibilityRow, ...]:
    excluded = {e.provider_id: e for e in evaluation.excluded}
    rows: list[EligibilityRow] = []
    for r in evaluation.eligible:
        open_items = evaluation.open_items_for(r.provider_id)
        if not open_items:
            reasons: tuple[str, ...] = ()
        elif r.provider_id in shortlist:
            # Listed in full in the provider's own section: no need to repeat them here.
            reasons = (f"{len(open_items)} open item(s), listed in the provider section",)
        else:
            reasons = tuple(
                f"{g.lead}: {join_items(g.items)}"
                for g in group_open_items(o.message for o in open_items)
            )
        rows.append(
            EligibilityRow(
                name=names(r.provider_id),
                eligible=True,
                status=f"Eligible (rank {r.rank})",
                reasons=reasons,
            )
        )
    for p in catalog:
        if p.id in excluded:
            rows.append(
                EligibilityRow(
                    name=p.name, eligible=False, status="Excluded", reasons=excluded[p.id].reasons
                )
            )
    return tuple(rows)


def _provider_section(
    provider: Provider,
    anchor: str,
    evaluation: Evaluation,
    sheet: AnswerSheet,
    qset: QuestionnaireSet,
    applicable: Mapping[str, Any],
    today: date,
    stale_after_days: int,
    names: _Names,
) -> ProviderSection:
    ranked = evaluation.ranked(provider.id)
    weights = evaluation.weights
    criteria: tuple[CriterionRow, ...] = ()
    if ranked is not None:
        criteria = tuple(
            CriterionRow(
                criterion=CRITERION_LABELS.get(c.criterion, c.criterion),
                weight=str(weights.get(c.criterion, 0)),
                score=f"{c.score:.0f}",
                rating="not rated" if c.rating is None else f"{c.rating:g} / 5",
                contribution=f"{weights.get(c.criterion, 0) * c.score / 100:.1f}",
                reasons="; ".join(c.reasons),
            )
            for c in ranked.criteria
        )
    findings = sorted(
        evaluation.findings_for(provider.id), key=lambda f: (-f.severity.rank, f.question_id)
    )
    groups: list[SeverityGroup] = []
    for severity in sorted(Severity, key=lambda s: -s.rank):
        rows = tuple(
            _finding_row(f, qset, today, stale_after_days)
            for f in findings
            if f.severity == severity
        )
        if rows:
            groups.append(SeverityGroup(severity.value, _severity_label(severity), rows))
    answers = sheet.diligence.get(provider.id, {})
    evidence: list[EvidenceRow] = []
    for q in qset.diligence.questions():
        a = answers.get(q.id)
        if a is None:
            continue
        evidence.append(
            EvidenceRow(
                question=q.prompt,
                answer=format_value(q, a.value),
                evidence=EVIDENCE_LABELS.get(a.evidence or "", "not recorded"),
                document_date=a.document_date.isoformat() if a.document_date else "—",
                reference=a.reference or "",
                note=a.note or "",
                stale=_is_stale(a.document_date, today, stale_after_days),
            )
        )
    open_items = tuple(o.message for o in evaluation.open_items_for(provider.id))
    facts = provider_facts(provider)
    licences = tuple(
        LicenceRow(
            jurisdiction=JURISDICTION_LABELS.get(lic.jurisdiction, lic.jurisdiction.upper()),
            regulator=lic.regulator,
            type=lic.type or lic.kind.replace("_", " "),
            entity=lic.entity or UNKNOWN_TEXT,
            entity_unknown=not lic.entity,
        )
        for lic in provider.licences.listed
    )
    return ProviderSection(
        id=provider.id,
        anchor=anchor,
        name=provider.name,
        rank=str(ranked.rank) if ranked else "—",
        total=f"{ranked.total:.1f}" if ranked else "—",
        recommended=provider.id == evaluation.recommendation,
        blocked=bool(ranked and ranked.blocked_by),
        summary=provider.summary or "",
        best_for=provider.best_for,
        consider_if=provider.consider_if,
        last_verified=provider.last_verified.isoformat(),
        stale=_is_stale(provider.last_verified, today, stale_after_days),
        facts=facts,
        licences=licences,
        explanation=ranked.explanation if ranked else "Not ranked: excluded by the mandate.",
        criteria=criteria,
        finding_groups=tuple(groups),
        finding_count=len(findings),
        evidence=tuple(evidence),
        open_items=open_items,
        known_facts=tuple(f for f in facts if not f.unknown),
        unknown_facts=tuple(f.label for f in facts if f.unknown),
        open_item_groups=group_open_items(open_items),
        licence_groups=group_licences(licences),
        confirmed_items=tuple(c.message for c in evaluation.confirmed_for(provider.id)),
    )


def group_licences(rows: Iterable[LicenceRow]) -> tuple[LicenceRow, ...]:
    """Licence rows that differ only by jurisdiction merged into one ("UK, EU, UAE")."""
    groups: dict[tuple[str, str, str, bool], list[str]] = {}
    for r in rows:
        groups.setdefault((r.regulator, r.type, r.entity, r.entity_unknown), []).append(
            r.jurisdiction
        )
    return tuple(
        LicenceRow(", ".join(dict.fromkeys(places)), regulator, kind, entity, unknown)
        for (regulator, kind, entity, unknown), places in groups.items()
    )


_NOT_STATED = re.compile(
    r"^Confirm with the provider: (?P<what>.+) \(not stated in the profile, (?P<when>[^()]*)\)$"
)
_ANSWERED = re.compile(r"^Confirm with the provider: (?P<what>.+) \((?P<how>answered [^()]*)\)$")


def join_items(items: Iterable[str]) -> str:
    """``a; b; c.``: one sentence, without doubling a question's own punctuation."""
    text = "; ".join(items)
    return text if text.endswith((".", "?", "!")) else text + "."


def group_open_items(messages: Iterable[str]) -> tuple[OpenItemGroup, ...]:
    """Open items grouped by their shared reason, so each reason is written once.

    "Confirm with the provider: X (not stated in the profile, last verified D)" items become
    one group led by the reason, listing every X; any other message is kept whole.
    """
    groups: dict[str, list[str]] = {}
    for message in messages:
        if match := _NOT_STATED.match(message):
            lead = f"Not stated in the profile ({match['when']}), confirm with the provider"
            groups.setdefault(lead, []).append(match["what"])
        elif match := _ANSWERED.match(message):
            lead = f"Diligence question {match['how']}, confirm with the provider"
            groups.setdefault(lead, []).append(match["what"])
        else:
            groups.setdefault("Other open items", []).append(message)
    return tuple(OpenItemGroup(lead, tuple(items)) for lead, items in groups.items())


def _finding_row(f: Finding, qset: QuestionnaireSet, today: date, days: int) -> FindingRow:
    q = qset.get(f.question_id)
    doc_date = _parse_date(f.document_date)
    # A stale-evidence message already quotes its question and answer.
    restate = f.source != "stale_evidence"
    return FindingRow(
        severity=f.severity.value,
        severity_label=_severity_label(f.severity),
        question=(q.prompt if q else f.question_id) if restate else "",
        message=f.message,
        mitigation=f.mitigation or "",
        answer=format_value(q, f.answer) if restate and q and f.answer is not None else "",
        evidence=EVIDENCE_LABELS.get(f.evidence or "", "not recorded"),
        document_date=doc_date.isoformat() if doc_date else "—",
        stale=f.source == "stale_evidence" or _is_stale(doc_date, today, days),
    )


def provider_facts(p: Provider) -> tuple[LabelValue, ...]:
    """Profile facts in memo order; unknown facts read "unknown — verify"."""
    km = p.key_management
    regions = p.regions.served
    rows = [
        ("Legal entity", p.legal_entity),
        ("Parent / backing", p.parent),
        ("Kind", KIND_LABELS.get(p.kind, p.kind)),
        ("Regulatory standing", STANDING_LABELS.get(p.standing, p.standing)),
        ("Qualified custodian", p.qualified_custodian),
        ("Bank-backed", p.bank_backed),
        (
            "Regions served",
            "unknown"
            if regions == "unknown"
            else ", ".join(REGION_LABELS.get(r, r) for r in regions),
        ),
        ("Cold storage", km.cold_storage),
        ("Air-gapped", km.air_gapped),
        ("HSM", km.hsm),
        ("MPC", km.mpc),
        ("Multisig", km.multisig),
        ("Segregated wallets", km.segregated_wallets),
        ("Policy engine", km.policy_engine),
        ("SOC 1 Type II", p.audits.soc1_type2),
        ("SOC 2 Type II", p.audits.soc2_type2),
        ("Insurance", p.insurance.available),
        ("Staking", p.staking.available),
        (
            "Staking assets",
            "unknown"
            if p.staking.assets == "unknown"
            else ", ".join(a.upper() for a in p.staking.assets) or "none listed",
        ),
        ("Governance", p.governance),
        ("Integrated trading", p.execution.integrated_trading),
        ("Trade from custody", p.execution.trade_from_custody),
        ("Prime brokerage", p.execution.prime_brokerage),
        ("OTC / RFQ", p.execution.otc_rfq),
        ("Settlement network", p.execution.settlement_network),
        ("Instant settlement", p.execution.instant_settlement),
        ("Fee model", p.fees.model),
        (
            "Custody fee (bps on AUC)",
            "unknown" if p.fees.auc_bps == "unknown" else f"{p.fees.auc_bps:g}",
        ),
        ("Published fee schedule", p.fees.published_schedule),
        ("Network fees", p.fees.network_fees.replace("_", " ")),
        ("24/7 support", p.support.always_on),
        ("Named account team", p.support.white_glove),
        ("API", p.support.api),
    ]
    return tuple(_fact(label, value) for label, value in rows)


def _fact(label: str, value: Any) -> LabelValue:
    text = str(value)
    if text == "unknown" or text == UNKNOWN_TEXT:
        return LabelValue(label, UNKNOWN_TEXT, unknown=True)
    return LabelValue(label, {"yes": "Yes", "no": "No"}.get(text, text))


def _sources(
    catalog: ProviderCatalog,
    evaluation: Evaluation,
    shortlist: Sequence[str],
    today: date,
    days: int,
) -> tuple[tuple[SourceRow, ...], int]:
    ranked_ids = [r.provider_id for r in evaluation.eligible]
    order = {pid: i for i, pid in enumerate([*shortlist, *ranked_ids])}
    rows: list[SourceRow] = []
    stale_count = 0
    for p in sorted(catalog, key=lambda p: (order.get(p.id, len(order)), p.name)):
        stale = _is_stale(p.last_verified, today, days)
        stale_count += stale
        age = (today - p.last_verified).days
        for s in p.sources:
            rows.append(
                SourceRow(
                    provider=p.name,
                    title=s.title,
                    publisher=s.publisher or "",
                    published=s.published or "",
                    url=s.url or "",
                    last_verified=p.last_verified.isoformat(),
                    age=f"{age} days" if age >= 0 else "future date",
                    stale=stale,
                )
            )
    return tuple(rows), stale_count


def _methodology(evaluation: Evaluation, days: int) -> tuple[str, ...]:
    return (
        "Eligibility applies the mandate's hard filters (regions served, qualified-custodian "
        "status, minimum regulatory standing, bank backing, licences, staking, trading from "
        "custody, instant settlement and SOC reports). A provider is excluded only on a known "
        "negative; an undisclosed fact becomes an open item to verify with the provider. "
        "Regions and licences are closed lists: what a profile does not record is not covered.",
        "Each eligible provider is scored 0-100 per criterion, starting from the profile's "
        "0-5 rating and adjusted for fit with the mandate; the total is the weighted sum with "
        "the weights below. Bars in the score chart show each criterion's contribution "
        "(weight × score / 100). Scores read the sourced profiles only, so the ranking does not "
        "move with the diligence answers: what diligence finds is reported as red flags, and "
        "the profile gaps it settles are listed as closed with each provider.",
        "Robustness measures how far each weight can move, the others rescaled, before the "
        "recommendation changes. Red flags come from the diligence answers (critical, high, "
        "medium, low) and from the mandate itself. A provider with an open critical finding "
        "is never recommended; ties are broken deterministically.",
        f"Provider facts whose last verification is more than {days} days before the memo "
        "date, and diligence documents dated more than that, are marked STALE and should be "
        "re-verified before reliance.",
    )


def _answer_groups(
    qset: QuestionnaireSet,
    sheet: AnswerSheet,
    applicable: Mapping[str, Any],
    shortlist: Sequence[str],
    names: _Names,
) -> tuple[AnswerGroup, ...]:
    from ddwizard.core.answers import diligence_lookup

    groups = [
        AnswerGroup(
            title=f"Mandate ({qset.selection.title})",
            sections=_answer_sections(
                qset.selection.sections,
                sheet.selection,
                lambda q: q.id in applicable or _shown(qset, q, lambda qid: applicable.get(qid)),
                qset,
            ),
        )
    ]
    for pid in dict.fromkeys([*shortlist, *sheet.diligence]):
        answers = sheet.diligence.get(pid, {})
        lookup = diligence_lookup(qset, applicable, answers)
        groups.append(
            AnswerGroup(
                title=f"Diligence: {names(pid)}",
                sections=_answer_sections(
                    qset.diligence.sections,
                    answers,
                    lambda q, lookup=lookup: _shown(qset, q, lookup),  # type: ignore[misc]
                    qset,
                ),
            )
        )
    return tuple(groups)


def _shown(qset: QuestionnaireSet, q: Question, lookup: Any) -> bool:
    return qset.is_shown(q, lookup)


def _answer_sections(
    sections: Iterable[Any], answers: Mapping[str, Answer], shown: Any, qset: QuestionnaireSet
) -> tuple[AnswerSection, ...]:
    out: list[AnswerSection] = []
    for section in sections:
        rows: list[AnswerRow] = []
        for q in section.questions:
            a = answers.get(q.id)
            is_shown = bool(shown(q))
            condition = qset.describe_condition(q.show_if) if q.show_if is not None else ""
            if not is_shown:
                text = "not applicable"
                if a is not None:
                    text += f" (answer kept in the record: {format_value(q, a.value)})"
                rows.append(
                    AnswerRow(
                        q.id,
                        q.prompt,
                        text,
                        a.note or "" if a else "",
                        "",
                        "not_applicable",
                        condition,
                    )
                )
            elif a is None:
                rows.append(
                    AnswerRow(q.id, q.prompt, "not answered", "", "", "unanswered", condition)
                )
            else:
                evidence = ""
                if a.evidence:
                    evidence = EVIDENCE_LABELS.get(a.evidence, a.evidence)
                if a.document_date:
                    evidence = f"{evidence}, dated {a.document_date.isoformat()}".lstrip(", ")
                if a.reference:
                    evidence = f"{evidence}; ref. {a.reference}".lstrip("; ")
                rows.append(
                    AnswerRow(
                        q.id,
                        q.prompt,
                        format_value(q, a.value),
                        a.note or "",
                        evidence,
                        "answered",
                        condition,
                        reconfirm=a.needs_reconfirmation,
                    )
                )
        out.append(AnswerSection(section.title, tuple(rows)))
    return tuple(out)


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _is_stale(when: date | None, today: date, days: int) -> bool:
    return when is not None and (today - when).days > days
