"""The bundled questionnaires keep the QUESTIONS.md contract and their rules behave as specified.

Answer files, sessions and outside checks refer to these ids, so a rename or a dropped choice
must fail here. The red-flag rules are evaluated with the real condition interpreter on
representative answers, the way the diligence engine reads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.answers import Answer, applicable_values, diligence_lookup
from ddwizard.core.conditions import evaluate
from ddwizard.core.loading import load_questionnaires
from ddwizard.core.questionnaire import (
    DEFAULT_WEIGHTS,
    AnswerType,
    QuestionnaireSet,
    Severity,
)

# The contract, copied from QUESTIONS.md: id -> (type, choices in order or None).
SELECTION_CONTRACT: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "client.entity_name": ("text", None),
    "client.entity_type": (
        "single",
        (
            "us_adviser_fund",
            "non_us_fund",
            "etf_issuer",
            "pension_endowment",
            "bank",
            "broker_dealer",
            "corporate_treasury",
            "family_office",
            "foundation",
        ),
    ),
    "client.sec_registered_adviser": ("yn", None),
    "client.home_jurisdiction": (
        "single",
        ("us", "eu", "uk", "ch", "sg", "hk", "uae", "jersey", "apac_other", "other"),
    ),
    "client.regions": (
        "multi",
        ("us", "eu", "uk", "ch", "sg", "hk", "uae", "apac_other", "mena_other"),
    ),
    "client.aum_usd_m": ("number", None),
    "reg.qualified_custodian": ("yn", None),
    "reg.min_standing": ("single", ("any_regulated", "trust_or_bank", "bank")),
    "reg.bank_backed": ("single", ("required", "preferred", "no_preference")),
    "reg.licence_required_in": ("multi", ("us", "eu", "uk", "ch", "sg", "hk", "uae", "jersey")),
    "reg.etf_servicing": ("yn", None),
    "reg.brand_preference": ("single", ("traditional_finance", "crypto_native", "no_preference")),
    "assets.required": (
        "multi",
        ("btc", "eth", "sol", "stablecoins", "erc20_long_tail", "tokenized_securities", "other_l1"),
    ),
    "assets.staking": ("yn", None),
    "assets.staking_assets": ("multi", ("eth", "sol", "dot", "atom", "ada", "avax", "other")),
    "assets.slashing_borne_by_provider": ("yn", None),
    "assets.governance": ("yn", None),
    "controls.key_tech": ("single", ("no_preference", "hsm", "mpc", "multisig")),
    "controls.cold_storage_priority": ("single", ("critical", "important", "normal")),
    "controls.policy_engine": ("yn", None),
    "controls.min_approvers": ("number", None),
    "controls.insurance_required": ("yn", None),
    "settlement.trade_from_custody": ("yn", None),
    "settlement.instant_network": ("yn", None),
    "settlement.otc_rfq": ("yn", None),
    "fees.sensitivity": ("single", ("low", "medium", "high")),
    "fees.max_bps": ("number", None),
    "fees.published_schedule_required": ("yn", None),
    "reporting.soc1": ("yn", None),
    "reporting.soc2": ("yn", None),
    "reporting.api": ("yn", None),
    "reporting.statement_frequency": ("single", ("daily", "monthly", "quarterly")),
    "support.always_on": ("yn", None),
    "support.white_glove": ("yn", None),
    "priorities.weights": ("weights", None),
    # Added after 2025.09
    "controls.segregation_required": (
        "single",
        ("per_client_wallets", "client_only_omnibus_ok", "no_preference"),
    ),
    "reg.bankruptcy_remoteness_required": ("yn", None),
    "reg.custody_authorisation_required": ("yn", None),
    "settlement.prime_financing": ("yn", None),
    "fees.network_fees_at_cost": ("yn", None),
    "support.sla_required": ("yn", None),
}

DILIGENCE_CONTRACT: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "dd.legal_entity_identified": ("yn", None),
    "dd.ownership_chart_seen": ("yn", None),
    "dd.licences_verified": ("yn", None),
    "dd.enforcement_actions": ("yn", None),
    "dd.custody_entity_separate": ("yn", None),
    "dd.wallet_model": ("single", ("segregated_per_client", "omnibus_client_only", "commingled")),
    "dd.legal_basis": ("single", ("trust_or_statutory", "bailment", "contract_only")),
    "dd.bankruptcy_opinion": ("yn", None),
    "dd.rehypothecation": ("yn", None),
    "dd.client_can_verify_addresses": ("yn", None),
    "dd.key_ceremony_documented": ("yn", None),
    "dd.withdrawal_quorum": ("number", None),
    "dd.allowlisting_enforced": ("yn", None),
    "dd.key_compromise_tested": ("yn", None),
    "dd.ccss_level": ("single", ("none", "level_1", "level_2", "level_3")),
    "dd.cold_storage_pct": ("number", None),
    "dd.soc1_type2": ("yn", None),
    "dd.soc2_type2": ("yn", None),
    "dd.audit_opinion_qualified": ("yn", None),
    "dd.audited_financials": ("yn", None),
    "dd.pentest_12m": ("yn", None),
    "dd.insurance_certificate_seen": ("yn", None),
    "dd.insurance_limit_usd_m": ("number", None),
    "dd.sub_custodians_disclosed": ("yn", None),
    "dd.incidents": ("single", ("none", "disclosed", "undisclosed_loss")),
    "dd.bcp_tested": ("yn", None),
    "dd.slashing_treatment": ("single", ("provider_indemnifies", "shared", "client_bears")),
    "dd.staked_assets_segregated": ("yn", None),
    "dd.travel_rule": ("yn", None),
    "dd.disclosure_quality": ("single", ("full", "partial", "limited")),
    "dd.fee_schedule_received": ("yn", None),
    "dd.exit_terms": ("yn", None),
    "dd.sla_contractual": ("yn", None),
    "dd.statement_frequency": ("single", ("daily", "monthly", "quarterly", "less_often")),
    # Added after 2025.09
    "dd.governance_oversight": ("yn", None),
    "dd.liability_standard": (
        "single",
        ("full_for_loss", "negligence_only", "capped", "unknown"),
    ),
    "dd.reconciliation_daily": ("yn", None),
    "dd.proof_of_reserves": ("single", ("independent_attestation", "self_published", "none")),
    "dd.soc_scope_covers_entity": ("yn", None),
    "dd.insurance_structure": ("single", ("per_client", "shared_aggregate", "none")),
    "dd.airdrop_fork_policy": ("yn", None),
    "dd.validator_operator": ("single", ("in_house", "third_party_disclosed", "undisclosed")),
    "dd.kyt_sanctions_screening": ("yn", None),
    "dd.bcp_rto_hours": ("number", None),
    "dd.qc_representation": ("yn", None),
}

ROW = re.compile(r"^\|\s*([a-z]+\.[a-z0-9_]+)\s*\|\s*([^|]*)\|\s*([^|]*)\|")
TYPE_NAMES = {t.value for t in AnswerType}


def parse_questions_md(text: str) -> dict[str, dict[str, tuple[str, tuple[str, ...] | None]]]:
    """The contract tables of QUESTIONS.md: id -> (type, choices or None), per file.

    Tables sit under "## questionnaires/selection.yaml" and, for ids added later, under
    "### Mandate (selection.yaml)"; rows of both go to the same file's table.
    """
    tables: dict[str, dict[str, tuple[str, tuple[str, ...] | None]]] = {}
    current: str | None = None
    for line in text.splitlines():
        heading = re.match(r"^#{2,3}\s+.*?\b(selection|diligence)\.yaml", line)
        if heading:
            current = heading.group(1)
            tables.setdefault(current, {})
            continue
        if line.startswith("## "):
            current = None
            continue
        row = ROW.match(line)
        if current is None or row is None:
            continue
        qid, type_cell, third = row.group(1), row.group(2).strip(), row.group(3).strip()
        kind = re.match(r"[a-z]+", type_cell)
        assert kind is not None and kind.group(0) in TYPE_NAMES, line
        qtype = kind.group(0)
        choices: tuple[str, ...] | None = None
        if qtype in ("single", "multi"):
            # Selection lists choices in the third column, diligence after "single:".
            listed = type_cell.partition(":")[2] if ":" in type_cell else third
            listed = listed.split(";")[0]
            choices = tuple(c.strip() for c in listed.split(",") if c.strip())
        tables[current][qid] = (qtype, choices)
    return tables


def contract_of(qset: QuestionnaireSet, kind: str) -> dict[str, tuple[str, tuple[str, ...] | None]]:
    qn = qset.selection if kind == "selection" else qset.diligence
    return {q.id: (q.type.value, q.choice_ids if q.choices else None) for q in qn.questions()}


def assert_contract_kept(
    actual: Mapping[str, tuple[str, tuple[str, ...] | None]],
    contract: Mapping[str, tuple[str, tuple[str, ...] | None]],
) -> None:
    missing = sorted(set(contract) - set(actual))
    assert not missing, f"contract ids missing: {missing}"
    for qid, (qtype, choices) in contract.items():
        got_type, got_choices = actual[qid]
        assert got_type == qtype, f"{qid}: type {got_type}, contract says {qtype}"
        if choices is not None:
            assert got_choices is not None
            lacking = [c for c in choices if c not in got_choices]
            assert not lacking, f"{qid}: choices missing {lacking}"


# --- contract --------------------------------------------------------------------------


def test_bundled_set_loads_with_expected_ids_and_kinds(qset: QuestionnaireSet) -> None:
    assert (qset.selection.id, qset.selection.kind) == ("selection", "selection")
    assert (qset.diligence.id, qset.diligence.kind) == ("diligence", "diligence")
    assert qset.check() == []
    for qn in (qset.selection, qset.diligence):
        assert re.fullmatch(r"\d{4}\.\d{2}\.\d+", qn.version), qn.version
        assert qn.title and qn.description


def test_hard_coded_contract_is_kept(qset: QuestionnaireSet) -> None:
    assert_contract_kept(contract_of(qset, "selection"), SELECTION_CONTRACT)
    assert_contract_kept(contract_of(qset, "diligence"), DILIGENCE_CONTRACT)
    # Choices are exactly those of the contract, in its order (comparisons rely on order).
    for kind, contract in (("selection", SELECTION_CONTRACT), ("diligence", DILIGENCE_CONTRACT)):
        actual = contract_of(qset, kind)
        for qid, (_, choices) in contract.items():
            assert actual[qid][1] == choices, qid


def test_questions_md_contract_is_kept(qset: QuestionnaireSet, repo_root: Path) -> None:
    spec = Path(repo_root).parent / "shared/spec/QUESTIONS.md"
    if not spec.is_file():
        pytest.skip(f"{spec} not present in this checkout")
    tables = parse_questions_md(spec.read_text(encoding="utf-8"))
    assert set(tables) == {"selection", "diligence"}
    # The parser itself must agree with the hard-coded copy, or one of them is stale.
    assert tables["selection"] == SELECTION_CONTRACT
    assert tables["diligence"] == DILIGENCE_CONTRACT
    assert_contract_kept(contract_of(qset, "selection"), tables["selection"])
    assert_contract_kept(contract_of(qset, "diligence"), tables["diligence"])


def test_each_id_lives_in_its_questionnaire(qset: QuestionnaireSet) -> None:
    for qid in SELECTION_CONTRACT:
        assert qset.is_selection(qid), qid
    for qid in DILIGENCE_CONTRACT:
        assert qid in qset and not qset.is_selection(qid), qid


def test_entity_name_is_the_first_required_text_question(qset: QuestionnaireSet) -> None:
    first = next(iter(qset.selection.questions()))
    assert first.id == "client.entity_name"
    assert first.type is AnswerType.TEXT
    assert first.required is True


def test_selection_sections_group_questions_by_prefix(qset: QuestionnaireSet) -> None:
    for section in qset.selection.sections:
        prefixes = {q.id.split(".")[0] for q in section.questions}
        assert len(prefixes) == 1, (section.id, prefixes)


def test_ranges_and_defaults(qset: QuestionnaireSet) -> None:
    aum = qset.question("client.aum_usd_m")
    assert (aum.min, aum.max, aum.unit) == (0, None, "USD m")
    approvers = qset.question("controls.min_approvers")
    assert (approvers.min, approvers.max, approvers.integer, approvers.default) == (1, 10, True, 2)
    max_bps = qset.question("fees.max_bps")
    assert (max_bps.min, max_bps.max, max_bps.required) == (0, 1000, False)
    quorum = qset.question("dd.withdrawal_quorum")
    assert (quorum.min, quorum.max, quorum.integer) == (1, 20, True)
    cold = qset.question("dd.cold_storage_pct")
    assert (cold.min, cold.max) == (0, 100)
    limit = qset.question("dd.insurance_limit_usd_m")
    assert limit.min == 0
    assert qset.question("priorities.weights").default == dict(DEFAULT_WEIGHTS)


# --- help and labels -------------------------------------------------------------------


def test_every_question_explains_why_it_matters(qset: QuestionnaireSet) -> None:
    helps: list[str] = []
    for qn in (qset.selection, qset.diligence):
        for q in qn.questions():
            text = q.help.strip()
            sentences = re.findall(r"[.!?](?:\s|$)", text)
            assert len(text) >= 60, f"{q.id}: help too short"
            assert 1 <= len(sentences) <= 3, f"{q.id}: help should be 1-3 sentences"
            assert text != q.prompt.strip(), q.id
            assert q.prompt.strip().endswith("?") or q.type is AnswerType.WEIGHTS, q.id
            assert q.drives, f"{q.id}: no 'drives' note"
            helps.append(text)
    assert len(set(helps)) == len(helps), "help texts are copied between questions"


def test_choice_labels_are_human_readable(qset: QuestionnaireSet) -> None:
    for qn in (qset.selection, qset.diligence):
        for q in qn.questions():
            for choice in q.choices:
                assert choice.label != choice.id, f"{q.id}.{choice.id}"
                assert choice.label[0].isupper(), f"{q.id}.{choice.id}: {choice.label!r}"
                assert "_" not in choice.label, f"{q.id}.{choice.id}: {choice.label!r}"


def test_sections_have_titles_and_intros(qset: QuestionnaireSet) -> None:
    for qn in (qset.selection, qset.diligence):
        for section in qn.sections:
            assert section.title and section.intro, section.id


# --- conditions ------------------------------------------------------------------------


def answers(**values: Any) -> dict[str, Answer]:
    """Answers keyed by question id; keyword names use '__' for the dot."""
    return {key.replace("__", "."): Answer(value=value) for key, value in values.items()}


def test_sec_adviser_question_follows_entity_type(qset: QuestionnaireSet) -> None:
    adviser = applicable_values(
        qset,
        answers(client__entity_type="us_adviser_fund", client__sec_registered_adviser="yes"),
    )
    assert adviser.get("client.sec_registered_adviser") == "yes"
    etf = applicable_values(
        qset, answers(client__entity_type="etf_issuer", client__sec_registered_adviser="no")
    )
    assert etf.get("client.sec_registered_adviser") == "no"
    bank = applicable_values(
        qset, answers(client__entity_type="bank", client__sec_registered_adviser="yes")
    )
    assert "client.sec_registered_adviser" not in bank
    assert bank["client.entity_type"] == "bank"
    unanswered = applicable_values(qset, answers(client__sec_registered_adviser="yes"))
    assert "client.sec_registered_adviser" not in unanswered
    # An offshore fund run by an SEC-registered adviser is under the Custody Rule too.
    offshore = applicable_values(
        qset, answers(client__entity_type="non_us_fund", client__sec_registered_adviser="yes")
    )
    assert offshore.get("client.sec_registered_adviser") == "yes"


def test_custody_authorisation_question_follows_the_licence_list(qset: QuestionnaireSet) -> None:
    qid = "reg.custody_authorisation_required"
    listed = applicable_values(
        qset, answers(reg__licence_required_in=["uk"], reg__custody_authorisation_required="yes")
    )
    assert listed.get(qid) == "yes"
    empties: tuple[list[str] | None, ...] = ([], None)
    for empty in empties:
        given: dict[str, Any] = {"reg.custody_authorisation_required": "yes"}
        if empty is not None:
            given["reg.licence_required_in"] = empty
        hidden = applicable_values(qset, answers(**_dunder(given)))
        assert qid not in hidden, empty


def test_qualified_custodian_representation_only_for_a_qc_mandate(qset: QuestionnaireSet) -> None:
    question = qset.question("dd.qc_representation")
    given = answers(dd__qc_representation="no")
    assert qset.is_shown(
        question, diligence_lookup(qset, {"reg.qualified_custodian": "yes"}, given)
    )
    for other in ({"reg.qualified_custodian": "no"}, {"reg.qualified_custodian": "unknown"}, {}):
        assert not qset.is_shown(question, diligence_lookup(qset, other, given)), other


def test_staking_questions_follow_the_staking_answer(qset: QuestionnaireSet) -> None:
    staking = {
        "assets.staking_assets": ["eth", "sol"],
        "assets.slashing_borne_by_provider": "yes",
    }
    shown = applicable_values(
        qset, {**answers(assets__staking="yes"), **answers(**_dunder(staking))}
    )
    assert shown["assets.staking_assets"] == ["eth", "sol"]
    assert shown["assets.slashing_borne_by_provider"] == "yes"
    for no_staking in ("no", "unknown"):
        hidden = applicable_values(
            qset, {**answers(assets__staking=no_staking), **answers(**_dunder(staking))}
        )
        assert "assets.staking_assets" not in hidden
        assert "assets.slashing_borne_by_provider" not in hidden
    # A YAML boolean loaded from an answers file means the same as "yes".
    as_bool = applicable_values(
        qset, {**answers(assets__staking=True), **answers(**_dunder(staking))}
    )
    assert "assets.staking_assets" in as_bool


def _dunder(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key.replace(".", "__"): value for key, value in values.items()}


def test_diligence_staking_questions_follow_the_mandate(qset: QuestionnaireSet) -> None:
    provider_answers = answers(
        dd__slashing_treatment="shared",
        dd__staked_assets_segregated="yes",
        dd__validator_operator="in_house",
    )
    for qid in ("dd.slashing_treatment", "dd.staked_assets_segregated", "dd.validator_operator"):
        question = qset.question(qid)
        staking = diligence_lookup(qset, {"assets.staking": "yes"}, provider_answers)
        no_staking = diligence_lookup(qset, {"assets.staking": "no"}, provider_answers)
        silent = diligence_lookup(qset, {}, provider_answers)
        assert qset.is_shown(question, staking), qid
        assert not qset.is_shown(question, no_staking), qid
        assert not qset.is_shown(question, silent), qid
    # Questions without a condition are always asked.
    assert qset.is_shown(qset.question("dd.wallet_model"), silent)


def test_only_the_specified_questions_are_conditional(qset: QuestionnaireSet) -> None:
    conditional = {
        q.id
        for qn in (qset.selection, qset.diligence)
        for q in qn.questions()
        if q.show_if is not None
    }
    assert conditional == {
        "client.sec_registered_adviser",
        "assets.staking_assets",
        "assets.slashing_borne_by_provider",
        "reg.custody_authorisation_required",
        "dd.slashing_treatment",
        "dd.staked_assets_segregated",
        "dd.validator_operator",
        "dd.qc_representation",
    }


# --- red flags -------------------------------------------------------------------------


def fired(
    qset: QuestionnaireSet, provider: Mapping[str, Any], mandate: Mapping[str, Any] | None = None
) -> set[tuple[str, str]]:
    """(question id, severity) of every diligence rule that holds for these answers."""
    provider_answers = {qid: Answer(value=value) for qid, value in provider.items()}
    lookup = diligence_lookup(qset, dict(mandate or {}), provider_answers)
    return {
        (q.id, rule.severity.value)
        for q in qset.diligence.questions()
        for rule in q.red_flags
        if evaluate(rule.when, lookup, qset.order)
    }


def test_no_answers_raise_no_flags(qset: QuestionnaireSet) -> None:
    assert fired(qset, {}) == set()
    assert fired(qset, {}, {"controls.insurance_required": "yes", "client.aum_usd_m": 500}) == set()


def test_critical_rules_are_exactly_the_four_from_the_table(qset: QuestionnaireSet) -> None:
    critical = {q.id for q in qset.diligence.questions() if q.worst_severity is Severity.CRITICAL}
    assert critical == {
        "dd.legal_entity_identified",
        "dd.wallet_model",
        "dd.rehypothecation",
        "dd.incidents",
    }


def test_every_rule_has_message_and_mitigation(qset: QuestionnaireSet) -> None:
    for q in qset.diligence.questions():
        for rule in q.red_flags:
            assert rule.message.strip(), q.id
            assert rule.mitigation and len(rule.mitigation) > 20, q.id
            assert q.id in set(rule.when.questions()), f"{q.id}: rule does not read its question"


@pytest.mark.parametrize(
    ("question", "trigger", "harmless", "severity"),
    [
        ("dd.legal_entity_identified", "no", "yes", "critical"),
        ("dd.ownership_chart_seen", "no", "yes", "high"),
        ("dd.licences_verified", "no", "yes", "high"),
        ("dd.enforcement_actions", "yes", "no", "high"),
        ("dd.custody_entity_separate", "no", "yes", "high"),
        ("dd.wallet_model", "commingled", "segregated_per_client", "critical"),
        ("dd.wallet_model", "commingled", "omnibus_client_only", "critical"),
        ("dd.legal_basis", "contract_only", "bailment", "high"),
        ("dd.bankruptcy_opinion", "no", "yes", "high"),
        ("dd.rehypothecation", "yes", "no", "critical"),
        ("dd.client_can_verify_addresses", "no", "yes", "medium"),
        ("dd.key_ceremony_documented", "no", "yes", "high"),
        ("dd.allowlisting_enforced", "no", "yes", "high"),
        ("dd.key_compromise_tested", "no", "yes", "high"),
        ("dd.cold_storage_pct", 80, 95, "medium"),
        ("dd.cold_storage_pct", 89.9, 90, "medium"),
        ("dd.audit_opinion_qualified", "yes", "no", "high"),
        ("dd.audited_financials", "no", "yes", "high"),
        ("dd.pentest_12m", "no", "yes", "medium"),
        ("dd.sub_custodians_disclosed", "no", "yes", "high"),
        ("dd.incidents", "undisclosed_loss", "disclosed", "critical"),
        ("dd.bcp_tested", "no", "yes", "medium"),
        ("dd.staked_assets_segregated", "no", "yes", "high"),
        ("dd.travel_rule", "no", "yes", "high"),
        ("dd.disclosure_quality", "limited", "partial", "high"),
        ("dd.fee_schedule_received", "no", "yes", "low"),
        ("dd.exit_terms", "no", "yes", "medium"),
        ("dd.sla_contractual", "no", "yes", "low"),
        ("dd.governance_oversight", "no", "yes", "medium"),
        ("dd.liability_standard", "capped", "full_for_loss", "medium"),
        ("dd.liability_standard", "negligence_only", "full_for_loss", "medium"),
        ("dd.reconciliation_daily", "no", "yes", "high"),
        ("dd.proof_of_reserves", "none", "self_published", "medium"),
        ("dd.soc_scope_covers_entity", "no", "yes", "high"),
        ("dd.insurance_structure", "shared_aggregate", "per_client", "medium"),
        ("dd.airdrop_fork_policy", "no", "yes", "medium"),
        ("dd.kyt_sanctions_screening", "no", "yes", "high"),
    ],
)
def test_single_answer_rules(
    qset: QuestionnaireSet, question: str, trigger: Any, harmless: Any, severity: str
) -> None:
    assert fired(qset, {question: trigger}) == {(question, severity)}
    assert fired(qset, {question: harmless}) == set()
    assert fired(qset, {question: "unknown"}) == set()  # the engine handles unknown itself


def test_yaml_booleans_trigger_like_words(qset: QuestionnaireSet) -> None:
    assert fired(qset, {"dd.rehypothecation": True}) == {("dd.rehypothecation", "critical")}
    assert fired(qset, {"dd.legal_entity_identified": False}) == {
        ("dd.legal_entity_identified", "critical")
    }


def test_commingled_wallets_are_critical_with_the_table_message(qset: QuestionnaireSet) -> None:
    rule = qset.question("dd.wallet_model").red_flags[0]
    assert rule.severity is Severity.CRITICAL
    assert "commingled" in rule.message.lower()
    ownership = qset.question("dd.legal_entity_identified").red_flags[0]
    assert "ownership" in ownership.message.lower()
    limited = qset.question("dd.disclosure_quality").red_flags[0]
    assert "limited disclosures" in limited.message.lower()


def test_withdrawal_quorum_against_the_mandate(qset: QuestionnaireSet) -> None:
    quorum = "dd.withdrawal_quorum"
    high = {(quorum, "high")}
    assert fired(qset, {quorum: 1}, {"controls.min_approvers": 3}) == high
    assert fired(qset, {quorum: 2}, {"controls.min_approvers": 3}) == high
    assert fired(qset, {quorum: 3}, {"controls.min_approvers": 3}) == set()
    assert fired(qset, {quorum: 3}, {"controls.min_approvers": 2}) == set()
    # Without a mandate answer the threshold defaults to two approvers.
    assert fired(qset, {quorum: 1}) == high
    assert fired(qset, {quorum: 2}) == set()


def test_soc_rule_needs_both_reports_missing(qset: QuestionnaireSet) -> None:
    neither = fired(qset, {"dd.soc1_type2": "no", "dd.soc2_type2": "no"})
    assert neither == {("dd.soc2_type2", "high")}
    rule = qset.question("dd.soc2_type2").red_flags[-1]
    assert rule.message == "Neither SOC 1 Type II nor SOC 2 Type II report"
    assert fired(qset, {"dd.soc1_type2": "yes", "dd.soc2_type2": "no"}) == set()
    assert fired(qset, {"dd.soc1_type2": "no", "dd.soc2_type2": "yes"}) == set()
    assert fired(qset, {"dd.soc1_type2": "no"}) == set()


def test_insurance_certificate_severity_depends_on_the_mandate(qset: QuestionnaireSet) -> None:
    cert = "dd.insurance_certificate_seen"
    required = fired(qset, {cert: "no"}, {"controls.insurance_required": "yes"})
    assert required == {(cert, "high")}  # high only, not high and medium
    assert fired(qset, {cert: "no"}, {"controls.insurance_required": "no"}) == {(cert, "medium")}
    assert fired(qset, {cert: "no"}) == {(cert, "medium")}
    assert fired(qset, {cert: "yes"}, {"controls.insurance_required": "yes"}) == set()


@pytest.mark.parametrize(
    ("report", "mandate"), [("soc1", "reporting.soc1"), ("soc2", "reporting.soc2")]
)
def test_a_soc_report_the_mandate_requires_answered_no_is_high(
    qset: QuestionnaireSet, report: str, mandate: str
) -> None:
    qid = f"dd.{report}_type2"
    other = "dd.soc2_type2" if report == "soc1" else "dd.soc1_type2"
    assert fired(qset, {qid: "no", other: "yes"}, {mandate: "yes"}) == {(qid, "high")}
    assert fired(qset, {qid: "no", other: "yes"}, {mandate: "no"}) == set()
    assert fired(qset, {qid: "yes", other: "yes"}, {mandate: "yes"}) == set()
    assert fired(qset, {qid: "unknown"}, {mandate: "yes"}) == set()  # the engine judges unknown


def test_cold_storage_is_high_under_a_critical_mandate(qset: QuestionnaireSet) -> None:
    cold = "dd.cold_storage_pct"
    critical = {"controls.cold_storage_priority": "critical"}
    assert fired(qset, {cold: 80}, critical) == {(cold, "high")}  # high only
    assert fired(qset, {cold: 95}, critical) == set()
    assert fired(qset, {cold: 80}, {"controls.cold_storage_priority": "important"}) == {
        (cold, "medium")
    }


def test_insurance_structure_against_the_mandate(qset: QuestionnaireSet) -> None:
    structure = "dd.insurance_structure"
    required = {"controls.insurance_required": "yes"}
    assert fired(qset, {structure: "none"}, required) == {(structure, "high")}
    assert fired(qset, {structure: "none"}) == set()
    assert fired(qset, {structure: "shared_aggregate"}, required) == {(structure, "medium")}
    assert fired(qset, {structure: "per_client"}, required) == set()


def test_zero_insurance_limit_under_an_insurance_mandate_is_high(qset: QuestionnaireSet) -> None:
    limit = "dd.insurance_limit_usd_m"
    required = {"controls.insurance_required": "yes", "client.aum_usd_m": 100}
    assert fired(qset, {limit: 0}, required) == {(limit, "high")}
    assert fired(qset, {limit: 0}, {"client.aum_usd_m": 100}) == {(limit, "medium")}
    assert fired(qset, {limit: 150}, required) == set()


def test_validator_operator_rules(qset: QuestionnaireSet) -> None:
    staking = {"assets.staking": "yes"}
    qid = "dd.validator_operator"
    assert fired(qset, {qid: "undisclosed"}, staking) == {(qid, "medium")}
    assert fired(qset, {qid: "third_party_disclosed"}, staking) == set()


def test_qc_representation_rule(qset: QuestionnaireSet) -> None:
    qid = "dd.qc_representation"
    assert fired(qset, {qid: "no"}, {"reg.qualified_custodian": "yes"}) == {(qid, "high")}
    assert fired(qset, {qid: "yes"}, {"reg.qualified_custodian": "yes"}) == set()


def test_recovery_time_is_informational(qset: QuestionnaireSet) -> None:
    rto = qset.question("dd.bcp_rto_hours")
    assert rto.red_flags == ()
    assert (rto.type, rto.min, rto.unit) == (AnswerType.NUMBER, 0, "hours")


def test_insurance_limit_against_assets_under_custody(qset: QuestionnaireSet) -> None:
    limit = "dd.insurance_limit_usd_m"
    assert fired(qset, {limit: 50}, {"client.aum_usd_m": 100}) == {(limit, "medium")}
    assert fired(qset, {limit: 100}, {"client.aum_usd_m": 100}) == set()
    assert fired(qset, {limit: 250}, {"client.aum_usd_m": 100}) == set()
    assert fired(qset, {limit: 50}) == set()  # no AUM given: nothing to compare with


def test_slashing_treatment_against_the_mandate(qset: QuestionnaireSet) -> None:
    slashing = "dd.slashing_treatment"
    provider_must_bear = {"assets.staking": "yes", "assets.slashing_borne_by_provider": "yes"}
    assert fired(qset, {slashing: "client_bears"}, provider_must_bear) == {(slashing, "high")}
    assert fired(qset, {slashing: "shared"}, provider_must_bear) == {(slashing, "medium")}
    assert fired(qset, {slashing: "provider_indemnifies"}, provider_must_bear) == set()
    relaxed = {"assets.staking": "yes", "assets.slashing_borne_by_provider": "no"}
    assert fired(qset, {slashing: "client_bears"}, relaxed) == set()


@pytest.mark.parametrize(
    ("provider", "mandate", "flagged"),
    [
        ("quarterly", "monthly", True),
        ("quarterly", "quarterly", False),
        ("monthly", "quarterly", False),
        ("daily", "daily", False),
        ("monthly", "daily", True),
        ("less_often", "quarterly", True),
    ],
)
def test_statement_frequency_against_the_mandate(
    qset: QuestionnaireSet, provider: str, mandate: str, flagged: bool
) -> None:
    result = fired(
        qset,
        {"dd.statement_frequency": provider},
        {"reporting.statement_frequency": mandate},
    )
    assert result == ({("dd.statement_frequency", "medium")} if flagged else set())


def test_statement_frequency_without_a_mandate_raises_nothing(qset: QuestionnaireSet) -> None:
    assert fired(qset, {"dd.statement_frequency": "less_often"}) == set()


def test_ccss_level_is_informational_only(qset: QuestionnaireSet) -> None:
    ccss = qset.question("dd.ccss_level")
    assert all(rule.severity is Severity.LOW for rule in ccss.red_flags)
    assert fired(qset, {"dd.ccss_level": "level_2"}) == set()


def test_a_fully_clean_provider_raises_nothing(qset: QuestionnaireSet) -> None:
    clean = {
        "dd.legal_entity_identified": "yes",
        "dd.ownership_chart_seen": "yes",
        "dd.licences_verified": "yes",
        "dd.enforcement_actions": "no",
        "dd.custody_entity_separate": "yes",
        "dd.wallet_model": "segregated_per_client",
        "dd.legal_basis": "trust_or_statutory",
        "dd.bankruptcy_opinion": "yes",
        "dd.rehypothecation": "no",
        "dd.client_can_verify_addresses": "yes",
        "dd.key_ceremony_documented": "yes",
        "dd.withdrawal_quorum": 3,
        "dd.allowlisting_enforced": "yes",
        "dd.key_compromise_tested": "yes",
        "dd.ccss_level": "level_3",
        "dd.cold_storage_pct": 98,
        "dd.soc1_type2": "yes",
        "dd.soc2_type2": "yes",
        "dd.audit_opinion_qualified": "no",
        "dd.audited_financials": "yes",
        "dd.pentest_12m": "yes",
        "dd.insurance_certificate_seen": "yes",
        "dd.insurance_limit_usd_m": 500,
        "dd.sub_custodians_disclosed": "yes",
        "dd.incidents": "none",
        "dd.bcp_tested": "yes",
        "dd.slashing_treatment": "provider_indemnifies",
        "dd.staked_assets_segregated": "yes",
        "dd.travel_rule": "yes",
        "dd.disclosure_quality": "full",
        "dd.fee_schedule_received": "yes",
        "dd.exit_terms": "yes",
        "dd.sla_contractual": "yes",
        "dd.statement_frequency": "daily",
        "dd.governance_oversight": "yes",
        "dd.liability_standard": "full_for_loss",
        "dd.reconciliation_daily": "yes",
        "dd.proof_of_reserves": "independent_attestation",
        "dd.soc_scope_covers_entity": "yes",
        "dd.insurance_structure": "per_client",
        "dd.airdrop_fork_policy": "yes",
        "dd.validator_operator": "in_house",
        "dd.kyt_sanctions_screening": "yes",
        "dd.bcp_rto_hours": 4,
        "dd.qc_representation": "yes",
    }
    assert set(clean) == set(DILIGENCE_CONTRACT)
    mandate = {
        "controls.min_approvers": 3,
        "controls.insurance_required": "yes",
        "client.aum_usd_m": 400,
        "assets.staking": "yes",
        "assets.slashing_borne_by_provider": "yes",
        "reporting.statement_frequency": "daily",
        "reporting.soc1": "yes",
        "reporting.soc2": "yes",
        "controls.cold_storage_priority": "critical",
        "reg.qualified_custodian": "yes",
    }
    assert fired(qset, clean, mandate) == set()


# --- versions and hashes ---------------------------------------------------------------


def test_versions_and_hashes_are_stable_across_loads(repo_root: Path) -> None:
    first = load_questionnaires(repo_root / "questionnaires")
    second = load_questionnaires(repo_root / "questionnaires")
    assert first.versions == second.versions
    for kind in ("selection", "diligence"):
        assert re.fullmatch(r"[0-9a-f]{64}", first.versions[kind]["hash"])
    assert first.versions["selection"]["hash"] != first.versions["diligence"]["hash"]
    assert first.selection.question_hashes() == second.selection.question_hashes()
    assert first.diligence.question_hashes() == second.diligence.question_hashes()


def test_default_bundled_folder_is_the_repo_folder(repo_root: Path) -> None:
    bundled = load_questionnaires()
    from_repo = load_questionnaires(repo_root / "questionnaires")
    assert bundled.versions == from_repo.versions
