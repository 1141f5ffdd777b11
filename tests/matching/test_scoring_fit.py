"""Mandate-fit adjustments: each one moves one criterion by a modest, explained amount."""

from __future__ import annotations

from typing import Any

import pytest

from ddwizard.core.matching.mandate import Mandate
from ddwizard.core.matching.scoring import score_provider
from ddwizard.core.provider import Provider

DEFAULT_WEIGHTS = {
    "liquidity": 30,
    "security": 25,
    "coverage": 15,
    "costs": 15,
    "ux": 10,
    "support": 5,
}


def _with(provider: Provider, **groups: dict[str, Any]) -> Provider:
    update: dict[str, Any] = {}
    for group, facts in groups.items():
        if group == "top":
            update.update(facts)
        else:
            update[group] = getattr(provider, group).model_copy(update=facts)
    return provider.model_copy(update=update)


CASES = [
    # (mandate values, provider facts, criterion, delta, words in the reason, open item topic)
    ({"controls.key_tech": "mpc"}, {"key_management": {"mpc": "yes"}}, "security", 5, "MPC", None),
    ({"controls.key_tech": "hsm"}, {"key_management": {"hsm": "no"}}, "security", -10, "HSM", None),
    (
        {"controls.key_tech": "multisig"},
        {"key_management": {"multisig": "unknown"}},
        "security",
        0,
        None,
        "key management",
    ),
    (
        {"controls.policy_engine": "yes"},
        {"key_management": {"policy_engine": "no"}},
        "security",
        -10,
        "policy engine",
        None,
    ),
    (
        {"controls.insurance_required": "yes"},
        {"insurance": {"available": "yes"}},
        "security",
        5,
        "insurance",
        None,
    ),
    (
        {"controls.insurance_required": "yes"},
        {"insurance": {"available": "unknown"}},
        "security",
        0,
        None,
        "insurance",
    ),
    (
        {"controls.cold_storage_priority": "important"},
        {"key_management": {"cold_storage": "yes"}},
        "security",
        5,
        "cold storage important",
        None,
    ),
    (
        {"controls.cold_storage_priority": "critical"},
        {"key_management": {"cold_storage": "no", "air_gapped": "no"}},
        "security",
        -15,
        "records none",
        None,
    ),
    (
        {"controls.cold_storage_priority": "critical"},
        {"key_management": {"cold_storage": "unknown", "air_gapped": "unknown"}},
        "security",
        -10,
        "does not state",
        "cold storage",
    ),
    (
        {"reg.bank_backed": "preferred"},
        {"top": {"bank_backed": "yes"}},
        "security",
        5,
        "bank-backed",
        None,
    ),
    (
        {"reg.brand_preference": "crypto_native"},
        {"top": {"kind": "crypto_native"}},
        "security",
        5,
        "crypto-native",
        None,
    ),
    (
        {"reg.brand_preference": "traditional_finance"},
        {"top": {"kind": "crypto_native"}},
        "security",
        0,
        None,
        None,
    ),
    ({"reg.etf_servicing": "yes"}, {"top": {"etf_experience": "yes"}}, "support", 5, "ETF", None),
    (
        {"assets.governance": "yes"},
        {"top": {"governance": "no"}},
        "coverage",
        -10,
        "governance",
        None,
    ),
    (
        {"assets.staking": "yes", "assets.staking_assets": ["eth", "sol", "dot"]},
        {"staking": {"available": "yes", "assets": ("eth",)}},
        "coverage",
        5 - 10,
        "SOL, DOT",
        None,
    ),
    (
        {"assets.staking": "yes", "assets.staking_assets": ["eth"]},
        {"staking": {"available": "yes", "assets": "unknown"}},
        "coverage",
        5,
        "staking from custody",
        "staking assets",
    ),
    (
        {"assets.required": ["btc", "eth"]},
        {"top": {"assets": ("btc", "eth", "sol")}},
        "coverage",
        5,
        "every asset",
        None,
    ),
    (
        {"settlement.otc_rfq": "yes"},
        {"execution": {"otc_rfq": "yes"}},
        "liquidity",
        5,
        "OTC/RFQ",
        None,
    ),
    (
        {"settlement.instant_network": "yes"},
        {"execution": {"instant_settlement": "unknown"}},
        "liquidity",
        -10,
        "does not state",
        None,
    ),
    (
        {"fees.published_schedule_required": "yes"},
        {"fees": {"published_schedule": "no"}},
        "costs",
        -15,
        "no published fee schedule",
        None,
    ),
    (
        {"fees.sensitivity": "high"},
        {"fees": {"published_schedule": "yes"}},
        "costs",
        10,
        "fee schedule",
        None,
    ),
    ({"reporting.api": "yes"}, {"support": {"api": "yes"}}, "ux", 5, "API", None),
    ({"support.always_on": "yes"}, {"support": {"always_on": "no"}}, "support", -15, "24/7", None),
    (
        {"support.white_glove": "yes"},
        {"support": {"white_glove": "unknown"}},
        "support",
        0,
        None,
        "account team",
    ),
]


@pytest.mark.parametrize(("values", "facts", "criterion", "delta", "words", "topic"), CASES)
def test_fit_adjustment(
    catalog: Any,
    values: dict[str, Any],
    facts: dict[str, dict[str, Any]],
    criterion: str,
    delta: int,
    words: str | None,
    topic: str | None,
) -> None:
    base = catalog["bitgo"]  # rated on every criterion, with room to move both ways
    provider = _with(base, **facts)
    neutral = score_provider(provider, Mandate.from_values({}, DEFAULT_WEIGHTS))
    scored = score_provider(provider, Mandate.from_values(values, DEFAULT_WEIGHTS))
    before = neutral.criteria[[c.criterion for c in neutral.criteria].index(criterion)]
    after = next(c for c in scored.criteria if c.criterion == criterion)
    assert after.score - before.score == delta
    assert before.reasons == (before.reasons[0],)  # no adjustment without a mandate
    if words is not None:
        assert any(words in r for r in after.reasons[1:]), after.reasons
        signs = {r.split(" ", 1)[0][0] for r in after.reasons[1:]}
        assert signs <= {"+", "-"}
    if topic is not None:
        assert topic in {o.topic for o in scored.open_items}
        assert all(o.message.startswith("Confirm with the provider: ") for o in scored.open_items)
    # other criteria do not move
    for c_before, c_after in zip(neutral.criteria, scored.criteria, strict=True):
        if c_before.criterion != criterion:
            assert c_before.score == c_after.score


def test_scores_stay_within_bounds(catalog: Any) -> None:
    provider = _with(
        catalog["gemini"],
        key_management={"air_gapped": "yes", "mpc": "yes", "policy_engine": "yes"},
    )
    mandate = Mandate.from_values(
        {
            "controls.cold_storage_priority": "critical",
            "controls.key_tech": "mpc",
            "controls.policy_engine": "yes",
        },
        DEFAULT_WEIGHTS,
    )
    security = next(
        c for c in score_provider(provider, mandate).criteria if c.criterion == "security"
    )
    assert security.score == 100
    assert security.reasons[-1] == "bounded to 100"
