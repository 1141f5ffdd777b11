"""Robustness: exact crossings of the linear totals, checked against a direct recomputation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ddwizard.core.matching.robustness import analyse, sensitivity
from ddwizard.core.questionnaire import CRITERIA

DEFAULT = {"liquidity": 30, "security": 25, "coverage": 15, "costs": 15, "ux": 10, "support": 5}


def _moved(weights: Sequence[float], index: int, w: float) -> list[float]:
    """Weights with ``index`` set to ``w`` and the others rescaled to keep the sum at 100."""
    rest = sum(x for i, x in enumerate(weights) if i != index)
    return [w if i == index else x * (100 - w) / rest for i, x in enumerate(weights)]


def _total(scores: Sequence[float], weights: Sequence[float]) -> float:
    return sum(s * w for s, w in zip(scores, weights, strict=True)) / sum(weights)


def _best(candidates: Sequence[tuple[str, Sequence[float]]], weights: Sequence[float]) -> str:
    return max(candidates, key=lambda c: (round(_total(c[1], weights), 9), c[0] == "rec"))[0]


REC = ("rec", [90.0, 60.0, 70.0, 50.0, 80.0, 70.0])
SAFE = ("safe", [60.0, 90.0, 70.0, 60.0, 70.0, 70.0])
CHEAP = ("cheap", [70.0, 60.0, 60.0, 100.0, 60.0, 60.0])


def test_crossings_match_a_direct_recomputation() -> None:
    weights = [float(DEFAULT[c]) for c in CRITERIA]
    candidates = [REC, SAFE, CHEAP]
    assert _best(candidates, weights) == "rec"
    for index, criterion in enumerate(CRITERIA):
        s = sensitivity(index, weights, REC, [SAFE, CHEAP])
        assert s.criterion == criterion
        assert s.lowest <= weights[index] <= s.highest
        if s.taker_below is not None:
            assert s.lowest > 0
            assert _best(candidates, _moved(weights, index, s.lowest + 1e-6)) == "rec"
            assert _best(candidates, _moved(weights, index, s.lowest - 1e-6)) == s.taker_below
        else:
            assert s.lowest == 0 and _best(candidates, _moved(weights, index, 0.0)) == "rec"
        if s.taker_above is not None:
            assert s.highest < 100
            assert _best(candidates, _moved(weights, index, s.highest - 1e-6)) == "rec"
            assert _best(candidates, _moved(weights, index, s.highest + 1e-6)) == s.taker_above
        else:
            assert s.highest == 100 and _best(candidates, _moved(weights, index, 99.999)) == "rec"


def test_known_crossing_value() -> None:
    weights = [float(DEFAULT[c]) for c in CRITERIA]
    s = sensitivity(CRITERIA.index("security"), weights, REC, [SAFE, CHEAP])
    # Solve by hand: rec's and safe's other-criteria averages at the default weights.
    others = [w for i, w in enumerate(weights) if i != 1]
    a_rec = sum(w * x for w, x in zip(others, [90, 70, 50, 80, 70], strict=True)) / sum(others)
    a_safe = sum(w * x for w, x in zip(others, [60, 70, 60, 70, 70], strict=True)) / sum(others)
    # rec(w) = a_rec + (60 - a_rec) w/100 ; safe(w) = a_safe + (90 - a_safe) w/100
    crossing = 100 * (a_rec - a_safe) / ((90 - a_safe) - (60 - a_rec))
    assert s.taker_above == "safe"
    assert s.highest == pytest.approx(crossing)


def test_verdict_and_summary() -> None:
    names = {"rec": "Rec Custody", "safe": "Safe Custody", "cheap": "Cheap Custody"}
    result = analyse(DEFAULT, REC, [SAFE, CHEAP], names)
    assert result.recommendation == "rec"
    assert result.verdict in ("stable", "sensitive")
    closest = min(
        [
            *((DEFAULT[s.criterion] - s.lowest, s) for s in result.sensitivities if s.taker_below),
            *((s.highest - DEFAULT[s.criterion], s) for s in result.sensitivities if s.taker_above),
        ],
        key=lambda pair: pair[0],
    )
    expected = "stable" if closest[0] >= 10 else "sensitive"
    assert result.verdict == expected
    assert result.summary.startswith(f"{expected.capitalize()}: Rec Custody stays first unless ")
    assert "(then " in result.summary
    totals = {c[0]: _total(c[1], [DEFAULT[k] for k in CRITERIA]) for c in (REC, SAFE, CHEAP)}
    assert result.margin == pytest.approx(totals["rec"] - max(totals["safe"], totals["cheap"]))


def test_dominant_recommendation_is_stable_everywhere() -> None:
    strong = ("rec", [90.0] * 6)
    weak = ("weak", [50.0] * 6)
    result = analyse(DEFAULT, strong, [weak], {"rec": "Strong"})
    assert result.verdict == "stable"
    assert all(s.lowest == 0 and s.highest == 100 for s in result.sensitivities)
    assert "whichever single weight moves" in result.summary


def test_a_weight_of_100_is_handled() -> None:
    weights = {"liquidity": 100, "security": 0, "coverage": 0, "costs": 0, "ux": 0, "support": 0}
    result = analyse(weights, REC, [SAFE], {})
    liquidity = result.sensitivities[0]
    assert liquidity.weight == 100 and liquidity.highest == 100
    assert liquidity.taker_below == "safe" and 0 < liquidity.lowest < 100


def test_not_applicable_without_recommendation() -> None:
    result = analyse(DEFAULT, None, [SAFE], {})
    assert result.verdict == "not_applicable" and result.sensitivities == ()


def test_robustness_of_a_real_evaluation(score: Any) -> None:
    _, evaluation = score(
        """\
