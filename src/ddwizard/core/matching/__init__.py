"""The matching engine: from a mandate, provider profiles and diligence answers to a decision.

``evaluate`` is pure (no I/O) and deterministic. Steps, each in its own module:

1. ``mandate``: read the applicable selection answers once into a small ``Mandate``.
2. ``eligibility``: hard filters; exclusion only on a known negative, unknowns become open items.
3. ``scoring``: criterion scores (rating x 20, adjusted for mandate fit) and the ranking.
4. ``redflags``: findings from diligence answers; ``mandate_warnings``: mistakes in the mandate.
5. Shortlist and recommendation (here): the shortlist is the one given, kept to its eligible
   providers in rank order, else the top three eligible. We recommend only among shortlisted
   providers, i.e. those that go through diligence: the best-ranked shortlisted provider with
   no open critical finding. Alternates are the next recommendable shortlisted providers, then
   the next recommendable eligible ones.
6. ``robustness``: how far each weight can move before the recommendation changes.
"""

from __future__ import annotations

import datetime as _dt
import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from ddwizard.core.answers import AnswerSheet, applicable_values, diligence_lookup
from ddwizard.core.matching import eligibility, redflags, robustness, scoring
from ddwizard.core.matching.confirmations import split_confirmed
from ddwizard.core.matching.mandate import Mandate
from ddwizard.core.matching.mandate_warnings import mandate_warnings, shortlist_warnings
from ddwizard.core.provider import Provider, ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.settings import DEFAULT_SETTINGS, Settings
from ddwizard.core.results import (
    ConfirmedItem,
    Evaluation,
    Exclusion,
    Finding,
    OpenItem,
    RankedProvider,
)

DEFAULT_SHORTLIST_SIZE = 3
MAX_ALTERNATES = 2

__all__ = ["DEFAULT_SHORTLIST_SIZE", "Mandate", "evaluate"]


def _ignored_selection(
    qset: QuestionnaireSet, sheet: AnswerSheet, applicable: Mapping[str, object]
) -> list[str]:
    notes: list[str] = []
    for qid in sheet.selection:
        question = qset.get(qid)
        if question is None or qid in applicable:
            continue
        cond = question.show_if
        why = f" (shown only when {cond.describe()})" if cond else ""
        notes.append(f"answer to '{qid}' is ignored: the question does not apply{why}")
    return notes


def _critical(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f.blocks_recommendation)


