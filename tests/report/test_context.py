"""The memo context: everything preformatted, so templates only present."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ddwizard.core.answers import Answer, AnswerSheet
from ddwizard.core.usecases.demo import demo_memo_context
from ddwizard.core.questionnaire import DEFAULT_WEIGHTS, Severity
from ddwizard.core.report.chart import ChartInput, build_score_chart
from ddwizard.core.report.context import ReviewRecord, make_memo_context
from ddwizard.core.report.render import render_html, render_markdown
from ddwizard.core.resources import bundled_dir
from ddwizard.core.results import Evaluation, Finding, MandateWarning, Robustness

TODAY = date(2026, 11, 28)


def test_profile_facts_older_than_the_limit_are_stale(qset: Any, catalog: Any) -> None:
    memo = demo_memo_context(qset, catalog, today=TODAY)
    assert memo.stale_after_days == 365
    assert memo.sources and all(s.stale for s in memo.sources)  # verified 2025-09-30
    assert all(p.stale for p in memo.providers)
    fresh = demo_memo_context(qset, catalog, today=date(2025, 12, 1))
    assert not any(s.stale for s in fresh.sources)
    assert fresh.stale_source_count == 0


def test_stale_age_is_configurable(qset: Any, catalog: Any) -> None:
    from ddwizard.core.answers import parse_answers_file
    from ddwizard.core.demo import demo_answers_path
    from ddwizard.core.matching import evaluate

    parsed = parse_answers_file(demo_answers_path(), qset, catalog)
    evaluation = evaluate(qset, catalog, parsed.sheet, today=TODAY)
    record = ReviewRecord(
        kind="answers_file", name=None, preparer=None, status="in_progress", record_json=b"{}"
    )
    memo = make_memo_context(
        qset=qset,
        catalog=catalog,
        sheet=parsed.sheet,
        evaluation=evaluation,
        record=record,
        today=TODAY,
        stale_after_days=5000,
    )
    assert not any(s.stale for s in memo.sources)
    assert memo.stale_after_days == 5000


def test_demo_context_shows_unknowns_findings_by_severity_and_evidence(
    qset: Any, catalog: Any
) -> None:
    memo = demo_memo_context(qset, catalog, today=TODAY)
    assert memo.recommendation is not None and memo.recommendation.id == "bitgo"
    assert [p.id for p in memo.providers] == ["bitgo", "zodia", "komainu"]
    bitgo = memo.providers[0]
    assert bitgo.recommended
    assert any(f.unknown and f.value == "unknown — verify" for f in bitgo.facts)
    zodia = memo.providers[1]
    assert [g.severity for g in zodia.finding_groups] == ["high", "medium"]
    stale_rows = [e for e in bitgo.evidence if e.stale]
    assert [e.document_date for e in stale_rows] == ["2025-06-30", "2025-06-30"]
    # a profile gap the diligence answers settled is listed as closed, not as open
    assert any(
        c.startswith("a current SOC 2 Type II report: confirmed in diligence")
        for c in zodia.confirmed_items
    )
    assert not any("SOC 2 Type II" in o for o in zodia.open_items)
    # severities come first in the red-flag list
    ranks = [Severity(r.severity).rank for r in memo.red_flags]
    assert ranks == sorted(ranks, reverse=True)
    assert memo.mandate_warnings and memo.mandate_warnings[0].subject == "Mandate"
    # the red-flags section merges both lists, most severe first (a medium mandate warning
    # used to lead, above the high findings)
    table = memo.red_flag_table
    assert sorted(map(id, table)) == sorted(map(id, memo.red_flags + memo.mandate_warnings))
    table_ranks = [Severity(r.severity).rank for r in table]
    assert table_ranks == sorted(table_ranks, reverse=True)
    assert table[0].severity == "high" and "Mandate" in [r.subject for r in table]


def test_appendix_marks_not_applicable_questions_with_their_condition(
    qset: Any, catalog: Any
) -> None:
    memo = demo_memo_context(qset, catalog, today=TODAY)
    mandate = memo.answers[0]
    rows = {r.qid: r for s in mandate.sections for r in s.rows}
    skipped = rows["client.sec_registered_adviser"]
    assert skipped.state == "not_applicable"
    # in the questions' own words: a committee never sees question ids or choice ids
    assert skipped.condition == (
        "the answer to \u201cWhat kind of institution is it?\u201d is "
        "\u2018US investment adviser or fund\u2019 or \u2018ETF / ETP issuer or sponsor\u2019"
    )
    assert rows["reg.qualified_custodian"].state == "answered"
    assert "investment policy statement" in rows["reg.qualified_custodian"].note
    assert [g.title for g in memo.answers[1:]] == [
        "Diligence: BitGo Custody",
        "Diligence: Zodia Custody",
        "Diligence: Komainu",
    ]


def test_no_eligible_provider_renders_a_clear_memo(qset: Any, catalog: Any) -> None:
    """A hand-built evaluation: nothing eligible, a critical mandate warning, no shortlist."""
    evaluation = Evaluation(
        weights=dict(DEFAULT_WEIGHTS),
        eligible=(),
        excluded=(),
        recommendation=None,
        recommendation_reason="No provider is eligible under the mandate.",
        alternates=(),
        shortlist=(),
        red_flags=(
            Finding(
                provider_id="bitgo",
                question_id="dd.wallet_model",
                severity=Severity.CRITICAL,
                message="Commingled wallets",
                answer="commingled",
            ),
        ),
        open_items=(),
        warnings=(
            MandateWarning(
                code="x", severity=Severity.HIGH, message="Fees weighted above security"
            ),
        ),
        robustness=Robustness(
            recommendation=None, verdict="not_applicable", summary="Nothing to compare.", margin=0.0
        ),
    )
    sheet = AnswerSheet(selection={"client.entity_name": Answer(value="Empty & Co <Ltd>")})
    record = ReviewRecord(
        kind="answers_file", name="n", preparer="p", status="in_progress", record_json=b"{}"
    )
    memo = make_memo_context(
        qset=qset, catalog=catalog, sheet=sheet, evaluation=evaluation, record=record, today=TODAY
    )
    assert memo.recommendation is None
    assert "no provider can be recommended" in memo.decision_requested
    assert memo.top_risks[0].severity == "critical"
    html = render_html(memo, bundled_dir("report_templates"))
    assert "No provider can be recommended" in html
    assert "No provider is eligible under the mandate, so there is no ranking." in html
    assert "Empty &amp; Co &lt;Ltd&gt;" in html
    md = render_markdown(memo, bundled_dir("report_templates"))
    assert "Commingled wallets" in md


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
    assert len(chart.legend) == 6
    assert row.total == f"{total:.1f}"


def test_answers_file_record_has_content_evaluation_and_hashes(
    qset: Any, catalog: Any, tmp_path: Path
) -> None:
    import json

    from ddwizard.core.matching import evaluate
    from ddwizard.core.report.context import record_from_answers_file

    evaluation = evaluate(qset, catalog, AnswerSheet(), today=TODAY)
    record = record_from_answers_file(
        source_name="x.yaml",
        content=b"answers: {}\n",
        name=None,
        preparer=None,
        evaluation=evaluation,
        qset=qset,
        catalog=catalog,
    )
    data = json.loads(record.record_json)
    assert data["answers_file"]["content"] == "answers: {}\n"
    assert data["provider_data_hash"] == catalog.data_hash
    assert data["questionnaires"]["selection"]["hash"] == qset.selection.content_hash
    assert data["evaluation"] == json.loads(json.dumps(evaluation.to_json()))


def test_audit_trail_summary_collapses_runs_of_the_same_action() -> None:
    from ddwizard.core.report.context import AuditRow, summarize_audit

    def row(seq: int, action: str, target: str, actor: str = "dana") -> AuditRow:
        return AuditRow(str(seq), f"2026-11-28 10:0{seq} UTC", actor, action, target, "")

    rows = [
        row(1, "created", ""),
        *(row(i, "answer set", f"q{i}") for i in range(2, 8)),
        row(8, "answer set", "q8", actor="bob"),
        row(9, "memo generated", "/tmp/m.pdf"),
    ]
    summary = summarize_audit(rows)
    assert [r.action for r in summary] == [
        "created",
        "answer set ×6",
        "answer set",
        "memo generated",
    ]
    collapsed = summary[1]
    assert collapsed.seq == "2–7"
    assert collapsed.target == "6 item(s)"
    assert collapsed.change == "q2, q3, q4, q5, …"
    assert collapsed.at == "2026-11-28 10:02 UTC – 2026-11-28 10:07 UTC"


def test_open_items_are_grouped_by_reason_without_losing_any() -> None:
    from ddwizard.core.report.context import group_open_items

    messages = (
        "Confirm with the provider: staking from custody (not stated in the profile, "
        "last verified 2025-09-30)",
        "Confirm with the provider: Has the custodian faced enforcement actions? (answered unknown)",
        "Confirm with the provider: facts to rate Support (the source states none) "
        "(not stated in the profile, last verified 2025-09-30)",
        "Ask the client to confirm the regions to be served",
    )
    groups = group_open_items(messages)
    assert [g.lead for g in groups] == [
        "Not stated in the profile (last verified 2025-09-30), confirm with the provider",
        "Diligence question answered unknown, confirm with the provider",
        "Other open items",
    ]
    assert groups[0].items == (
        "staking from custody",
        "facts to rate Support (the source states none)",
    )
    assert groups[0].text == "staking from custody; facts to rate Support (the source states none)."
    assert groups[1].text == "Has the custodian faced enforcement actions?"  # no "?." ending
    assert groups[2].items == ("Ask the client to confirm the regions to be served",)
    assert sum(len(g.items) for g in groups) == len(messages)


def test_provider_section_splits_known_and_unknown_facts_and_merges_licences(
    qset: Any, catalog: Any
) -> None:
    memo = demo_memo_context(qset, catalog, today=TODAY)
    for p in memo.providers:
        # every fact is either a row (stated) or named in the "not stated" sentence
        assert [f.label for f in p.facts] == sorted(
            [f.label for f in p.known_facts] + list(p.unknown_facts),
            key=[f.label for f in p.facts].index,
        )
        assert not any(f.unknown for f in p.known_facts)
        assert sum(len(g.items) for g in p.open_item_groups) == len(p.open_items)
        # merged licence rows still name every jurisdiction
        merged = {j for row in p.licence_groups for j in row.jurisdiction.split(", ")}
        assert merged == {row.jurisdiction for row in p.licences}
    zodia = memo.providers[1]
    assert len(zodia.licence_groups) < len(zodia.licences)
    # jurisdictions read as names: short codes upper-case, others by their label
    komainu = next(p for p in memo.providers if p.id == "komainu")
    assert [row.jurisdiction for row in komainu.licences] == ["Jersey", "UAE", "UK", "EU"]


def test_sources_shared_by_providers_are_listed_once(qset: Any, catalog: Any) -> None:
    memo = demo_memo_context(qset, catalog, today=TODAY)
    assert sum(len(g.providers) for g in memo.source_groups) <= len(memo.sources)
    assert len(memo.source_groups) <= len(memo.sources)
    listed = {name for g in memo.source_groups for name in g.providers}
    assert listed == {s.provider for s in memo.sources}


def test_markdown_memo_prints_answers_once_and_groups_open_items(qset: Any, catalog: Any) -> None:
    memo = demo_memo_context(qset, catalog, today=TODAY)
    md = render_markdown(memo, bundled_dir("report_templates"))
    assert "### Evidence" not in md
    assert md.count("Every diligence answer, with note and evidence, is in Appendix A.") == 3
    assert "Not stated in the source, verify with the provider: Legal entity" in md
    assert "Zodia Custody Limited onboarding pack" in md.split("## Appendix A: answers", 1)[1]


def test_demo_document_ages_do_not_depend_on_the_day_it_runs(qset: Any, catalog: Any) -> None:
    """`ddwizard demo` a year later shows the same picture: dates move with the calendar."""
    from datetime import timedelta

    from ddwizard.core.demo import DEMO_DATES_AS_OF, load_demo_answers
    from ddwizard.core.matching import evaluate

    def stale_findings(day: date) -> list[tuple[str, str]]:
        sheet = load_demo_answers(qset, catalog, as_of=day).sheet
        evaluation = evaluate(qset, catalog, sheet, today=day)
        return sorted(
            (f.provider_id or "", f.question_id)
            for f in evaluation.red_flags
            if f.source == "stale_evidence"
        )

    later = DEMO_DATES_AS_OF + timedelta(days=400)
    assert stale_findings(later) == stale_findings(DEMO_DATES_AS_OF)
    assert stale_findings(later) == [
        ("bitgo", "dd.audit_opinion_qualified"),
        ("bitgo", "dd.soc2_type2"),
    ]
    shifted = load_demo_answers(qset, catalog, as_of=later).sheet.diligence["zodia"]
    original = load_demo_answers(qset, catalog).sheet.diligence["zodia"]
    assert shifted["dd.soc2_type2"].document_date == original[
        "dd.soc2_type2"
    ].document_date + timedelta(days=400)  # type: ignore[operator]
