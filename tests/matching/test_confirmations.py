"""Diligence closes the profile's open items it answers, and nothing else.

A profile that does not state a SOC 2 report makes "confirm a current SOC 2 Type II report"
an open item; a diligence answer 'yes' on a current document closes it (the memo used to list
it as open next to the answer that settled it). Stale answers close nothing; a negative answer
on a required fact breaches the requirement (DECISIONS.md §4). Scores, computed from the
profiles, do not move; only the tiers do.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from ddwizard.core.answers import AnswerSheet
from ddwizard.core.matching import evaluate

MANDATE = """
answers:
  client.regions: [eu, uk]
  reporting.soc2: yes
  controls.insurance_required: yes
shortlist: [zodia, bitgo]
diligence:
  zodia:
    dd.soc2_type2: {value: yes, evidence: seen_doc, document_date: 2026-03-31}
    dd.insurance_certificate_seen: {value: yes, evidence: seen_doc, document_date: 2026-02-28}
  bitgo:
    dd.soc2_type2: {value: yes, evidence: seen_doc, document_date: 2025-01-31}
    dd.insurance_certificate_seen: no
"""


def _topics(items: Any, provider: str) -> set[str]:
    return {i.topic for i in items if i.provider_id == provider}


def test_a_current_yes_closes_the_open_item_with_its_answer(score: Any) -> None:
    _, evaluation = score(MANDATE)
    assert {"SOC 2 Type II", "insurance"} <= _topics(evaluation.confirmed_items, "zodia")
    assert not {"SOC 2 Type II", "insurance"} & _topics(evaluation.open_items, "zodia")
    soc2 = next(c for c in evaluation.confirmed_for("zodia") if c.topic == "SOC 2 Type II")
    assert soc2.question_ids == ("dd.soc2_type2",)
    assert soc2.message == (
        "a current SOC 2 Type II report: confirmed in diligence (Have you received a current "
        "SOC 2 Type II report? Yes, document seen, 2026-03-31)"
    )
    assert evaluation.to_json()["confirmed_items"][0]["provider"] in ("zodia", "bitgo")


def test_stale_or_negative_answers_close_nothing(score: Any) -> None:
    _, evaluation = score(MANDATE)
    # BitGo's SOC 2 document is 17 months old on 2026-06-30 and its certificate was not seen:
    # the stale answer confirms nothing, the "no" breaches the insurance requirement.
    assert not _topics(evaluation.confirmed_items, "bitgo")
    exclusion = next(e for e in evaluation.excluded if e.provider_id == "bitgo")
    assert any("Insurance certificate seen answered No" in r for r in exclusion.reasons)
    soc2 = next(c for c in exclusion.requirements if c.requirement == "soc2")
    assert soc2.state == "unconfirmed"


def test_scores_do_not_depend_on_the_diligence(score: Any, qset: Any, catalog: Any) -> None:
    parsed, with_diligence = score(MANDATE)
    bare = AnswerSheet(selection=parsed.sheet.selection, shortlist=parsed.sheet.shortlist)
    without = evaluate(qset, catalog, bare, today=datetime.date(2026, 6, 30))
    totals = {r.provider_id: r.total for r in without.eligible}
    for r in with_diligence.eligible:
        assert r.total == totals[r.provider_id]
    # diligence moves tiers: Zodia's documents confirm SOC 2 and insurance, BitGo breaches
    assert with_diligence.tier_of("zodia") == "meets"
    assert without.tier_of("zodia") == "conditional"
    assert with_diligence.tier_of("bitgo") == "excluded"
    assert not without.confirmed_items


def test_score_lists_what_the_diligence_closed(
    write_answers: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from ddwizard.cli import main

    # the command scores on the real today: dates relative to it keep the test valid
    recent = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
    old = (datetime.date.today() - datetime.timedelta(days=500)).isoformat()
    answers = MANDATE.replace("2026-03-31", recent).replace("2025-01-31", old)
    assert main(["score", str(write_answers(answers))]) == 0
    out = capsys.readouterr().out
    closed = out.split("Closed by the diligence answers", 1)[1].split("Mandate warnings", 1)[0]
    assert "Zodia Custody: a current SOC 2 Type II report: confirmed in diligence" in closed
    assert "BitGo Custody" not in closed  # stale SOC 2 document, certificate not seen
