"""Properties of the matching engine over generated mandates and generated provider facts."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddwizard.core.answers import Answer, AnswerSheet
from ddwizard.core.matching import eligibility, evaluate
from ddwizard.core.matching.mandate import Mandate
from ddwizard.core.matching.scoring import ProviderScore, rank
from ddwizard.core.provider import REGION_CODES, LegalSegregation, Licences, Provider
from ddwizard.core.questionnaire import CRITERIA, AnswerType, QuestionnaireSet, coerce_value
from ddwizard.core.results import CriterionScore

SETTINGS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FACTS = st.sampled_from(["yes", "no", "unknown"])


@st.composite
def weights_strategy(draw: Any) -> dict[str, int]:
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=5, max_size=5)))
    bounds = [0, *cuts, 100]
    return {c: bounds[i + 1] - bounds[i] for i, c in enumerate(CRITERIA)}


def mandate_strategy(qset: QuestionnaireSet) -> Any:
    """Random valid answers to the selection questions that drive matching."""

    @st.composite
    def build(draw: Any) -> AnswerSheet:
        answers: dict[str, Answer] = {}
        for q in qset.selection.questions():
            if q.type in (AnswerType.TEXT, AnswerType.DATE) or draw(st.integers(0, 9)) >= 4:
                continue
            if q.type == AnswerType.YN:
                raw: Any = draw(FACTS)
            elif q.type == AnswerType.SINGLE:
                raw = draw(st.sampled_from(q.choice_ids))
            elif q.type == AnswerType.MULTI:
                raw = draw(st.lists(st.sampled_from(q.choice_ids), max_size=3, unique=True))
            elif q.type == AnswerType.NUMBER:
                low = int(q.min if q.min is not None else 0)
                high = int(q.max if q.max is not None else 500)
                raw = draw(st.integers(low, high))
            else:
                raw = draw(weights_strategy())
            answers[q.id] = Answer(value=coerce_value(q, raw))
        return AnswerSheet(selection=answers)

    return build()


FACT_FIELDS = {
    "key_management": (
        "cold_storage",
        "air_gapped",
        "hsm",
        "mpc",
        "multisig",
        "policy_engine",
        "segregated_wallets",
    ),
    "audits": ("soc1_type2", "soc2_type2"),
    "insurance": ("available",),
    "staking": ("available",),
    "execution": ("integrated_trading", "trade_from_custody", "otc_rfq", "instant_settlement"),
    "fees": ("published_schedule",),
    "support": ("always_on", "white_glove", "api", "contractual_sla"),
}
TOP_FACTS = (
    "qualified_custodian",
    "bank_backed",
    "etf_experience",
    "governance",
    "standing_complete",
)
WALLET_MODELS = ("segregated_per_client", "omnibus_client_only", "commingled", "unknown")
LEGAL_BASES = ("off_balance_sheet", "trust_or_statutory", "bailment", "contract_only")


@st.composite
def provider_strategy(draw: Any, base: Provider) -> Provider:
    """A copy of ``base`` with random facts, regions, standing and fee level."""
    update: dict[str, Any] = {f: draw(FACTS) for f in TOP_FACTS}
    update["standing"] = draw(
        st.sampled_from(["bank", "trust", "regulated", "unregistered", "unknown"])
    )
    for group, fields in FACT_FIELDS.items():
        update[group] = getattr(base, group).model_copy(update={f: draw(FACTS) for f in fields})
    served = draw(
        st.one_of(st.just("unknown"), st.lists(st.sampled_from(REGION_CODES), unique=True))
    )
    update["regions"] = base.regions.model_copy(
        update={"served": served if served == "unknown" else tuple(served)}
    )
    bps = draw(st.one_of(st.just("unknown"), st.integers(0, 100)))
    update["fees"] = update["fees"].model_copy(update={"auc_bps": bps})
    # one statement, two facts: how finely wallets are segregated implies whether they are
    model = draw(st.sampled_from(WALLET_MODELS))
    if model != "unknown":
        segregated = "no" if model == "commingled" else "yes"
        update["key_management"] = update["key_management"].model_copy(
            update={"wallet_model": model, "segregated_wallets": segregated}
        )
    basis = draw(st.one_of(st.just("unknown"), st.sampled_from(LEGAL_BASES)))
    update["legal_segregation"] = basis if basis == "unknown" else LegalSegregation(basis=basis)
    update["licences"] = base.licences.model_copy(
        update={"others": draw(st.sampled_from(["none", "unknown"]))}
    )
    update["regions"] = update["regions"].model_copy(
        update={"others": draw(st.sampled_from(["none", "unknown"]))}
    )
    return base.model_copy(update=update)


def _unknowns(provider: Provider, choose: Any) -> Provider:
    """Replace a chosen subset of known facts by unknown.

    Trading from custody is one profile statement made of two facts: "no integrated trading"
    with an unstated trade-from-custody is the profile saying custody comes without trading.
    Forgetting the trade-from-custody fact therefore forgets integrated trading with it.
    """
    update: dict[str, Any] = {}
    for f in TOP_FACTS:
        if choose(f):
            update[f] = "unknown"
    if choose("standing"):
        update["standing"] = "unknown"
    for group, fields in FACT_FIELDS.items():
        forget = {f: "unknown" for f in fields if choose(f"{group}.{f}")}
        if group == "execution" and "trade_from_custody" in forget:
            forget["integrated_trading"] = "unknown"
        if group == "key_management" and (
            "segregated_wallets" in forget or choose("key_management.wallet_model")
        ):
            forget["segregated_wallets"] = "unknown"
            forget["wallet_model"] = "unknown"
        if group == "fees" and choose("fees.auc_bps"):
            forget["auc_bps"] = "unknown"
        if forget:
            update[group] = getattr(provider, group).model_copy(update=forget)
    if choose("regions"):
        update["regions"] = provider.regions.model_copy(update={"served": "unknown"})
    if choose("licences"):
        update["licences"] = Licences()  # the source gives no list
    if choose("legal_segregation"):
        update["legal_segregation"] = "unknown"
    return provider.model_copy(update=update)


def test_unknown_never_creates_an_exclusion(qset: QuestionnaireSet, catalog: Any) -> None:
    bases = list(catalog)

    @SETTINGS
    @given(data=st.data())
    def check(data: Any) -> None:
        sheet = data.draw(mandate_strategy(qset))
        from ddwizard.core.answers import applicable_values

        mandate = Mandate.from_values(applicable_values(qset, sheet.selection), sheet.weights)
        provider = data.draw(provider_strategy(data.draw(st.sampled_from(bases))))
        forget = data.draw(st.sets(st.sampled_from(_fact_names())))
        before = eligibility.check(provider, mandate)
        variants = [_unknowns(provider, lambda name: name in forget)]
        variants += [
            _unknowns(provider, lambda name, one=one: name == one) for one in _fact_names()
        ]
        for variant in variants:
            after = eligibility.check(variant, mandate)
            if before.eligible:
                assert after.eligible, after.reasons
            assert len(after.reasons) <= len(before.reasons)

    check()


def _fact_names() -> list[str]:
    names = [
        *TOP_FACTS,
        "standing",
        "regions",
        "fees.auc_bps",
        "licences",
        "legal_segregation",
        "key_management.wallet_model",
    ]
    names += [f"{g}.{f}" for g, fields in FACT_FIELDS.items() for f in fields]
    return names


def test_excluded_never_ranked_and_totals_bounded(qset: QuestionnaireSet, catalog: Any) -> None:
    @SETTINGS
    @given(sheet=mandate_strategy(qset))
    def check(sheet: AnswerSheet) -> None:
        evaluation = evaluate(qset, catalog, sheet)
        ranked = [r.provider_id for r in evaluation.eligible]
        excluded = [e.provider_id for e in evaluation.excluded]
        assert not set(ranked) & set(excluded)
        assert sorted(ranked + excluded) == sorted(catalog.ids)
        assert all(e.reasons for e in evaluation.excluded)
        for r in evaluation.eligible:
            # nothing is clipped (DECISIONS.md §5): a score is the sum of its explained points,
            # never above 100 (the rubric adds up to 100; fit adjustments only take away)
            assert r.total <= 100
            for c in r.criteria:
                assert c.score <= 100
                assert c.score == sum(int(reason.split(" ", 1)[0]) for reason in c.reasons)
        tiers = [(r.tier.order, not r.profiled) for r in evaluation.eligible]
        assert tiers == sorted(tiers)  # tier first, then score
        if evaluation.recommendation is not None:
            assert evaluation.recommendation in ranked
            recommended = evaluation.ranked(evaluation.recommendation)
            assert recommended is not None and not recommended.blocked_by
            assert recommended.profiled and recommended.tier != "excluded"
            assert evaluation.recommendation not in evaluation.alternates
        assert set(evaluation.shortlist) <= set(ranked)
        for s in evaluation.robustness.sensitivities:
            assert s.lowest <= evaluation.weights[s.criterion] <= s.highest

    check()


def _synthetic_scores(catalog: Any, values: list[list[int]]) -> list[ProviderScore]:
    out = []
    for provider, row in zip(catalog, values, strict=False):
        criteria = tuple(
            CriterionScore(c, float(v), None, ("test",)) for c, v in zip(CRITERIA, row, strict=True)
        )
        out.append(ProviderScore.build(provider, criteria, ()))
    return out


@SETTINGS
@given(
    rows=st.lists(
        st.lists(st.sampled_from([0, 40, 50, 60, 75, 80, 100]), min_size=6, max_size=6),
        min_size=2,
        max_size=11,
    ),
    weights=weights_strategy(),
    k=st.integers(2, 1000),
)
def test_weights_are_scale_invariant(
    catalog: Any, rows: list[list[int]], weights: dict[str, int], k: int
) -> None:
    scores = _synthetic_scores(catalog, rows)
    order = [r.score.provider.id for r in rank(scores, weights)]
    scaled = [r.score.provider.id for r in rank(scores, {c: w * k for c, w in weights.items()})]
    assert order == scaled


@SETTINGS
@given(weights=weights_strategy())
def test_robustness_interval_contains_the_weight(
    qset: QuestionnaireSet, catalog: Any, weights: dict[str, int]
) -> None:
    sheet = AnswerSheet(selection={"priorities.weights": Answer(value=weights)})
    evaluation = evaluate(qset, catalog, sheet)
    assert evaluation.robustness.recommendation == evaluation.recommendation
    for s in evaluation.robustness.sensitivities:
        assert s.lowest <= weights[s.criterion] <= s.highest
        assert s.lowest >= 0 and s.highest <= 100


def test_recommendation_and_alternates_follow_the_decision_rules(
    qset: QuestionnaireSet, catalog: Any
) -> None:
    """Alternates never come from outside an explicit shortlist; nobody unprofiled, excluded
    or blocked is recommended; a supported recommendation has no condition."""

    @SETTINGS
    @given(
        sheet=mandate_strategy(qset),
        shortlist=st.one_of(
            st.none(), st.lists(st.sampled_from(list(catalog.ids)), max_size=4, unique=True)
        ),
    )
    def check(sheet: AnswerSheet, shortlist: list[str] | None) -> None:
        given_list = None if shortlist is None else tuple(shortlist)
        sheet = AnswerSheet(selection=sheet.selection, shortlist=given_list)
        evaluation = evaluate(qset, catalog, sheet)
        if given_list is not None:
            assert set(evaluation.shortlist) <= set(given_list)
            assert set(evaluation.alternates) <= set(given_list)
        else:
            assert all(pid not in evaluation.not_profiled for pid in evaluation.shortlist)
        for pid in (evaluation.recommendation, *evaluation.alternates):
            if pid is None:
                continue
            ranked = evaluation.ranked(pid)
            assert ranked is not None and ranked.profiled and not ranked.blocked_by
        status = evaluation.recommendation_status
        assert (status == "none") == (evaluation.recommendation is None)
        assert (status == "supported") == (
            evaluation.recommendation is not None and not evaluation.conditions
        )
        if status == "none":
            assert evaluation.conditions and evaluation.conditions[0].kind == "no_candidate"

    check()