answers:
  client.regions: [us]
  reg.qualified_custodian: yes
"""
    )
    robustness = evaluation.robustness
    assert robustness.recommendation == evaluation.recommendation == "coinbase-prime"
    for s in robustness.sensitivities:
        assert s.lowest <= evaluation.weights[s.criterion] <= s.highest
    data = evaluation.to_json()["robustness"]
    assert data["verdict"] == robustness.verdict
    assert [w["criterion"] for w in data["weights"]] == list(CRITERIA)


SCORE = st.integers(0, 20).map(lambda v: float(v * 5))


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(SCORE, min_size=6, max_size=6), min_size=2, max_size=6),
    cuts=st.lists(st.integers(0, 100), min_size=5, max_size=5),
)
def test_interval_agrees_with_sampling(rows: list[list[float]], cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), 100]
    weights = [float(bounds[i + 1] - bounds[i]) for i in range(6)]
    candidates = [(f"p{i}", row) for i, row in enumerate(rows)]
    totals = [_total(row, weights) for _, row in candidates]
    best = max(range(len(rows)), key=lambda i: totals[i])
    others_totals = [t for i, t in enumerate(totals) if i != best]
    assume(totals[best] - max(others_totals) > 1e-6)  # a clear leader at the current weights
    rec, others = candidates[best], [c for i, c in enumerate(candidates) if i != best]
    for index in range(6):
        s = sensitivity(index, weights, rec, others)
        assert s.lowest <= weights[index] <= s.highest
        for w in (s.lowest, s.highest, (s.lowest + s.highest) / 2):
            inside = min(max(w, s.lowest + 1e-6), s.highest - 1e-6) if s.highest > s.lowest else w
            moved = _moved(weights, index, inside) if weights[index] < 100 else None
            if moved is None:
                continue
            rec_total = _total(rec[1], moved)
            assert all(rec_total >= _total(row, moved) - 1e-6 for _, row in others)
        if s.taker_below is not None and s.lowest - 1e-3 > 0 and weights[index] < 100:
            moved = _moved(weights, index, s.lowest - 1e-3)
            taker = dict(others)[s.taker_below]
            assert _total(taker, moved) > _total(rec[1], moved)
        if s.taker_above is not None and s.highest + 1e-3 < 100 and weights[index] < 100:
            moved = _moved(weights, index, s.highest + 1e-3)
            taker = dict(others)[s.taker_above]
            assert _total(taker, moved) > _total(rec[1], moved)