def _blocked_text(provider: Provider, blocked: Sequence[Finding]) -> str:
    what = "; ".join(f"{f.message} ({f.question_id})" for f in blocked)
    return f"{provider.name} has an open critical finding: {what}"


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while results are built.

    Scoring allocates many small objects that never form cycles (reference counting frees
    them); with the collector on, each threshold crossing re-traverses the whole heap,
    including a large provider catalog, which makes 10,000 providers cost twice as much per
    provider as 1,000. The previous state is restored, even on error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def evaluate(
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    sheet: AnswerSheet,
    *,
    today: _dt.date | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> Evaluation:
    """Eligibility, ranking, red flags, warnings, recommendation and robustness for one review.

    Pure and deterministic: no I/O; ``today`` (default: the current date) only dates evidence,
    and ``settings`` says when a document is too old to count.
    """
    with _cyclic_gc_paused():
        return _evaluate(qset, catalog, sheet, today or _dt.date.today(), settings)


def _evaluate(
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    sheet: AnswerSheet,
    today: _dt.date,
    settings: Settings,
) -> Evaluation:
    values = applicable_values(qset, sheet.selection)
    ignored = _ignored_selection(qset, sheet, values)
    weights = sheet.weights
    mandate = Mandate.from_values(values, weights)
    names = {p.id: p.name for p in catalog}

    eligible_providers: list[Provider] = []
    excluded: list[Exclusion] = []
    open_by_provider: dict[str, list[OpenItem]] = {}
    for provider in catalog:
        result = eligibility.check(provider, mandate)
        if result.reasons:
            excluded.append(Exclusion(provider.id, result.reasons))
        else:
            eligible_providers.append(provider)
            open_by_provider[provider.id] = list(result.open_items)

    scores = []
    for provider in eligible_providers:
        scored = scoring.score_provider(provider, mandate)
        items = open_by_provider[provider.id]
        seen = {(o.topic, o.question_id) for o in items}
        items.extend(o for o in scored.open_items if (o.topic, o.question_id) not in seen)
        scores.append(scored)

    findings_by_provider: dict[str, tuple[Finding, ...]] = {}
    diligence_items: dict[str, tuple[OpenItem, ...]] = {}

    def run_diligence(provider_id: str, shortlisted: bool) -> None:
        result = redflags.provider_diligence(
            qset,
            provider_id,
            names.get(provider_id, provider_id),
            values,
            sheet.diligence.get(provider_id, {}),
            today=today,
            shortlisted=shortlisted,
        )
        findings_by_provider[provider_id] = result.findings
        diligence_items[provider_id] = result.open_items
        if not shortlisted:
            ignored.extend(result.ignored)

    for provider_id in sorted(sheet.diligence):
        if provider_id in names and sheet.diligence[provider_id]:
            run_diligence(provider_id, shortlisted=False)

    open_counts = {
        pid: len(items) + len(diligence_items.get(pid, ()))
        for pid, items in open_by_provider.items()
    }
    ranked = scoring.rank(scores, weights, open_counts)
    rank_of = {r.score.provider.id: i for i, r in enumerate(ranked)}

    eligible_ids = [r.score.provider.id for r in ranked]
    if sheet.shortlist is not None:
        shortlist = tuple(
            sorted((p for p in sheet.shortlist if p in rank_of), key=rank_of.__getitem__)
        )
    else:
        shortlist = tuple(eligible_ids[:DEFAULT_SHORTLIST_SIZE])
    for provider_id in shortlist:
        run_diligence(provider_id, shortlisted=True)

    blocked = {pid: _critical(findings_by_provider.get(pid, ())) for pid in eligible_ids}
    entries: list[RankedProvider] = []
    for i, r in enumerate(ranked):
        pid = r.score.provider.id
        explanation = scoring.explain_rank(ranked, i, weights)
        if blocked[pid]:
            explanation += (
                " It cannot be recommended until its critical finding is resolved: "
                + "; ".join(f"{f.message} ({f.question_id})" for f in blocked[pid])
                + "."
            )
        entries.append(
            RankedProvider(
                provider_id=pid,
                rank=i + 1,
                total=r.total,
                criteria=r.score.criteria,
                explanation=explanation,
                blocked_by=blocked[pid],
            )
        )

    recommendation: str | None = None
    passed_over: list[str] = []
    for pid in shortlist:
        if blocked[pid]:
            passed_over.append(pid)
            continue
        recommendation = pid
        break
    reason = _recommendation_reason(
        recommendation,
        passed_over,
        shortlist,
        eligible_ids,
        entries,
        catalog,
        sheet.shortlist is not None,
    )

    recommendable = [
        p for p in (shortlist if sheet.shortlist is not None else eligible_ids) if not blocked[p]
    ]
    alternates: list[str] = []
    if recommendation is not None:
        alternates = [p for p in shortlist if p != recommendation and not blocked[p]][
            :MAX_ALTERNATES
        ]
        for pid in eligible_ids:
            if len(alternates) >= MAX_ALTERNATES:
                break
            if pid != recommendation and pid not in alternates and not blocked[pid]:
                alternates.append(pid)

    values_of = {r.score.provider.id: r.score.values for r in ranked}
    robust = robustness.analyse(
        weights,
        (recommendation, values_of[recommendation]) if recommendation else None,
        [(p, values_of[p]) for p in recommendable if p != recommendation],
        names,
    )

    warnings = mandate_warnings(mandate, list(catalog), eligible_providers)
    warnings += shortlist_warnings(sheet.shortlist, excluded, names)

    catalog_order = {pid: i for i, pid in enumerate(catalog.ids)}

    def provider_order(pid: str | None) -> tuple[int, int]:
        if pid is None:
            return (0, 0)
        if pid in rank_of:
            return (1, rank_of[pid])
        return (2, catalog_order.get(pid, len(catalog_order)))

    question_order = {q.id: i for i, q in enumerate(qset.diligence.questions())}
    all_findings = [f for fs in findings_by_provider.values() for f in fs]
    all_findings.sort(
        key=lambda f: (
            -f.severity.rank,
            provider_order(f.provider_id),
            question_order.get(f.question_id, 0),
            f.source,
        )
    )
    open_items: list[OpenItem] = []
    confirmed: list[ConfirmedItem] = []
    for pid in sorted(set(open_by_provider) | set(diligence_items), key=provider_order):
        profile_items = open_by_provider.get(pid, [])
        answers = sheet.diligence.get(pid, {})
        if answers and profile_items:
            profile_items, closed = split_confirmed(
                profile_items,
                answers,
                qset,
                shown=diligence_lookup(qset, values, answers),
                stale_before=settings.stale_before(today),
            )
            confirmed.extend(closed)
        open_items.extend(profile_items)
        open_items.extend(diligence_items.get(pid, ()))

    return Evaluation(
        weights=dict(weights),
        eligible=tuple(entries),
        excluded=tuple(excluded),
        recommendation=recommendation,
        recommendation_reason=reason,
        alternates=tuple(alternates),
        shortlist=shortlist,
        red_flags=tuple(all_findings),
        open_items=tuple(open_items),
        warnings=tuple(warnings),
        robustness=robust,
        answers_ignored=tuple(ignored),
        confirmed_items=tuple(confirmed),
    )


def _recommendation_reason(
    recommendation: str | None,
    passed_over: Sequence[str],
    shortlist: Sequence[str],
    eligible_ids: Sequence[str],
    entries: Sequence[RankedProvider],
    catalog: ProviderCatalog,
    explicit_shortlist: bool,
) -> str:
    by_id = {e.provider_id: e for e in entries}
    passed = " ".join(
        f"{_blocked_text(catalog[p], by_id[p].blocked_by)}, so it is passed over despite ranking "
        f"{by_id[p].rank}."
        for p in passed_over
    )
    if recommendation is None:
        if not eligible_ids:
            return "No recommendation: no provider meets every hard requirement of the mandate."
        if not shortlist:
            return "No recommendation: none of the shortlisted providers is eligible."
        return f"No recommendation: every shortlisted provider has an open critical finding. {passed}".strip()
    entry = by_id[recommendation]
    name = catalog[recommendation].name
    which = "shortlisted" if explicit_shortlist else "eligible"
    text = (
        f"{name} is the best-ranked {which} provider without an open critical red flag "
        f"(rank {entry.rank} of {len(eligible_ids)}, total {entry.total:.1f})."
    )
    above = [p for p in eligible_ids[: entry.rank - 1] if p not in shortlist]
    if above:
        text += (
            " We recommend only among shortlisted providers (those that go through diligence); "
            f"not shortlisted: {', '.join(catalog[p].name for p in above)}."
        )
    if passed:
        text += " " + passed
    return text
