"""Structured conditions: parsing, evaluation without eval, and plain-words descriptions."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from ddwizard.core.conditions import Condition, evaluate


def answers(**values: Any) -> Any:
    data = {k.replace("__", "."): v for k, v in values.items()}
    return data.get


def cond(data: dict[str, Any]) -> Condition:
    return Condition.model_validate(data)


def test_yaml_booleans_mean_yes_and_no() -> None:
    c = cond({"question": "assets.staking", "equals": True})
    assert c.equals == "yes"
    assert evaluate(c, answers(assets__staking="yes"))
    assert not evaluate(c, answers(assets__staking="no"))
    assert not evaluate(c, answers())


def test_in_contains_and_groups() -> None:
    c = cond(
        {
            "all": [
                {"question": "client.entity_type", "in": ["us_adviser_fund", "etf_issuer"]},
                {"not": {"question": "client.regions", "contains": "eu"}},
            ]
        }
    )
    assert evaluate(c, answers(client__entity_type="etf_issuer", client__regions=["us"]))
    assert not evaluate(c, answers(client__entity_type="etf_issuer", client__regions=["us", "eu"]))
    assert not evaluate(c, answers(client__entity_type="bank", client__regions=["us"]))
    any_c = cond({"any": [{"question": "a", "equals": "x"}, {"question": "b", "answered": True}]})
    assert evaluate(any_c, answers(b=3))
    assert not evaluate(any_c, answers(a="y"))


def test_comparison_with_question_operand_and_default() -> None:
    c = cond({"question": "dd.q", "lt": {"question": "controls.min", "default": 2}})
    assert evaluate(c, answers(dd__q=1))
    assert not evaluate(c, answers(dd__q=2))
    assert evaluate(c, answers(dd__q=2, controls__min=3))
    assert not evaluate(c, answers(dd__q=2, controls__min="unknown"))


def test_choice_order_comparison_uses_order_function() -> None:
    order = ["daily", "monthly", "quarterly"]
    c = cond({"question": "dd.freq", "gt": {"question": "mandate.freq"}})

    def pos(_qid: str, value: Any) -> float | None:
        return float(order.index(value)) if value in order else None

    assert evaluate(c, answers(dd__freq="quarterly", mandate__freq="monthly"), pos)
    assert not evaluate(c, answers(dd__freq="daily", mandate__freq="monthly"), pos)


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"question": "a"},
        {"question": "a", "equals": 1, "in": [1]},
        {"all": [], "any": []},
        {"question": "a", "all": [{"question": "b", "equals": 1}]},
        {"question": "a", "equals": 1, "eval": "__import__('os')"},
    ],
)
def test_malformed_conditions_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        cond(bad)


def test_describe_and_referenced_questions() -> None:
    c = cond(
        {
            "all": [
                {"question": "dd.insurance_certificate_seen", "equals": False},
                {"question": "dd.limit", "lt": {"question": "client.aum_usd_m"}},
            ]
        }
    )
    assert c.describe() == "dd.insurance_certificate_seen = no and dd.limit < client.aum_usd_m"
    assert set(c.questions()) == {
        "dd.insurance_certificate_seen",
        "dd.limit",
        "client.aum_usd_m",
    }


def test_conditions_read_in_the_questions_own_words(qset: Any) -> None:
    cond = qset.question("client.sec_registered_adviser").show_if
    assert cond.describe() == (
        "client.entity_type is one of us_adviser_fund, non_us_fund, etf_issuer"
    )
    assert qset.describe_condition(cond) == (
        "the answer to \u201cWhat kind of institution is it?\u201d is "
        "\u2018US investment adviser or fund\u2019, "
        "\u2018Fund or asset manager outside the US\u2019 or \u2018ETF / ETP issuer or sponsor\u2019"
    )
    slashing = next(
        r for r in qset.question("dd.slashing_treatment").red_flags if r.severity.value == "high"
    )
    worded = qset.describe_condition(slashing.when)
    assert "dd." not in worded and "assets." not in worded and " is Yes" in worded
