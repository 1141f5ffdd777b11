"""The mandate in brief: the client's requirements as labels and answers, and its warnings.

Mandate warnings are counted and referred to the red-flags table, where they are listed once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ddwizard.core.questionnaire import CRITERIA, CRITERION_LABELS, DEFAULT_WEIGHTS, format_value
from ddwizard.core.report.inputs import MemoInputs
from ddwizard.core.report.sections.common import LabelValue
from ddwizard.core.report.text import clean, plural

MANDATE_LABELS: Mapping[str, str] = {
    "client.entity_type": "Institution type",
    "client.home_jurisdiction": "Domicile",
    "client.regions": "Regions to be served",
    "client.aum_usd_m": "Assets to hold in custody",
    "reg.qualified_custodian": "Qualified custodian required",
    "reg.min_standing": "Minimum regulatory standing",
    "reg.bank_backed": "Bank backing",
    "reg.licence_required_in": "Licence required in",
    "assets.required": "Assets",
    "assets.staking": "Staking from custody",
    "assets.staking_assets": "Assets to stake",
    "assets.slashing_borne_by_provider": "Slashing losses borne by the provider",
    "controls.key_tech": "Key technology",
    "controls.cold_storage_priority": "Cold storage",
    "controls.policy_engine": "Policy engine required",
    "controls.min_approvers": "Minimum approvers for withdrawals",
    "controls.insurance_required": "Insurance required",
    "settlement.trade_from_custody": "Trade from custody",
    "settlement.instant_network": "Instant settlement network",
    "fees.sensitivity": "Fee sensitivity",
    "fees.max_bps": "Maximum fee (bps on AUC)",
    "reporting.soc1": "SOC 1 Type II required",
    "reporting.soc2": "SOC 2 Type II required",
    "support.always_on": "24/7 operations desk",
}
"""Mandate questions summarised in the memo, in this order (the appendix has every answer)."""


@dataclass(frozen=True)
class MandateSection:
    rows: tuple[LabelValue, ...]
    weights: str
    weights_changed: bool
    warnings_note: str
    """How many mandate warnings, referring to the red-flags table ("" when none)."""


def build(inputs: MemoInputs) -> MandateSection:
    rows: list[LabelValue] = []
    for qid, label in MANDATE_LABELS.items():
        q = inputs.qset.get(qid)
        if q is None or qid not in inputs.applicable:
            continue
        value = inputs.applicable[qid]
        rows.append(LabelValue(label, clean(format_value(q, value)), value == "unknown"))
    weights = inputs.evaluation.weights
    count = len(inputs.evaluation.warnings)
    return MandateSection(
        rows=tuple(rows),
        weights=", ".join(f"{CRITERION_LABELS[c]} {weights.get(c, 0)} %" for c in CRITERIA),
        weights_changed=any(weights.get(c, 0) != DEFAULT_WEIGHTS[c] for c in CRITERIA),
        warnings_note=(
            f"The mandate itself raises {plural(count, 'warning')}; see the red-flags table."
            if count
            else ""
        ),
    )
