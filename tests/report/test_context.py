"""The memo context, section by section: what the committee and the signing officer read.

Evaluations are built by hand where the test is about the memo's wording for a given
outcome (a status, a finding, a lead), so the wording is checked for every status, not only
for whatever the demo review happens to produce today.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.answers import Answer, AnswerSheet
from ddwizard.core.questionnaire import DEFAULT_WEIGHTS, Severity
from ddwizard.core.report.chart import ChartInput, build_score_chart
from ddwizard.core.report.context import MemoIntegrity, ReviewRecord, make_memo_context
from ddwizard.core.report.record import AuditEntry
from ddwizard.core.report.render import render_html, render_markdown
from ddwizard.core.report.sections.signoff import SignBox
from ddwizard.core.resources import bundled_dir
from ddwizard.core.results import (
    Condition,
    ConditionKind,
    CriterionScore,
    DiligenceProgress,
    Evaluation,
    Exclusion,
    Finding,
    MandateWarning,
    OpenItem,
    OpenItemKind,
    RankedProvider,
    RecommendationStatus,
    RequirementId,
    Robustness,
    Tier,
    Topic,
    Unconfirmed,
)
from ddwizard.core.usecases.demo import demo_memo_context

TODAY = date(2026, 11, 28)
TEMPLATES = bundled_dir("report_templates")
WEIGHTS = dict(DEFAULT_WEIGHTS)


def ranked(pid: str, rank: int, total: float, tier: Tier = Tier.MEETS, **kw: Any) -> RankedProvider:
    per = {c: total for c in WEIGHTS}
    return RankedProvider(
        provider_id=pid,
        rank=rank,
        total=total,
        criteria=tuple(CriterionScore(c, s, 3.0, (f"rated 3/5 for {c}",)) for c, s in per.items()),
        explanation="",
        tier=tier,
        **kw,
    )


def finding(pid: str, qid: str, severity: Severity, message: str) -> Finding:
    return Finding(pid, qid, severity, message, mitigation=f"Mitigate {message.lower()}")


def evaluation(
    status: RecommendationStatus,
    *,
    recommendation: str | None = "bitgo",
    findings: tuple[Finding, ...] = (),
    conditions: tuple[Condition, ...] = (),
    eligible: tuple[RankedProvider, ...] | None = None,
    **kw: Any,
) -> Evaluation:
    eligible = eligible or (
        ranked("bitgo", 1, 72.5),
        ranked(
            "zodia",
            2,
            55.8,
            Tier.CONDITIONAL,
            unconfirmed=(
                Unconfirmed(RequirementId.SOC2, "SOC 2 Type II", "a current SOC 2 Type II report"),
            ),
        ),
        ranked("komainu", 3, 50.0),
    )
    return Evaluation(
        weights=WEIGHTS,
        eligible=eligible,
        excluded=(Exclusion("gemini", ("does not serve UK: its profile lists only US",)),),
        recommendation=recommendation,
        recommendation_reason="BitGo Custody ranks first among the shortlisted providers.",
        alternates=("zodia",),
        shortlist=("bitgo", "zodia", "komainu"),
        red_flags=findings,
        open_items=kw.pop("open_items", ()),
        warnings=kw.pop("warnings", ()),
        robustness=Robustness(recommendation, "stable", "Stable: nothing moves it.", 0.0),
        recommendation_status=status,
        conditions=conditions,
        diligence_progress={"bitgo": DiligenceProgress(40, 30, 21)},
        **kw,
    )


def record(**kw: Any) -> ReviewRecord:
    base: dict[str, Any] = dict(
        kind="session",
        name="Kestrel review",
        preparer="Dana",
        status="in_progress",
        record_json=b"{}",
        session_id="20261128-abcdef01",
    )
    base.update(kw)
    return ReviewRecord(**base)


def memo_of(qset: Any, catalog: Any, ev: Evaluation, **kw: Any) -> Any:
    sheet = kw.pop(
        "sheet", AnswerSheet(selection={"client.entity_name": Answer(value="Kestrel Fund")})
    )
    return make_memo_context(
        qset=qset,
        catalog=catalog,
        sheet=sheet,
        evaluation=ev,
        record=kw.pop("record", record()),
        today=TODAY,
        now=datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
        integrity=kw.pop("integrity", MemoIntegrity(True, 12, "ab" * 32)),
        **kw,
    )


# --- page 1: the decision in the words of its status -----------------------------------------


def test_supported_asks_to_approve_and_names_no_conditions(qset: Any, catalog: Any) -> None:
    d = memo_of(qset, catalog, evaluation(RecommendationStatus.SUPPORTED)).decision
    assert d.status_label == "Supported"
    assert (
        d.decision
        == "The committee is asked to approve BitGo Custody as custodian for Kestrel Fund."
    )
    assert d.conditions == ()
    assert d.diligence == (
        "Diligence on BitGo Custody: 30 of 40 applicable questions answered, "
        "21 of them on current documentary evidence."
    )


def test_provisional_authorises_diligence_and_lists_each_condition(qset: Any, catalog: Any) -> None:
    conditions = tuple(
        Condition(ConditionKind.UNANSWERED_QUESTION, f"Answer question {i} on a document.", "bitgo")
        for i in range(11)
    )
    memo = memo_of(
        qset, catalog, evaluation(RecommendationStatus.PROVISIONAL, conditions=conditions)
    )
    d = memo.decision
    assert d.decision == (
        "The committee is asked to note the provisional ranking and authorise completion of "
        "diligence on BitGo Custody; approval is not requested until the conditions below are met."
    )
    assert "approve BitGo" not in d.decision
    assert d.conditions_total == 11 and len(d.conditions) == 8
    prefixed = replace(
        evaluation(RecommendationStatus.PROVISIONAL),
        conditions=(Condition(ConditionKind.OPEN_FINDING, "BitGo Custody: resolve R1.", "bitgo"),),
    )
    assert memo_of(qset, catalog, prefixed).decision.conditions == ("Resolve R1.",)
    assert d.conditions_more == "… and 3 more, listed in the section on BitGo Custody."
    assert memo.providers[0].further_conditions == tuple(c.text for c in conditions[8:])
    html = render_html(memo, TEMPLATES)
    assert "Answer question 7 on a document." in html and "Conditions before approval" in html


def test_none_says_why_and_what_would_change_it_and_never_approves(qset: Any, catalog: Any) -> None:
    ev = evaluation(
        RecommendationStatus.NONE,
        recommendation=None,
        conditions=(Condition(ConditionKind.NO_CANDIDATE, "Relax the UK licence requirement."),),
    )
    memo = memo_of(qset, catalog, ev)
    d = memo.decision
    assert d.conditions == ()  # no "conditions before approval" when nothing is proposed
    assert d.what_would_change[0] == "Relax the UK licence requirement."
    assert d.recommended is None and d.status == "none"
    assert "approve" not in d.decision and "no provider can be recommended" in d.decision
    assert d.what_would_change and d.reason
    text = render_markdown(memo, TEMPLATES)
    assert "approve" not in text.split("## Eligibility", 1)[0]


def test_top_risks_are_the_recommended_providers_most_severe_three(qset: Any, catalog: Any) -> None:
    findings = (
        finding("zodia", "dd.bankruptcy_opinion", Severity.CRITICAL, "Zodia critical thing"),
        finding("bitgo", "dd.fee_schedule_received", Severity.LOW, "BitGo low thing"),
        finding("bitgo", "dd.exit_terms", Severity.MEDIUM, "BitGo medium thing"),
        finding("bitgo", "dd.incidents", Severity.HIGH, "BitGo high thing"),
        finding("bitgo", "dd.sla_contractual", Severity.LOW, "BitGo second low thing"),
    )
    memo = memo_of(qset, catalog, evaluation(RecommendationStatus.PROVISIONAL, findings=findings))
    risks = memo.decision.risks
    assert [r.message for r in risks] == [
        "BitGo high thing",
        "BitGo medium thing",
        "BitGo low thing",
    ]
    assert "4 findings" in memo.decision.risks_note
    # the red-flags table is the one table: every finding once, numbered, most severe first
    rows = memo.red_flags.rows
    assert [r.ref for r in rows] == ["R1", "R2", "R3", "R4", "R5"]
    assert rows[0].message == "Zodia critical thing"
    bitgo = memo.providers[0]
    assert bitgo.findings == (
        "4 findings (1 high, 1 medium and 2 low): see the red-flags table, rows R2, R3, R4, R5."
    )
    html = render_html(memo, TEMPLATES)
    assert html.count("Zodia critical thing") == 1
    assert html.count("BitGo second low thing") == 1
    assert html.count("BitGo high thing") == 2  # page 1 and the red-flags table


def test_no_findings_says_how_many_questions_were_answered(qset: Any, catalog: Any) -> None:
    memo = memo_of(qset, catalog, evaluation(RecommendationStatus.SUPPORTED))
    assert memo.decision.risks_note == (
        "No red flag was raised for BitGo Custody from the 30 diligence answers given "
        "(10 of 40 questions not answered)."
    )


def test_nothing_answered_says_the_risks_are_not_known(qset: Any, catalog: Any) -> None:
    ev = replace(
        evaluation(RecommendationStatus.PROVISIONAL),
        diligence_progress={"bitgo": DiligenceProgress(40, 0, 0)},
    )
    note = memo_of(qset, catalog, ev).decision.risks_note
    assert note == (
        "No diligence question has been answered for BitGo Custody yet (0 of 40): "
        "its risks are not known."
    )
    assert "No red flag" not in note
    findings = memo_of(qset, catalog, ev).providers[0].findings
    assert findings == "none: no diligence answer has been given yet."


def test_lead_over_the_runner_up_is_the_difference_of_the_totals(qset: Any, catalog: Any) -> None:
    memo = memo_of(qset, catalog, evaluation(RecommendationStatus.SUPPORTED))
    assert memo.scores.lead == (
        "BitGo Custody leads Zodia Custody by 16.7 points (totals 72.5 and 55.8 out of 100)."
    )


def test_tiers_in_order_with_what_to_confirm_and_exclusion_reasons(qset: Any, catalog: Any) -> None:
    ev = evaluation(RecommendationStatus.SUPPORTED, not_profiled=("amina",))
    ev = replace(ev, eligible=(*ev.eligible, ranked("amina", 4, 20.0, profiled=False)))
    g = memo_of(qset, catalog, ev).glance
    assert [grp.title for grp in g.groups] == ["Meets the mandate", "Conditional", "Excluded"]
    meets, conditional, excluded = g.groups
    assert [r.name for r in meets.rows] == ["BitGo Custody", "Komainu"]
    assert meets.rows[0].role == "recommended"
    assert conditional.rows[0].detail == "To confirm: a current SOC 2 Type II report."
    assert excluded.rows[0].detail == "does not serve UK: its profile lists only US."
    assert g.not_profiled == ("AMINA Bank",)
    assert "AMINA Bank" not in [r.label for r in g.chart.rows]


def test_open_items_are_grouped_by_why_and_counted(qset: Any, catalog: Any) -> None:
    items = (
        OpenItem(
            "bitgo", Topic.STAKING, "m1", what="staking from custody", when="last verified: unknown"
        ),
        OpenItem("bitgo", Topic.API, "m2", what="API access"),
        OpenItem(
            "bitgo",
            Topic.DILIGENCE_UNANSWERED,
            "m3",
            "dd.wallet_model",
            kind=OpenItemKind.UNANSWERED,
        ),
        OpenItem(
            "bitgo",
            Topic.DILIGENCE_UNANSWERED,
            "m4",
            "dd.legal_basis",
            kind=OpenItemKind.UNANSWERED,
        ),
        OpenItem(
            "bitgo",
            Topic.DILIGENCE_UNKNOWN,
            "m5",
            "dd.incidents",
            kind=OpenItemKind.ANSWERED_UNKNOWN,
        ),
    )
    memo = memo_of(qset, catalog, evaluation(RecommendationStatus.PROVISIONAL, open_items=items))
    bitgo = memo.providers[0]
    assert bitgo.open_total == 5
    titles = [(g.title, g.count) for g in bitgo.open_groups]
    assert titles[0] == (
        "Not stated in the profile (last verified: unknown); confirm with the provider",
        2,
    )
    unanswered = next(g for g in bitgo.open_groups if g.title == "Diligence questions not answered")
    assert unanswered.items == ("Segregation and legal protection 2",)
    unknown = next(g for g in bitgo.open_groups if g.count == 1)
    assert unknown.items[0].startswith("Has the custodian") or "?" in unknown.items[0]


# --- plain language ------------------------------------------------------------------------

ID_PATTERN = re.compile(
    r"\b(?:dd|client|reg|assets|controls|settlement|fees|reporting|support|priorities)\.[a-z_]+"
)
PROVIDER_IDS = re.compile(
    r"\b(?:coinbase-prime|fidelity-digital-assets|anchorage-digital|bny-mellon|hex-trust)\b"
)


def _visible(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return html


@pytest.fixture(scope="module")
def demo(qset: Any, catalog: Any) -> Any:
    return demo_memo_context(qset, catalog, today=TODAY)


def test_demo_memo_has_no_ids_json_or_paths(demo: Any) -> None:
    for text in (_visible(render_html(demo, TEMPLATES)), render_markdown(demo, TEMPLATES)):
        assert ID_PATTERN.findall(text) == []
        assert PROVIDER_IDS.findall(text) == []
        assert '["' not in text and '{"' not in text
        assert "/work/" not in text and "/tmp/" not in text and "/home/" not in text


def test_answers_appendix_is_compact(demo: Any, qset: Any, catalog: Any) -> None:
    diligence = demo.answers.groups[1:]
    assert [g.title for g in diligence][: len(demo.providers)] == [
        f"Diligence: {p.name}" for p in demo.providers
    ]
    for group in diligence:
        for section in group.sections:
            # unanswered questions are one line with a count, never a row each
            assert all(row.answer for row in section.rows)
            if section.unanswered:
                assert re.match(r"^\d+ not answered: ", section.unanswered)
    # answers on current documents are printed once, in the provider's "What we verified"
    answered = [r for g in diligence for s in g.sections for r in s.rows]
    documented = ("document seen, dated 2026", "public source, dated 2026")
    assert all(
        r.answer.startswith("Unknown") for r in answered if r.evidence.startswith(documented)
    )
    assert any(s.verified for g in diligence for s in g.sections)
    # every mandate answer with a note is printed in full
    from ddwizard.core.demo import load_demo_answers

    mandate = demo.answers.groups[0]
    notes = {r.note for s in mandate.sections for r in s.rows if r.note}
    sheet = load_demo_answers(qset, catalog).sheet
    given = {a.note.strip() for a in sheet.selection.values() if a.note}
    assert given and {" ".join(n.split()) for n in given} <= {" ".join(n.split()) for n in notes}


def test_provider_sections_put_what_we_verified_first(demo: Any) -> None:
    first = demo.providers[0]
    assert first.verified and all(
        v.evidence in ("document", "public source") for v in first.verified
    )
    assert any(v.reference for v in first.verified)
    html = render_html(demo, TEMPLATES)
    section = html.split('id="provider-1"', 1)[1]
    assert (
        section.index("What we verified")
        < section.index("What is open")
        < section.index("Fit with the mandate")
    )
    # stale documents are not "verified"
    for p in demo.providers:
        assert all(v.date > "2025-11-28" for v in p.verified)


def test_methodology_states_the_single_secondary_source_caveat(qset: Any, catalog: Any) -> None:
    from ddwizard.core.provider import ProviderCatalog

    unverified = ProviderCatalog([p.model_copy(update={"last_verified": None}) for p in catalog])
    m = memo_of(qset, unverified, evaluation(RecommendationStatus.SUPPORTED)).methodology
    assert m.caveat.startswith("Every provider profile rests on one secondary source: \u201c")
    assert "Nobody has verified the profiles against primary sources" in m.caveat
    assert {s.last_verified for s in m.sources} == {"not verified"}
    one = ProviderCatalog(
        [
            p if p.id != "bitgo" else p.model_copy(update={"last_verified": TODAY})
            for p in unverified
        ]
    )
    partly = memo_of(qset, one, evaluation(RecommendationStatus.SUPPORTED)).methodology
    assert "1 of 11 profiles record a date" in partly.caveat
    labels = [v.label for v in m.versions]
    assert "Provider data" in labels and "Mandate questionnaire" in labels


def test_non_default_weights_print_their_rationale(qset: Any, catalog: Any) -> None:
    weights = {**WEIGHTS, "liquidity": 20, "security": 35}
    ev = replace(evaluation(RecommendationStatus.SUPPORTED), weights=weights)
    sheet = AnswerSheet(
        selection={
            "client.entity_name": Answer(value="Kestrel Fund"),
            "priorities.weights": Answer(value=weights, note="Nothing is traded; security first."),
        }
    )
    m = memo_of(qset, catalog, ev, sheet=sheet).methodology
    assert m.weights_changed and m.weights_rationale == "Nothing is traded; security first."
    bare = memo_of(qset, catalog, ev).methodology
    assert (
        bare.weights_rationale
        == "No rationale was recorded for weights that differ from the defaults."
    )


# --- integrity, sign-off, supersedes -------------------------------------------------------


def test_unverified_session_says_so_on_every_page(qset: Any, catalog: Any) -> None:
    ev = evaluation(RecommendationStatus.SUPPORTED)
    memo = memo_of(qset, catalog, ev, integrity=MemoIntegrity(False, 3, None, problems=("edited",)))
    assert memo.meta.integrity_banner == "INTEGRITY NOT VERIFIED"
    html = render_html(memo, TEMPLATES)
    assert "running-banner" in html and "INTEGRITY NOT VERIFIED" in html
    assert "string(running-banner)" in html  # the page header and footer carry it
    md = render_markdown(memo, TEMPLATES)
    assert md.startswith("**INTEGRITY NOT VERIFIED**")
    # the caller giving nothing about a session is not a verification either
    unchecked = make_memo_context(
        qset=qset, catalog=catalog, sheet=AnswerSheet(), evaluation=ev, record=record(), today=TODAY
    )
    assert unchecked.meta.integrity_banner == "INTEGRITY NOT VERIFIED"


def test_verified_session_states_what_was_verified(qset: Any, catalog: Any) -> None:
    memo = memo_of(qset, catalog, evaluation(RecommendationStatus.SUPPORTED))
    s = memo.signoff
    assert s.banner == "" and memo.meta.integrity_banner == ""
    assert "12 events" in s.statement and "ab" * 32 in s.statement
    assert ("Audit chain head hash", "ab" * 32) in [(h.label, h.value) for h in s.hashes]
    assert "Limit" not in s.statement
    # a trail bound only from a later event: the statement names what it could not rule out
    partly_bound = memo_of(
        qset,
        catalog,
        evaluation(RecommendationStatus.SUPPORTED),
        integrity=MemoIntegrity(
            True, 12, "ab" * 32, notes=("events 1-9 were written before the trail bound",)
        ),
    )
    assert "Limit of this check: events 1-9 were written before" in partly_bound.signoff.statement
    answers_file = memo_of(
        qset,
        catalog,
        evaluation(RecommendationStatus.SUPPORTED),
        record=record(kind="answers_file", session_id=None),
        integrity=None,
    )
    assert answers_file.signoff.banner == "" and "no audit trail" in answers_file.signoff.statement


def test_override_and_supersedes_come_from_the_audit_trail(qset: Any, catalog: Any) -> None:
    at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    trail = (
        AuditEntry(
            1,
            at,
            "Dana",
            "status_changed",
            "",
            "ready_for_review",
            {
                "status": "final",
                "override": True,
                "reviewer": "Sam Reviewer",
                "rationale": "Residual risk accepted.",
            },
        ),
        AuditEntry(
            2,
            at,
            "Dana",
            "memo_generated",
            "/tmp/old.pdf",
            None,
            {"path": "/tmp/old.pdf", "format": "pdf", "sha256": "cd" * 32},
        ),
        AuditEntry(
            3,
            at.replace(day=25),
            "Dana",
            "reopened",
            "",
            "final",
            "in_progress",
            "committee asked for changes",
        ),
    )
    memo = memo_of(
        qset, catalog, evaluation(RecommendationStatus.PROVISIONAL), record=record(audit=trail)
    )
    assert memo.signoff.supersedes == (
        "This memo supersedes the PDF memo issued on 2026-11-20 (SHA-256 "
        + "cd" * 32
        + "); the review was reopened on 2026-11-25: committee asked for changes."
    )
    final = memo_of(
        qset,
        catalog,
        evaluation(RecommendationStatus.PROVISIONAL),
        record=record(audit=trail[:2], status="final"),
    )
    assert "reviewer Sam Reviewer" in final.signoff.override
    assert "Residual risk accepted." in final.signoff.override
    assert final.signoff.boxes[1].name == "Sam Reviewer"
    audit_text = " ".join(r.subject + " " + r.change for r in memo.audit.rows)
    assert "/tmp/" not in audit_text and "cd" * 32 in audit_text


def test_a_reviewer_named_on_a_supported_final_is_not_called_an_override(
    qset: Any, catalog: Any
) -> None:
    at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    signoff = {"status": "final", "override": False, "reviewer": "Sam", "rationale": "Checked."}
    trail = (AuditEntry(1, at, "Dana", "status_changed", "", "ready_for_review", signoff),)
    memo = memo_of(
        qset,
        catalog,
        evaluation(RecommendationStatus.SUPPORTED),
        record=record(audit=trail, status="final"),
    )
    assert memo.signoff.override == ""
    assert memo.signoff.boxes[1] == SignBox("Reviewed by (compliance)", "Sam", "2026-11-20", "")
    assert memo.signoff.note == (
        "Made final with reviewer Sam named in the sign-off (not an override: the "
        "recommendation was supported at the time); rationale: “Checked.”."
    )
    assert memo.audit.rows[0].change == (
        "ready for review → final; reviewer Sam; rationale “Checked.”"
    )


# --- text that cannot harm the page --------------------------------------------------------


def test_control_characters_never_reach_html_or_markdown(qset: Any, catalog: Any) -> None:
    nasty = "Kestrel\x00 Fund\x1b[2J <b>&amp;</b> " + "W" * 300
    # the answer rules refuse control characters; a hand-edited record must not reach the page
    sheet = AnswerSheet(
        selection={"client.entity_name": Answer.model_construct(value=nasty, note=nasty)}
    )
    memo = memo_of(qset, catalog, evaluation(RecommendationStatus.SUPPORTED), sheet=sheet)
    html = render_html(memo, TEMPLATES)
    md = render_markdown(memo, TEMPLATES)
    for text in (html, md):
        assert "\x00" not in text and "\x1b" not in text
        assert "\\x00" in text and "\\x1b" in text
    assert "&lt;b&gt;" in html
    assert "&lt;" not in md and "&amp;amp;" not in md and "\\<b\\>" in md
    assert "W" * 65 not in html  # long runs get break opportunities
    assert "W" * 300 in md  # Markdown keeps the text as written
    assert len(memo.meta.running_title) <= 70


def test_chart_segments_are_weight_times_score_and_sum_to_the_total() -> None:
    weights = {"liquidity": 30, "security": 25, "coverage": 15, "costs": 15, "ux": 10, "support": 5}
    scores = {
        "liquidity": 80,
        "security": 90,
        "coverage": 60,
        "costs": 40,
        "ux": 70,
        "support": 100,
    }
    total = sum(weights[c] * scores[c] / 100 for c in weights)
    chart = build_score_chart([ChartInput("A", total, scores)], weights)
    (row,) = chart.rows
    assert [s.contribution for s in row.segments] == ["24.0", "22.5", "9.0", "6.0", "7.0", "5.0"]
    width = sum(s.width for s in row.segments)
    assert abs(width - total / 100 * (chart.plot_right - chart.plot_left)) < 0.1


def test_answers_file_record_has_content_evaluation_and_hashes(
    qset: Any, catalog: Any, tmp_path: Path
) -> None:
    import json

    from ddwizard.core.matching import evaluate
    from ddwizard.core.report.context import record_from_answers_file

    ev = evaluate(qset, catalog, AnswerSheet(), today=TODAY)
    rec = record_from_answers_file(
        source_name="x.yaml",
        content=b"answers: {}\n",
        name=None,
        preparer=None,
        evaluation=ev,
        qset=qset,
        catalog=catalog,
    )
    data = json.loads(rec.record_json)
    assert data["answers_file"]["content"] == "answers: {}\n"
    assert data["provider_data_hash"] == catalog.data_hash
    assert data["evaluation"] == json.loads(json.dumps(ev.to_json()))


def test_no_eligible_provider_renders_a_clear_memo(qset: Any, catalog: Any) -> None:
    ev = Evaluation(
        weights=WEIGHTS,
        eligible=(),
        excluded=(),
        recommendation=None,
        recommendation_reason="No provider is eligible under the mandate.",
        alternates=(),
        shortlist=(),
        red_flags=(),
        open_items=(),
        warnings=(
            MandateWarning(
                code="x", severity=Severity.HIGH, message="Fees weighted above security"
            ),
        ),
        robustness=Robustness(None, "not_applicable", "Nothing to compare.", 0.0),
    )
    sheet = AnswerSheet(selection={"client.entity_name": Answer(value="Empty & Co <Ltd>")})
    memo = memo_of(qset, catalog, ev, sheet=sheet)
    html = render_html(memo, TEMPLATES)
    assert "No provider can be recommended" in html
    assert "No provider can be ranked under the mandate." in html
    assert "Empty &amp; Co &lt;Ltd&gt;" in html
    assert "Fees weighted above security" in render_markdown(memo, TEMPLATES)


def test_scoring_reasons_list_unstated_facts_once() -> None:
    from ddwizard.core.report.sections.providers import compact_reasons

    reasons = [
        "+0 a named key technology: not stated in the profile (an unknown earns nothing)",
        "+15 cold storage of client keys",
        "+0 a SOC 2 Type II report: not stated in the profile (an unknown earns nothing)",
    ]
    text = compact_reasons(reasons, {"soc 2 type ii"})
    assert text == (
        "+15 cold storage of client keys; not stated in the profile, so 0 points: "
        "a named key technology; a SOC 2 Type II report (since confirmed in diligence)"
    )
    assert text.count("not stated") == 1
