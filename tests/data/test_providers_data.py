"""The bundled provider profiles: complete, sourced, conservative, and mapped as documented.

These profiles are compliance data: a wrong "yes" can put an ineligible custodian on a
shortlist. The tests pin the facts the hard filters rely on, check that silence in the source
stays ``unknown``, and prove that a broken copy of a profile is reported with file and line
(and that a hostile YAML tag never runs).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.errors import DataError
from ddwizard.core.loading import load_providers
from ddwizard.core.provider import Provider, ProviderCatalog
from ddwizard.core.questionnaire import CRITERIA

EXPECTED_IDS = {
    "coinbase-prime",
    "fidelity-digital-assets",
    "bitgo",
    "anchorage-digital",
    "bny-mellon",
    "gemini",
    "komainu",
    "zodia",
    "sygnum",
    "hex-trust",
    "amina",
}
SEED_TITLE = "Top Institutional Custody Providers (2025)"
SEED_AUTHOR = "Sam Monac"
SEED_PUBLISHER = "Token Metrics blog"
SEED_MONTH = "2025-09"

# Region lists mapped from the seed with the documented conventions, and whether the source
# leaves other regions open ("Global", "select global clients", Zodia's "per license").
EXPECTED_REGIONS: dict[str, tuple[set[str] | str, str]] = {
    "coinbase-prime": ({"us"}, "unknown"),  # "US/Global (eligibility varies)"
    "fidelity-digital-assets": ({"us", "eu"}, "none"),
    "bitgo": ({"us", "eu", "uk", "ch", "sg", "hk", "apac_other", "uae", "mena_other"}, "none"),
    "anchorage-digital": ({"us"}, "unknown"),  # "select global clients"
    "bny-mellon": ({"us", "eu"}, "none"),
    "gemini": ({"us"}, "unknown"),
    "komainu": ({"eu", "uk", "uae", "mena_other"}, "unknown"),  # "global eligibility varies"
    "zodia": ({"uk", "eu", "uae"}, "unknown"),  # permissions named in UK, EU, ADGM only
    "sygnum": ({"eu", "ch", "sg"}, "none"),
    "hex-trust": ({"hk", "sg", "apac_other", "uae", "mena_other"}, "none"),
    "amina": ("unknown", "none"),
}
EXPECTED_STANDING = {
    "coinbase-prime": "trust",
    "gemini": "trust",
    "anchorage-digital": "bank",
    "sygnum": "bank",
    "bny-mellon": "bank",
    "bitgo": "regulated",
    "komainu": "regulated",
    "zodia": "regulated",
    "hex-trust": "regulated",
    "fidelity-digital-assets": "unknown",
    "amina": "unknown",
}
QUALIFIED_CUSTODIANS = {"coinbase-prime", "bitgo", "anchorage-digital", "gemini"}
STAKING_FROM_CUSTODY = {"anchorage-digital", "coinbase-prime", "komainu", "sygnum", "hex-trust"}

REPO_PROVIDERS = Path(__file__).resolve().parents[2] / "providers"
SEED = REPO_PROVIDERS.parent.parent / "shared" / "seed" / "custody-providers-2025.md"


def _values(data: Any) -> Iterator[Any]:
    """Every scalar in a dumped profile, however deeply nested."""
    if isinstance(data, dict):
        for value in data.values():
            yield from _values(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _values(value)
    else:
        yield data


def _facts(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _facts(value, f"{prefix}.{key}" if prefix else key)
    elif not isinstance(data, list):
        yield prefix, data


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def seed_text() -> str | None:
    """The seed article, whitespace-normalised; None when it is not beside this checkout
    (then the values are still pinned, only the cross-check with the article is skipped)."""
    if not SEED.is_file():
        return None
    return _words(SEED.read_text(encoding="utf-8"))


def said(provider: Provider, path: str, seed_text: str | None = None) -> str:
    """The source sentence a fact rests on; it must occur in the seed when that is at hand."""
    sentence = provider.source_sentence(path)
    assert sentence, f"{provider.id}: no source sentence for {path}"
    if seed_text is not None:
        assert _words(sentence) in seed_text, f"{provider.id}.{path}: {sentence!r}"
    return _words(sentence)


# --- the bundled set -------------------------------------------------------------------


def test_all_eleven_profiles_present_once_and_named_after_their_id(
    catalog: ProviderCatalog,
) -> None:
    assert set(catalog.ids) == EXPECTED_IDS
    assert len(catalog) == len(EXPECTED_IDS)
    files = sorted(f for f in REPO_PROVIDERS.glob("*.y*ml") if not f.name.startswith("_"))
    assert sorted(f.stem for f in files) == sorted(EXPECTED_IDS)
    assert all(f.suffix == ".yaml" for f in files)


def test_default_bundled_folder_is_the_same_data(catalog: ProviderCatalog) -> None:
    assert load_providers().data_hash == catalog.data_hash


def test_the_data_set_has_a_version_beside_its_hash(catalog: ProviderCatalog) -> None:
    assert catalog.version is not None
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d+", catalog.version)
    assert catalog.version_label == f"{catalog.version} ({catalog.data_hash[:12]})"
    assert catalog.description and SEED_TITLE in catalog.description
    assert catalog.verified_count == 0


def test_a_folder_without_catalog_file_is_unversioned(tmp_path: Path) -> None:
    folder = tmp_path / "providers"
    shutil.copytree(REPO_PROVIDERS, folder)
    (folder / "_catalog.yaml").unlink()
    (folder / "_rubric.yaml").write_text("not: a profile\n", encoding="utf-8")
    catalog = load_providers(folder)
    assert catalog.version is None
    assert catalog.version_label.startswith("unversioned (")
    assert len(catalog) == len(EXPECTED_IDS)


def test_every_file_opens_with_a_header_naming_source_and_unknown_policy() -> None:
    for path in sorted(REPO_PROVIDERS.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        header = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            header.append(line)
        text = " ".join(header)
        assert len(header) >= 3, path.name
        assert SEED_TITLE in text, path.name
        assert "`unknown`" in text, path.name
        assert "secondary source" in text, path.name


@pytest.mark.parametrize("provider_id", sorted(EXPECTED_IDS))
def test_profile_cites_the_article_and_was_never_verified(
    catalog: ProviderCatalog, provider_id: str
) -> None:
    provider = catalog[provider_id]
    (seed,) = [s for s in provider.sources if s.id == "seed"]
    assert (seed.title, seed.author, seed.publisher) == (SEED_TITLE, SEED_AUTHOR, SEED_PUBLISHER)
    assert seed.source_date == SEED_MONTH  # the month the article gives, no invented day
    assert seed.kind == "secondary"
    assert provider.source_date == SEED_MONTH
    assert provider.last_verified is None  # nobody has checked a primary source yet
    assert provider.facts_as_of == date(2025, 9, 1)
    assert all(lic.source == "seed" for lic in provider.licences.listed)
    assert seed.citation() == (
        f"\u201c{SEED_TITLE}\u201d, by {SEED_AUTHOR}, {SEED_PUBLISHER}, {SEED_MONTH}"
    )


@pytest.mark.parametrize("provider_id", sorted(EXPECTED_IDS))
def test_every_rating_has_a_rationale(catalog: ProviderCatalog, provider_id: str) -> None:
    ratings = dict(catalog[provider_id].ratings.items())
    assert set(ratings) == set(CRITERIA)
    for criterion, rating in ratings.items():
        assert rating.rationale.strip(), f"{provider_id}.{criterion}"
        assert "\n" not in rating.rationale.strip(), f"{provider_id}.{criterion}: one line"
        if rating.score is None:
            assert rating.rationale.startswith("not rated"), f"{provider_id}.{criterion}"
        else:
            assert (rating.score * 2).is_integer(), (
                f"{provider_id}.{criterion}: whole or half points"
            )


def test_alternatives_are_known_other_providers(catalog: ProviderCatalog) -> None:
    for provider in catalog:
        assert provider.alternatives, provider.id
        for alt in provider.alternatives:
            assert alt in catalog, f"{provider.id} -> {alt}"
            assert alt != provider.id
    assert catalog["sygnum"].alternatives == ("amina", "bny-mellon")


# --- every stated fact rests on a sentence of the source ---------------------------------

UNSTATED = {"unknown", None}
NOT_FACTS = {"id", "name", "best_for", "consider_if", "summary", "alternatives", "last_verified"}


def _stated_fact_paths(provider: Provider) -> set[str]:
    """Paths of the facts a profile states: yes/no, kinds, standings, lists, figures."""
    dumped = provider.model_dump(mode="json", exclude={"ratings", "sources", "source_sentences"})
    paths = set()
    for path, value in _facts(dumped):
        top = path.split(".")[0]
        leaf = path.split(".")[-1]
        if top in NOT_FACTS or leaf in ("note", "source_text", "mapping_note", "others"):
            continue
        if top in ("licences", "legal_segregation"):
            continue  # their entries carry their own source sentence
        if value in UNSTATED or path == "standing_complete":
            continue
        if path in ("legal_entity", "parent") and value == "unknown":
            continue
        paths.add(path)
    if provider.regions.served != "unknown":
        paths.add("regions.served")
    return paths


@pytest.mark.parametrize("provider_id", sorted(EXPECTED_IDS))
def test_every_stated_fact_has_its_source_sentence(
    catalog: ProviderCatalog, provider_id: str
) -> None:
    provider = catalog[provider_id]
    missing = sorted(
        path
        for path in _stated_fact_paths(provider) - {"legal_entity", "parent"}
        if provider.source_sentence(path) is None
    )
    assert not missing, f"{provider_id}: facts without a source sentence: {missing}"
    for lic in provider.licences.listed:
        assert lic.source_sentence, f"{provider_id}: licence in {lic.jurisdiction}"
    if provider.legal_segregation != "unknown":
        assert provider.legal_segregation.source_sentence


@pytest.mark.parametrize("provider_id", sorted(EXPECTED_IDS))
def test_source_sentences_occur_in_the_seed(
    catalog: ProviderCatalog, provider_id: str, seed_text: str | None
) -> None:
    if seed_text is None:
        pytest.skip(f"{SEED} not present beside this checkout")
    provider = catalog[provider_id]
    for path in provider.source_sentences:
        said(provider, path, seed_text)
    sentences = [lic.source_sentence for lic in provider.licences.listed]
    if provider.legal_segregation != "unknown":
        sentences.append(provider.legal_segregation.source_sentence)
    for sentence in sentences:
        assert sentence and _words(sentence) in seed_text, f"{provider_id}: {sentence!r}"


def test_source_sentences_name_real_fields(catalog: ProviderCatalog) -> None:
    data = catalog["gemini"].model_dump(mode="json")
    data["source_sentences"] = {"audits.soc3": "SOC reports"}
    with pytest.raises(ValueError, match=r"audits\.soc3"):
        Provider.model_validate(data)


# --- AMINA: named by the source, never profiled ----------------------------------------


def test_amina_is_all_unknown_and_unrated(catalog: ProviderCatalog, seed_text: str | None) -> None:
    amina = catalog["amina"]
    assert amina.name == "AMINA Bank"
    assert (amina.legal_entity, amina.parent, amina.kind, amina.standing) == ("unknown",) * 4
    assert amina.regions.served == "unknown"
    assert amina.regions.source_text == "not covered by the source"
    assert amina.licences.listed == () and not amina.licences.known
    assert amina.licence_in("ch") == "unknown"
    assert amina.alternatives == ("sygnum",)
    assert "AMINA Bank" in said(amina, "alternatives", seed_text)
    assert all(r.score is None for _, r in amina.ratings.items())
    assert "alternative to Sygnum Bank" in amina.best_for
    assert "Verify all facts" in amina.consider_if
    # No yes/no fact anywhere in the profile: silence in the source stays unknown.
    assert not {"yes", "no"} & set(_values(amina.model_dump(mode="json")))


# --- facts the requirements depend on ------------------------------------------------------


@pytest.mark.parametrize("provider_id", sorted(EXPECTED_IDS))
def test_regions_are_the_documented_lists(catalog: ProviderCatalog, provider_id: str) -> None:
    regions = catalog[provider_id].regions
    expected, others = EXPECTED_REGIONS[provider_id]
    served = regions.served if regions.served == "unknown" else set(regions.served)
    assert served == expected
    assert regions.others == others
    assert regions.source_text.strip()
    if provider_id != "amina":
        assert len(regions.served) == len(set(regions.served)), "no duplicate codes"
        assert "APAC -> sg, hk, apac_other" in regions.mapping_note
        assert "MENA/Middle East -> uae, mena_other" in regions.mapping_note


def test_an_open_region_list_never_denies_a_region(catalog: ProviderCatalog) -> None:
    assert catalog["coinbase-prime"].serves("us") == "yes"
    assert catalog["coinbase-prime"].serves("uk") == "unknown"  # "Global (eligibility varies)"
    assert catalog["bny-mellon"].serves("uk") == "no"  # "US/EU": closed
    assert catalog["amina"].serves("ch") == "unknown"


def test_standing_and_qualified_custodian(catalog: ProviderCatalog) -> None:
    for provider in catalog:
        assert provider.standing == EXPECTED_STANDING[provider.id], provider.id
        expected_qc = "yes" if provider.id in QUALIFIED_CUSTODIANS else "unknown"
        assert provider.qualified_custodian == expected_qc, provider.id
        # The source never rules out a higher standing than the one it states.
        assert provider.standing_complete == "unknown", provider.id


def test_no_fact_is_denied_without_the_source_saying_so(
    catalog: ProviderCatalog, seed_text: str | None
) -> None:
    # The only stated negative in the seed: Gemini offers custody without bundled trading.
    negatives = {
        (p.id, path)
        for p in catalog
        for path, value in _facts(p.model_dump(mode="json"))
        if value == "no"
    }
    assert negatives == {("gemini", "execution.integrated_trading")}
    assert "without bundled trading" in said(
        catalog["gemini"], "execution.integrated_trading", seed_text
    )


def test_no_regulator_the_source_does_not_name(catalog: ProviderCatalog) -> None:
    named = {
        (p.id, lic.regulator)
        for p in catalog
        for lic in p.licences.listed
        if lic.regulator != "unknown"
    }
    assert named == {
        ("anchorage-digital", "OCC (Office of the Comptroller of the Currency)"),
        ("komainu", "VARA (Dubai)"),
        ("sygnum", "FINMA"),
        ("hex-trust", "MAS (Monetary Authority of Singapore)"),
    }
    for provider in catalog:
        assert "NYDFS" not in provider.model_dump_json(), provider.id


def test_crypto_native_only_where_the_source_says_so(
    catalog: ProviderCatalog, seed_text: str | None
) -> None:
    kinds = {p.id: p.kind for p in catalog}
    assert {pid for pid, kind in kinds.items() if kind == "crypto_native"} == {"anchorage-digital"}
    assert "crypto-native bank" in said(catalog["anchorage-digital"], "kind", seed_text)
    assert {pid for pid, kind in kinds.items() if kind == "bank"} == {"bny-mellon", "sygnum"}
    assert kinds["fidelity-digital-assets"] == "traditional_finance"
    assert "legacy financial brand" in said(catalog["fidelity-digital-assets"], "kind", seed_text)
    # Zodia is bank-backed, not a bank and not called crypto-native.
    zodia = catalog["zodia"]
    assert (zodia.kind, zodia.bank_backed) == ("unknown", "yes")
    assert "bank-backed" in said(zodia, "bank_backed", seed_text)


def test_coinbase_soc_audits_have_no_stated_type(
    catalog: ProviderCatalog, seed_text: str | None
) -> None:
    coinbase = catalog["coinbase-prime"]
    audits = coinbase.audits
    assert (audits.soc_reports, audits.soc1, audits.soc2) == ("yes", "yes", "yes")
    # "SOC 1/2 audits" says nothing of Type II: the Type II facts stay unknown.
    assert (audits.soc1_type2, audits.soc2_type2) == ("unknown", "unknown")
    assert "SOC 1/2 audits" in said(coinbase, "audits.soc1", seed_text)
    assert "Type II" not in said(coinbase, "audits.soc1", seed_text)


def test_coinbase_is_a_chartered_trust_and_qualified_custodian(
    catalog: ProviderCatalog, seed_text: str | None
) -> None:
    coinbase = catalog["coinbase-prime"]
    assert coinbase.qualified_custodian == "yes"
    assert "qualified custodian" in said(coinbase, "qualified_custodian", seed_text).lower()
    (licence,) = coinbase.licences.listed
    assert (licence.jurisdiction, licence.kind, licence.regulator) == (
        "us",
        "trust_charter",
        "unknown",
    )
    assert "NY state-chartered trust" in _words(licence.source_sentence or "")
    assert coinbase.licences.others == "unknown"
    assert coinbase.licence_in("us", ["trust_charter", "banking_licence"]) == "yes"
    assert coinbase.licence_in("uk") == "unknown"
    assert coinbase.execution.trade_from_custody == "yes"
    assert coinbase.fees.network_fees == "pass_through"
    assert "network fees pass-through" in said(coinbase, "fees.network_fees", seed_text)
    # "Best for ETF service providers" is a recommendation, not a servicing record.
    assert coinbase.etf_experience == "unknown"


def test_gemini_network_fees_only_apply(catalog: ProviderCatalog, seed_text: str | None) -> None:
    gemini = catalog["gemini"]
    assert gemini.fees.network_fees == "charged"
    assert "network fees apply" in said(gemini, "fees.network_fees", seed_text)


def test_gemini_is_custody_without_bundled_trading(
    catalog: ProviderCatalog, seed_text: str | None
) -> None:
    gemini = catalog["gemini"]
    assert gemini.execution.integrated_trading == "no"
    assert gemini.key_management.air_gapped == "yes"
    assert (gemini.insurance.available, gemini.insurance.scope) == ("yes", "certain_assets")
    assert "optional insurance coverage for certain assets" in said(
        gemini, "insurance.scope", seed_text
    )
    # "SOC reports" without kind or type: only the reports' existence is recorded.
    audits = gemini.audits
    assert audits.soc_reports == "yes"
    assert (audits.soc1, audits.soc2, audits.soc1_type2, audits.soc2_type2) == ("unknown",) * 4
    assert audits.note and "SOC" in audits.note


def test_bitgo_standing_asserts_no_missing_charter(
    catalog: ProviderCatalog, seed_text: str | None
) -> None:
    bitgo = catalog["bitgo"]
    assert bitgo.standing == "regulated"
    assert "qualified custody entities" in said(bitgo, "standing", seed_text)
    # Nothing in the source rules a trust or bank charter out.
    assert bitgo.meets_standing("any_regulated") == "yes"
    assert bitgo.meets_standing("trust_or_bank") == "unknown"
    assert "charter" not in (bitgo.summary or "").replace("licences or charters", "")
    # No entity, licence or regulator is named: the licences are unknown, not a guess.
    assert bitgo.licences.listed == () and not bitgo.licences.known
    assert bitgo.licence_in("us") == "unknown"


def test_sygnum_settles_instantly_on_its_own_network(
    catalog: ProviderCatalog, seed_text: str | None
) -> None:
    sygnum = catalog["sygnum"]
    assert sygnum.execution.instant_settlement == "yes"
    assert sygnum.execution.settlement_network == "Sygnum Connect"
    assert "24/7 instant settlement network" in said(
        sygnum, "execution.instant_settlement", seed_text
    )
    assert sygnum.fees.published_schedule == "yes"
    (licence,) = sygnum.licences.listed
    assert (licence.jurisdiction, licence.regulator, licence.kind) == (
        "ch",
        "FINMA",
        "banking_licence",
    )
    # Nobody else is credited with instant settlement: the seed names only Sygnum Connect.
    assert {p.id for p in catalog if p.execution.instant_settlement == "yes"} == {"sygnum"}


def test_sygnum_custody_is_off_balance_sheet_and_ring_fenced(
    catalog: ProviderCatalog, seed_text: str | None
) -> None:
    sygnum = catalog["sygnum"]
    segregation = sygnum.legal_segregation
    assert segregation != "unknown"
    assert segregation.basis == "off_balance_sheet"
    assert seed_text is None or _words(segregation.source_sentence or "") in seed_text
    assert "ring-fenced" in (segregation.source_sentence or "")
    assert sygnum.bankruptcy_remote == "yes"
    # Nobody else's legal segregation is stated.
    assert {p.id for p in catalog if p.legal_segregation != "unknown"} == {"sygnum"}
    assert catalog["coinbase-prime"].bankruptcy_remote == "unknown"


def test_hex_trust_holds_a_mas_licence_and_offers_markets_services(
    catalog: ProviderCatalog, seed_text: str | None
) -> None:
    hex_trust = catalog["hex-trust"]
    assert hex_trust.licensed_in() == {"sg"}
    (licence,) = hex_trust.licences.listed
    assert licence.regulator.startswith("MAS")
    assert "Major Payment Institution" in (licence.type or "")
    assert licence.kind == "unknown"  # whether it authorises custody is not stated
    assert hex_trust.licence_in("sg", ["custody_authorisation"]) == "unknown"
    assert hex_trust.licences.others == "unknown"  # "a fully licensed APAC custodian"
    assert hex_trust.execution.markets_services == "yes"
    assert "integrated markets services" in said(hex_trust, "execution.markets_services", seed_text)
    assert hex_trust.execution.trade_from_custody == "unknown"


def test_bank_backing(catalog: ProviderCatalog) -> None:
    backed = {p.id for p in catalog if p.bank_backed == "yes"}
    assert backed == {"zodia", "anchorage-digital", "sygnum", "bny-mellon"}
    assert "Standard Chartered" in catalog["zodia"].parent
    # "Nomura-backed" is not called bank backing by the source: conservative unknown.
    assert catalog["komainu"].bank_backed == "unknown"
    assert "Nomura" in catalog["komainu"].parent


def test_licences_are_only_those_the_source_names(catalog: ProviderCatalog) -> None:
    assert catalog["komainu"].licensed_in() == {"jersey", "uae", "uk", "eu"}
    assert catalog["zodia"].licensed_in() == {"uk", "eu", "uae"}
    assert len(catalog["zodia"].licences.listed) == 4  # Ireland and Luxembourg both count as eu
    anchorage = catalog["anchorage-digital"].licences.listed[0]
    assert anchorage.regulator.startswith("OCC") and anchorage.kind == "banking_licence"
    # Licences whose kind the source does not give never settle a custody requirement.
    for pid in ("komainu", "zodia"):
        assert {lic.kind for lic in catalog[pid].licences.listed} == {"unknown"}
        assert catalog[pid].licence_in("uk", ["custody_authorisation"]) == "unknown"
        assert catalog[pid].licence_in("uk") == "yes"
    # The source names no licence for these: unknown, never "holds none".
    for silent in ("fidelity-digital-assets", "bny-mellon", "amina", "bitgo"):
        licences = catalog[silent].licences
        assert licences.listed == () and licences.others == "unknown", silent
        assert catalog[silent].licence_in("us") == "unknown", silent
    # No profile claims a complete list: the source never says "only".
    assert all(not p.licences.closed for p in catalog)


def test_staking_from_custody_matches_the_faq(
    catalog: ProviderCatalog, seed_text: str | None
) -> None:
    staking = {p.id for p in catalog if p.staking.available == "yes"}
    assert staking == STAKING_FROM_CUSTODY
    faq = "Anchorage, Coinbase Prime, Komainu, Sygnum, and Hex Trust offer staking workflows"
    assert seed_text is None or faq in seed_text
    # The seed lists no staking assets for anyone.
    assert all(p.staking.assets == "unknown" for p in catalog)


def test_trade_from_custody_only_where_the_source_says_so(catalog: ProviderCatalog) -> None:
    trading = {p.id for p in catalog if p.execution.trade_from_custody == "yes"}
    assert trading == {"coinbase-prime", "fidelity-digital-assets", "sygnum"}


# --- list forms of the schema ------------------------------------------------------------


def _with_licences(catalog: ProviderCatalog, licences: Any) -> Provider:
    data = catalog["gemini"].model_dump(mode="json")
    data["licences"] = licences
    data["source_sentences"] = {}
    return Provider.model_validate(data)


def test_licence_list_forms(catalog: ProviderCatalog) -> None:
    uk_aml = {"jurisdiction": "uk", "kind": "aml_registration", "regulator": "FCA"}
    unknown = _with_licences(catalog, "unknown")
    assert unknown.licence_in("uk") == "unknown" and not unknown.licences.known
    closed = _with_licences(catalog, [uk_aml])  # a plain list is complete
    assert closed.licences.closed
    assert closed.licence_in("uk") == "yes"
    assert closed.licence_in("uk", ["custody_authorisation", "banking_licence"]) == "no"
    assert closed.licence_in("us") == "no"
    open_list = _with_licences(catalog, {"listed": [uk_aml], "others": "unknown"})
    assert open_list.licence_in("us") == "unknown"
    assert open_list.licence_in("uk", ["custody_authorisation"]) == "unknown"
    assert _with_licences(catalog, []).licence_in("us") == "no"  # a closed, empty list
    with pytest.raises(ValueError, match="kind"):
        _with_licences(catalog, [{"jurisdiction": "uk", "kind": "fishing_permit"}])


# --- broken copies are reported with file and line --------------------------------------


def _broken_copy(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """Copy the bundled folder, replace ``old`` by ``new`` in gemini.yaml; return file and line."""
    folder = tmp_path / "providers"
    shutil.copytree(REPO_PROVIDERS, folder)
    path = folder / "gemini.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path, line


BREAKAGES = {
    "unknown field": ("governance: unknown\n", "governance: unknown\nfavourite_colour: blue\n", 1),
    "wrong type": ("qualified_custodian: yes", "qualified_custodian: maybe", 0),
    "bad indentation": ('  source_text: "US/Global', '      source_text: "US/Global', 0),
    "unknown licence kind": ("kind: trust_charter", "kind: fishing_permit", 0),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_broken_copy_names_file_and_line(tmp_path: Path, breakage: str) -> None:
    old, new, line_offset = BREAKAGES[breakage]
    path, line = _broken_copy(tmp_path, old, new)
    with pytest.raises(DataError) as caught:
        load_providers(path.parent)
    message = str(caught.value)
    assert f"{path}:{line + line_offset}" in message
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].file == str(path)


def test_python_tag_is_refused_and_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path, line = _broken_copy(
        tmp_path,
        "bank_backed: unknown",
        f'bank_backed: !!python/object/apply:os.system ["echo pwned > {marker}"]',
    )
    with pytest.raises(DataError) as caught:
        load_providers(path.parent)
    assert f"{path}:{line}" in str(caught.value)
    assert "tags are not allowed" in str(caught.value)
    assert not marker.exists()


def test_cli_validate_reports_a_broken_copy_without_traceback(tmp_path: Path) -> None:
    path, line = _broken_copy(tmp_path, "qualified_custodian: yes", "qualified_custodian: maybe")
    result = subprocess.run(
        [sys.executable, "-m", "ddwizard", "validate", "--providers", str(path.parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"{path}:{line}" in result.stderr
    assert "qualified_custodian" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert re.search(r"\b1 problem\(s\) found", result.stderr)


def test_cli_validate_accepts_the_bundled_folder() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ddwizard", "validate", "--providers", str(REPO_PROVIDERS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "11 profiles" in result.stdout


def test_profiles_round_trip_through_the_model(catalog: ProviderCatalog) -> None:
    for provider in catalog:
        again = Provider.model_validate(provider.model_dump(mode="json"))
        assert again.content_hash == provider.content_hash


def test_json_schema_accepts_every_yaml_form() -> None:
    schema = Provider.model_json_schema(by_alias=True)
    licences = schema["$defs"]["Licences"]["anyOf"]
    assert {"const": "unknown"} in licences
    assert {"type": "array", "items": {"$ref": "#/$defs/Licence"}} in licences
    assert any(form.get("properties", {}).get("others") for form in licences)
    assert {"const": "unknown"} in schema["properties"]["last_verified"]["anyOf"]
    licence = schema["$defs"]["Licence"]["properties"]["kind"]
    assert licence["enum"] == [
        "custody_authorisation",
        "banking_licence",
        "trust_charter",
        "aml_registration",
        "unknown",
    ]


def test_standing_is_a_floor_unless_the_source_closes_it(catalog: ProviderCatalog) -> None:
    data = catalog["bitgo"].model_dump(mode="json")
    assert Provider.model_validate(data).meets_standing("bank") == "unknown"
    closed = Provider.model_validate({**data, "standing_complete": "yes"})
    assert closed.meets_standing("trust_or_bank") == "no"
    assert closed.meets_standing("any_regulated") == "yes"
    unregistered = Provider.model_validate({**data, "standing": "unregistered"})
    assert unregistered.meets_standing("any_regulated") == "no"
    assert catalog["amina"].meets_standing("any_regulated") == "unknown"
    assert catalog["sygnum"].meets_standing("bank") == "yes"


OLD_PROFILE = Path(__file__).resolve().parent / "old_profile_hex_trust_2025.yaml"
"""A profile as written before data version 2026.11.1 (licences without kind, 'published',
a last_verified date), kept to prove that such files still load."""


def test_profiles_in_the_previous_format_still_load(tmp_path: Path) -> None:
    folder = tmp_path / "providers"
    shutil.copytree(REPO_PROVIDERS, folder)  # current profiles load beside the old one
    shutil.copyfile(OLD_PROFILE, folder / "hex-trust.yaml")
    old = load_providers(folder)["hex-trust"]
    (licence,) = old.licences.listed
    assert (licence.jurisdiction, licence.kind) == ("sg", "unknown")
    assert old.licences.closed  # a plain list meant, and still means, a closed list
    assert old.sources[0].source_date == "2025-09"  # read from 'published'
    assert old.last_verified == date(2025, 9, 30)
    assert old.facts_as_of == date(2025, 9, 30)
    assert old.regions.others == "none"
    assert old.legal_segregation == "unknown"
