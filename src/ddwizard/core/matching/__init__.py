"""The matching engine: from a mandate, provider profiles and diligence answers to a decision.

``evaluate`` is pure (no I/O) and deterministic, and follows DECISIONS.md. Steps, each in its
own module:

1. ``mandate``: read the applicable selection answers once into a small ``Mandate``.
2. ``eligibility`` / ``requirements``: every hard requirement met, unconfirmed or breached per
   provider (profile facts via the ``facts`` table, current documentary diligence answers
   confirm, contradicting answers breach); tiers meets / conditional / excluded.
3. ``scoring``: criterion scores from the written ``rubric``; ranking by tier, then score.
4. ``redflags``: findings judged against the mandate; ``mandate_warnings``: mistakes in the
   mandate itself (including weights that do not fit it).
5. Shortlist and recommendation (``decision``): the default shortlist and the alternates come
   from the first tier, then the second, never from outside an explicit shortlist; a provider
   confirming none of the hard requirements is never recommended. The recommendation has a
   status (supported / provisional / none) with its conditions listed one by one.
6. ``robustness``: how far each weight can move before the recommendation changes.
"""

from __future__ import annotations

import datetime as _dt
import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ddwizard.core.answers import Answer, AnswerSheet, applicable_values, diligence_lookup
from ddwizard.core.matching import (
    decision,
    eligibility,
    redflags,
    requirements,
    robustness,
    scoring,
)
from ddwizard.core.matching.confirmations import confirmed_requirements, split_confirmed
from ddwizard.core.matching.mandate import Mandate
from ddwizard.core.matching.mandate_warnings import (
    mandate_warnings,
    shortlist_warnings,
    weight_warnings,
)
from ddwizard.core.matching.rubric import Rubric, default_rubric
from ddwizard.core.provider import Provider, ProviderCatalog
from ddwizard.core.questionnaire import QuestionnaireSet
from ddwizard.core.results import (
    ConfirmedItem,
    DiligenceProgress,
    Evaluation,
    Exclusion,
    Finding,
    OpenItem,
    RankedProvider,
    Tier,
    Topic,
    Unconfirmed,
)
from ddwizard.core.settings import DEFAULT_SETTINGS, Settings

DEFAULT_SHORTLIST_SIZE = decision.DEFAULT_SHORTLIST_SIZE
MAX_ALTERNATES = decision.MAX_ALTERNATES

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


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while results are built.

    Scoring allocates many small objects that never form cycles (reference counting frees
    them); with the collector on, each threshold crossing re-traverses the whole heap,
    including a large provider catalog, which makes 10,000 providers cost twice as much per
    provider as 1,000. The previous state is restored, even on error.

    On the way out, everything built meanwhile (hundreds of thousands of result objects for a
    large catalog, all still referenced by the evaluation) would sit in the youngest
    generation, and the first allocation after re-enabling would traverse all of it to find
    nothing to free (0.1-0.2 s for 10,000 providers). ``freeze`` + ``unfreeze`` instead moves
    every tracked object to the oldest generation in constant time, where a later full
    collection still examines it: nothing is kept alive that would otherwise be freed. Skipped
    when the caller has frozen objects itself (``unfreeze`` would release them).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def evaluate(
    qset: QuestionnaireSet,
    catalog: ProviderCatalog,
    sheet: AnswerSheet,
    *,
    today: _dt.date | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    rubric: Rubric | None = None,
) -> Evaluation:
    """Tiers, ranking, red flags, warnings, recommendation with its status, and robustness.

    Pure and deterministic: no I/O (the bundled ``rubric`` is read once and cached when none
    is given); ``today`` (default: the current date) dates evidence, and ``settings`` says
    when a document is too old to count.
    """
    with _cyclic_gc_paused():
        review = _Review(
            qset, catalog, sheet, today or _dt.date.today(), settings, rubric or default_rubric()
        )
        return review.run()


def _applicable_answers(
    qset: QuestionnaireSet, values: Mapping[str, Any], answers: Mapping[str, Answer]
) -> dict[str, Answer]:
    lookup = diligence_lookup(qset, values, answers)
    return {
        qid: a
        for qid, a in answers.items()
        if qid in qset and qset.is_shown(qset.question(qid), lookup)
    }


