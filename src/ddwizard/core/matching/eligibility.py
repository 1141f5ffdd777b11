"""Hard filters: which providers can hold the client's assets at all, and why the others cannot.

A provider is excluded only on a known negative (a fact the profile states). A fact the
profile leaves ``unknown`` never excludes: it becomes an open item to confirm with the
provider. Regions served and licences held are closed lists, so a region or licence the
profile does not list is a known negative ("not recorded in the profile"), except when the
profile records its regions as ``unknown`` as a whole. Every reason cites the profile fact and
its last-verified date so the committee can see what the exclusion rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ddwizard.core.matching.mandate import (
    MIN_STANDING_LABELS,
    STANDING_LABELS,
    Mandate,
    label_list,
    verified,
)
from ddwizard.core.provider import JURISDICTION_LABELS, REGION_LABELS, STANDING_RANK, Provider
from ddwizard.core.results import OpenItem


def confirm(
    provider: Provider, topic: str, what: str, question_id: str | None, when: str | None = None
) -> OpenItem:
    """An open item for a fact the profile does not state (``when``: its last-verified text)."""
    message = _confirm_message(what, when or verified(provider.last_verified))
    return OpenItem(provider.id, topic, message, question_id, what)


@lru_cache(maxsize=4096)
def _confirm_message(what: str, when: str) -> str:
    # Thousands of providers share these texts: format (and store) each one once.
    return f"Confirm with the provider: {what} (not stated in the profile, {when})"


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    provider_id: str
    reasons: tuple[str, ...]
    open_items: tuple[OpenItem, ...]

    @property
    def eligible(self) -> bool:
        return not self.reasons


def _source_text(provider: Provider) -> str:
    return provider.regions.source_text.strip().rstrip(".")


def check(provider: Provider, mandate: Mandate) -> EligibilityResult:
    """Apply every hard filter of the mandate to one provider."""
    reasons: list[str] = []
    items: list[OpenItem] = []
    when = verified(provider.last_verified)

    if mandate.regions:
        served = provider.regions.served
        if served == "unknown":
            items.append(
                confirm(
                    provider,
                    "regions served",
                    f"that it can onboard clients in {mandate.regions_text}",
                    "client.regions",
                    when,
                )
            )
        else:
            missing = [r for r in mandate.regions if r not in served]
            if missing:
                reasons.append(
                    f"does not serve {label_list(missing, REGION_LABELS)}: its profile lists only "
                    f"{label_list(list(served), REGION_LABELS) or 'no region'} "
                    f"(source says '{_source_text(provider)}'), {when}"
                )

    if mandate.qualified_custodian:
        if provider.qualified_custodian == "no":
            reasons.append(f"not a qualified custodian according to the profile, {when}")
        elif provider.qualified_custodian == "unknown":
            items.append(
                confirm(
                    provider,
                    "qualified custodian",
                    "qualified-custodian status",
                    "reg.qualified_custodian",
                    when,
                )
            )

    need_rank = mandate.min_standing_rank
    if need_rank:
        if provider.standing == "unknown":
            items.append(
                confirm(
                    provider,
                    "regulatory standing",
                    "its charter or regulatory standing",
                    "reg.min_standing",
                    when,
                )
            )
        elif STANDING_RANK.get(provider.standing, 0) < need_rank:
            need = MIN_STANDING_LABELS.get(mandate.min_standing or "", "")
            reasons.append(
                f"standing is {STANDING_LABELS.get(provider.standing, provider.standing)} but your "
                f"mandate requires {need}, {when}"
            )

    if mandate.bank_backed == "required":
        if provider.bank_backed == "no":
            reasons.append(
                f"not bank-backed according to the profile (parent: {provider.parent}), {when}"
            )
        elif provider.bank_backed == "unknown":
            items.append(
                confirm(
                    provider, "bank backing", "whether it is bank-backed", "reg.bank_backed", when
                )
            )

    if mandate.licences:
        held = provider.licensed_in()
        for jurisdiction in mandate.licences:
            if jurisdiction not in held:
                reasons.append(
                    f"no licence in {JURISDICTION_LABELS.get(jurisdiction, jurisdiction)} recorded in "
                    f"the profile, {when}"
                )

    if mandate.staking:
        staking = provider.staking.available
        if staking == "no":
            reasons.append(f"no staking from custody according to the profile, {when}")
        elif staking == "unknown":
            items.append(
                confirm(provider, "staking", "staking from custody", "assets.staking", when)
            )

    if mandate.trade_from_custody:
        execution = provider.execution
        if execution.trade_from_custody == "no":
            reasons.append(f"no trading from custody according to the profile, {when}")
        elif execution.trade_from_custody == "unknown":
            if execution.integrated_trading == "no":
                reasons.append(
                    "the profile states custody without bundled trading (no integrated trading) "
                    f"and does not record trading from custody, {when}"
                )
            else:
                items.append(
                    confirm(
                        provider,
                        "trading from custody",
                        "trading without moving assets out of custody",
                        "settlement.trade_from_custody",
                        when,
                    )
                )

    if mandate.instant_network:
        instant = provider.execution.instant_settlement
        if instant == "no":
            reasons.append(f"no 24/7 instant settlement network according to the profile, {when}")
        elif instant == "unknown":
            items.append(
                confirm(
                    provider,
                    "instant settlement",
                    "24/7 instant settlement of fiat, crypto and stablecoins",
                    "settlement.instant_network",
                    when,
                )
            )

    for needed, fact, label, qid in (
        (mandate.soc1, provider.audits.soc1_type2, "SOC 1 Type II", "reporting.soc1"),
        (mandate.soc2, provider.audits.soc2_type2, "SOC 2 Type II", "reporting.soc2"),
    ):
        if not needed:
            continue
        if fact == "no":
            reasons.append(f"no {label} report according to the profile, {when}")
        elif fact == "unknown":
            items.append(confirm(provider, label, f"a current {label} report", qid, when))

    if mandate.max_bps is not None:
        bps = provider.fees.auc_bps
        if bps == "unknown":
            items.append(
                confirm(
                    provider,
                    "custody fee",
                    f"the annual custody fee in bps on AUC (your maximum: {mandate.max_bps:g} bps)",
                    "fees.max_bps",
                    when,
                )
            )
        elif bps > mandate.max_bps:
            reasons.append(
                f"custody fee of {bps:g} bps on AUC is above your maximum of {mandate.max_bps:g} "
                f"bps, {when}"
            )

    return EligibilityResult(provider.id, tuple(reasons), tuple(items))