@dataclass
class _Review:
    """One evaluation, step by step (each method one step of the module docstring)."""

    qset: QuestionnaireSet
    catalog: ProviderCatalog
    sheet: AnswerSheet
    today: _dt.date
    settings: Settings
    rubric: Rubric
    values: dict[str, Any] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    screened: dict[str, eligibility.EligibilityResult] = field(default_factory=dict)
    findings: dict[str, tuple[Finding, ...]] = field(default_factory=dict)
    diligence_items: dict[str, tuple[OpenItem, ...]] = field(default_factory=dict)
    progress: dict[str, DiligenceProgress] = field(default_factory=dict)
    gaps: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def run(self) -> Evaluation:
        self.values = applicable_values(self.qset, self.sheet.selection)
        self.ignored = _ignored_selection(self.qset, self.sheet, self.values)
        weights = self.sheet.weights
        mandate = Mandate.from_values(self.values, weights)
        active = requirements.active(mandate)
        related = redflags.mandate_related(
            self.qset, self.values, requirements.diligence_questions(active)
        )
        names = {p.id: p.name for p in self.catalog}
        eligible, excluded = self._screen(mandate, active)
        scoring_plan = scoring.plan(self.rubric, mandate)
        cache = scoring.ScoreCache(scoring_plan)
        scores = [
            scoring.score_provider(p, mandate, self.rubric, scoring_plan, cache) for p in eligible
        ]
        open_by_provider = self._open_items(scores)

        for pid in sorted(self.sheet.diligence):
            if pid in names and self.sheet.diligence[pid]:
                self._diligence(pid, names[pid], related, shortlisted=False)
        open_counts = {
            pid: len(items) + len(self.diligence_items.get(pid, ()))
            for pid, items in open_by_provider.items()
        }
        group = {
            pid: 2 * r.tier.order + (0 if r.profiled else 1)
            for pid, r in self.screened.items()
            if r.eligible
        }
        ranked = scoring.rank(scores, weights, open_counts, group)
        profiled = {pid: r.profiled for pid, r in self.screened.items()}
        shortlist = decision.shortlist(ranked, self.sheet.shortlist, profiled)
        for pid in shortlist:
            self._diligence(pid, names[pid], related, shortlisted=True)

        entries = self._entries(ranked, weights)
        choice = decision.choose(entries, shortlist, self.sheet.shortlist is not None)
        shortlist_excluded = tuple(
            pid
            for pid in dict.fromkeys(self.sheet.shortlist or ())
            if pid in self.screened and self.screened[pid].tier == Tier.EXCLUDED
        )
        status, conditions = decision.status(
            choice.recommendation,
            entries,
            self.findings,
            self.gaps,
            names,
            decision.weights_condition(self.sheet),
            shortlist,
            shortlist_excluded,
        )
        reason = decision.reason(
            choice,
            status,
            conditions,
            entries,
            shortlist,
            names,
            self.progress,
            self.sheet.shortlist is not None,
        )
        robust = self._robustness(weights, ranked, entries, choice, names)
        warnings = mandate_warnings(mandate, list(self.catalog), eligible)
        warnings += weight_warnings(mandate, self.sheet)
        warnings += shortlist_warnings(self.sheet.shortlist, excluded, names)
        order = self._provider_order(entries)
        open_items, confirmed = self._settle(open_by_provider, order)
        return Evaluation(
            weights=dict(weights),
            eligible=tuple(entries),
            excluded=tuple(excluded),
            recommendation=choice.recommendation,
            recommendation_reason=reason,
            alternates=choice.alternates,
            shortlist=shortlist,
            red_flags=tuple(self._sorted_findings(order)),
            open_items=tuple(open_items),
            warnings=tuple(warnings),
            robustness=robust,
            answers_ignored=tuple(self.ignored),
            confirmed_items=tuple(confirmed),
            recommendation_status=status,
            conditions=conditions,
            not_profiled=tuple(e.provider_id for e in entries if not e.profiled),
            diligence_progress={
                pid: self.progress[pid] for pid in shortlist if pid in self.progress
            },
            rubric_version=self.rubric.version,
            shortlist_excluded=shortlist_excluded,
        )

    # -- step 2: tiers ----------------------------------------------------------------------

    def _screen(
        self, mandate: Mandate, active: tuple[requirements.Requirement, ...]
    ) -> tuple[list[Provider], list[Exclusion]]:
        eligible: list[Provider] = []
        excluded: list[Exclusion] = []
        shared: dict[tuple[str, str, str], Unconfirmed] = {}
        for provider in self.catalog:
            answers = self.sheet.diligence.get(provider.id)
            applicable = _applicable_answers(self.qset, self.values, answers) if answers else None
            result = eligibility.check(
                provider,
                mandate,
                active,
                answers=applicable,
                qset=self.qset,
                settings=self.settings,
                today=self.today,
                shared=shared,
            )
            self.screened[provider.id] = result
            if result.tier == Tier.EXCLUDED:
                excluded.append(Exclusion(provider.id, result.reasons, result.checks))
            else:
                eligible.append(provider)
        return eligible, excluded

    def _open_items(self, scores: list[scoring.ProviderScore]) -> dict[str, list[OpenItem]]:
        out: dict[str, list[OpenItem]] = {}
        for scored in scores:
            pid = scored.provider.id
            items = list(self.screened[pid].open_items)
            if items and scored.open_items:
                seen = {(o.topic, o.question_id) for o in items}
                items += [o for o in scored.open_items if (o.topic, o.question_id) not in seen]
            else:
                items += scored.open_items
            out[pid] = items
        return out

    # -- step 4: findings -------------------------------------------------------------------

    def _diligence(
        self, provider_id: str, name: str, related: frozenset[str], *, shortlisted: bool
    ) -> None:
        screened = self.screened.get(provider_id)
        result = redflags.provider_diligence(
            self.qset,
            provider_id,
            name,
            self.values,
            self.sheet.diligence.get(provider_id, {}),
            today=self.today,
            settings=self.settings,
            shortlisted=shortlisted,
            breaches=screened.breaches if screened else (),
            related=related,
        )
        self.findings[provider_id] = result.findings
        self.diligence_items[provider_id] = result.open_items
        self.progress[provider_id] = result.progress
        self.gaps[provider_id] = result.gaps
        if not shortlisted:
            self.ignored.extend(result.ignored)

    def _entries(
        self, ranked: list[scoring.Ranked], weights: Mapping[str, int]
    ) -> list[RankedProvider]:
        entries: list[RankedProvider] = []
        precedence = decision.precedence(self.screened)
        shares = scoring.WeightShares.of(weights)
        for i, r in enumerate(ranked):
            pid = r.score.provider.id
            screened = self.screened[pid]
            found = self.findings.get(pid)
            blocked = tuple([f for f in found if f.blocks_recommendation]) if found else ()
            explanation = decision.explain(
                scoring.explain_rank(ranked, i, weights, precedence, shares=shares),
                screened,
                blocked,
            )
            entries.append(
                RankedProvider(
                    provider_id=pid,
                    rank=i + 1,
                    total=r.total,
                    criteria=r.score.criteria,
                    explanation=explanation,
                    blocked_by=blocked,
                    tier=screened.tier,
                    unconfirmed=screened.unconfirmed,
                    requirements=screened.checks,
                    profiled=screened.profiled,
                )
            )
        return entries

    def _robustness(
        self,
        weights: Mapping[str, int],
        ranked: list[scoring.Ranked],
        entries: list[RankedProvider],
        choice: decision.Choice,
        names: Mapping[str, str],
    ) -> Any:
        values_of = {r.score.provider.id: r.score.values for r in ranked}
        rec = choice.recommendation
        rec_entry = next((e for e in entries if e.provider_id == rec), None)
        if rec is None or rec_entry is None:
            return robustness.analyse(weights, None, [], names)
        # Weights move a provider only within its tier: the rivals are recommendable providers
        # of the recommendation's tier; those of a lower tier stay behind it whatever the
        # weights (named, so the summary agrees with the alternates).
        others = [
            e for e in entries if e.provider_id != rec and e.provider_id in choice.recommendable
        ]
        rec_tier, rec_order = rec_entry.tier, rec_entry.tier.order
        rivals = [e.provider_id for e in others if e.tier == rec_tier]
        below = [e for e in others if e.tier.order > rec_order]
        behind = [(e.provider_id, e.total) for e in below]
        lower = {e.tier for e in below}
        return robustness.analyse(
            weights,
            (rec, values_of[rec]),
            [(p, values_of[p]) for p in rivals],
            names,
            behind=behind,
            tier_label=rec_entry.tier.label,
            behind_label=" or ".join(t.label for t in sorted(lower, key=lambda t: t.order)),
        )

    # -- ordering and open items ------------------------------------------------------------

    def _provider_order(self, entries: list[RankedProvider]) -> Any:
        rank_of = {e.provider_id: i for i, e in enumerate(entries)}
        catalog_order = {pid: i for i, pid in enumerate(self.catalog.ids)}

        def provider_order(pid: str | None) -> tuple[int, int]:
            if pid is None:
                return (0, 0)
            if pid in rank_of:
                return (1, rank_of[pid])
            return (2, catalog_order.get(pid, len(catalog_order)))

        return provider_order

    def _sorted_findings(self, provider_order: Any) -> list[Finding]:
        question_order = {q.id: i for i, q in enumerate(self.qset.diligence.questions())}
        out = [f for fs in self.findings.values() for f in fs]
        out.sort(
            key=lambda f: (
                -f.severity.rank,
                provider_order(f.provider_id),
                question_order.get(f.question_id, 0),
                f.source,
            )
        )
        return out

    def _settle(
        self, open_by_provider: dict[str, list[OpenItem]], provider_order: Any
    ) -> tuple[list[OpenItem], list[ConfirmedItem]]:
        open_items: list[OpenItem] = []
        confirmed: list[ConfirmedItem] = []
        for pid in sorted(set(open_by_provider) | set(self.diligence_items), key=provider_order):
            profile_items = open_by_provider.get(pid, [])
            answers = self.sheet.diligence.get(pid, {})
            screened = self.screened.get(pid)
            if screened is not None and screened.eligible:
                confirmed.extend(confirmed_requirements(screened.checks, pid, answers, self.qset))
            if answers and profile_items:
                profile_items, closed = split_confirmed(
                    profile_items,
                    answers,
                    self.qset,
                    shown=diligence_lookup(self.qset, self.values, answers),
                    settings=self.settings,
                    today=self.today,
                )
                confirmed.extend(closed)
            open_items.extend(profile_items)
            open_items.extend(self.diligence_items.get(pid, ()))
        return open_items, confirmed


__all__ += ["Topic"]
