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
SEED_DATE = date(2025, 9, 30)

# Closed region lists, mapped from the seed with the documented conventions.
EXPECTED_REGIONS: dict[str, set[str] | str] = {
    "coinbase-prime": {"us"},  # "US/Global (eligibility varies)": Global not mapped
    "fidelity-digital-assets": {"us", "eu"},
    "bitgo": {"us", "eu", "uk", "ch", "sg", "hk", "apac_other", "uae", "mena_other"},
    "anchorage-digital": {"us"},  # "select global clients" not mapped
    "bny-mellon": {"us", "eu"},
    "gemini": {"us"},
    "komainu": {"eu", "uk", "uae", "mena_other"},
    "zodia": {"uk", "eu", "uae", "mena_other", "sg", "hk", "apac_other"},
    "sygnum": {"eu", "ch", "sg"},
    "hex-trust": {"hk", "sg", "apac_other", "uae", "mena_other"},
    "amina": "unknown",
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


# --- the bundled set -------------------------------------------------------------------


def test_all_eleven_profiles_present_once_and_named_after_their_id(
    catalog: ProviderCatalog,
) -> None:
    assert set(catalog.ids) == EXPECTED_IDS
    assert len(catalog) == len(EXPECTED_IDS)
    files = sorted(REPO_PROVIDERS.glob("*.y*ml"))
    assert sorted(f.stem for f in files) == sorted(EXPECTED_IDS)
    assert all(f.suffix == ".yaml" for f in files)


def test_default_bundled_folder_is_the_same_data(catalog: ProviderCatalog) -> None:
    assert load_providers().data_hash == catalog.data_hash


def test_every_file_opens_with_a_header_naming_source_and_unknown_policy() -> None:
    for path in sorted(REPO_PROVIDERS.glob("*.yaml")):
        header = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                break
            header.append(line)
        text = " ".join(header)
        assert len(header) >= 3, path.name
        assert SEED_TITLE in text, path.name
        assert "`unknown`" in text, path.name


@pytest.mark.parametrize("provider_id", sorted(EXPECTED_IDS))
def test_profile_cites_the_seed_and_its_date(catalog: ProviderCatalog, provider_id: str) -> None:
    provider = catalog[provider_id]
    seed = [s for s in provider.sources if s.id == "seed"]
    assert len(seed) == 1
    assert seed[0].title == SEED_TITLE
    assert seed[0].published == "2025-09"
    assert provider.last_verified == SEED_DATE
    assert all(lic.source == "seed" for lic in provider.licences)


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


# --- AMINA: named by the source, never profiled ----------------------------------------


def test_amina_is_all_unknown_and_unrated(catalog: ProviderCatalog) -> None:
    amina = catalog["amina"]
    assert amina.name == "AMINA Bank"
    assert (amina.legal_entity, amina.parent, amina.kind, amina.standing) == ("unknown",) * 4
    assert amina.regions.served == "unknown"
    assert amina.regions.source_text == "not covered by the source"
    assert amina.licences == ()
    assert amina.alternatives == ("sygnum",)
    assert all(r.score is None for _, r in amina.ratings.items())
    assert "alternative to Sygnum Bank" in amina.best_for
    assert "Verify all facts" in amina.consider_if
    # No yes/no fact anywhere in the profile: silence in the source stays unknown.
    assert not {"yes", "no"} & set(_values(amina.model_dump(mode="json")))


# --- facts the filters depend on ---------------------------------------------------------


@pytest.mark.parametrize("provider_id", sorted(EXPECTED_IDS))
def test_regions_are_the_documented_closed_lists(
    catalog: ProviderCatalog, provider_id: str
) -> None:
    regions = catalog[provider_id].regions
    expected = EXPECTED_REGIONS[provider_id]
    served = regions.served if regions.served == "unknown" else set(regions.served)
    assert served == expected
    assert regions.source_text.strip()
    if provider_id != "amina":
        assert len(regions.served) == len(set(regions.served)), "no duplicate codes"
        assert "APAC -> sg, hk, apac_other" in regions.mapping_note
        assert "MENA/Middle East -> uae, mena_other" in regions.mapping_note


def test_standing_and_qualified_custodian(catalog: ProviderCatalog) -> None:
    for provider in catalog:
        assert provider.standing == EXPECTED_STANDING[provider.id], provider.id
        expected_qc = "yes" if provider.id in QUALIFIED_CUSTODIANS else "unknown"
        assert provider.qualified_custodian == expected_qc, provider.id


def test_no_fact_is_denied_without_the_source_saying_so(catalog: ProviderCatalog) -> None:
    # The only stated negative in the seed: Gemini offers custody without bundled trading.
    negatives = {
        (p.id, path)
        for p in catalog
        for path, value in _facts(p.model_dump(mode="json"))
        if value == "no"
    }
    assert negatives == {("gemini", "execution.integrated_trading")}


def _facts(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _facts(value, f"{prefix}.{key}" if prefix else key)
    elif not isinstance(data, list):
        yield prefix, data


def test_coinbase_is_a_qualified_custodian_licensed_by_nydfs(catalog: ProviderCatalog) -> None:
    coinbase = catalog["coinbase-prime"]
    assert coinbase.qualified_custodian == "yes"
    assert coinbase.licensed_in() == {"us"}
    (licence,) = coinbase.licences
    assert licence.regulator.startswith("NYDFS")
    assert "trust" in licence.type
    assert coinbase.execution.trade_from_custody == "yes"
    assert coinbase.fees.network_fees == "pass_through"
    assert (coinbase.audits.soc1_type2, coinbase.audits.soc2_type2) == ("yes", "yes")
    assert coinbase.etf_experience == "yes"


def test_sygnum_settles_instantly_on_its_own_network(catalog: ProviderCatalog) -> None:
    sygnum = catalog["sygnum"]
    assert sygnum.execution.instant_settlement == "yes"
    assert sygnum.execution.settlement_network == "Sygnum Connect"
    assert sygnum.fees.published_schedule == "yes"
    (licence,) = sygnum.licences
    assert (licence.jurisdiction, licence.regulator) == ("ch", "FINMA")
    # Nobody else is credited with instant settlement: the seed names only Sygnum Connect.
    assert {p.id for p in catalog if p.execution.instant_settlement == "yes"} == {"sygnum"}


def test_gemini_is_custody_without_bundled_trading(catalog: ProviderCatalog) -> None:
    gemini = catalog["gemini"]
    assert gemini.execution.integrated_trading == "no"
    assert gemini.key_management.air_gapped == "yes"
    assert gemini.insurance.available == "yes"
    # "SOC reports" without types: kept unknown, and the note says why.
    assert (gemini.audits.soc1_type2, gemini.audits.soc2_type2) == ("unknown", "unknown")
    assert gemini.audits.note and "SOC" in gemini.audits.note


def test_hex_trust_holds_a_mas_licence_in_singapore(catalog: ProviderCatalog) -> None:
    hex_trust = catalog["hex-trust"]
    assert hex_trust.licensed_in() == {"sg"}
    (licence,) = hex_trust.licences
    assert licence.regulator.startswith("MAS")
    assert "Major Payment Institution" in licence.type


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
    assert len(catalog["zodia"].licences) == 4  # Ireland and Luxembourg both count as eu
    assert catalog["anchorage-digital"].licences[0].regulator.startswith("OCC")
    assert catalog["bitgo"].licences[0].regulator == "not stated in the source"
    for unlicensed in ("fidelity-digital-assets", "bny-mellon", "amina"):
        assert catalog[unlicensed].licences == ()
        assert "licence" in catalog[unlicensed].regions.mapping_note.lower()


def test_staking_from_custody_matches_the_faq(catalog: ProviderCatalog) -> None:
    staking = {p.id for p in catalog if p.staking.available == "yes"}
    assert staking == STAKING_FROM_CUSTODY
    # The seed lists no staking assets for anyone.
    assert all(p.staking.assets == "unknown" for p in catalog)


def test_trade_from_custody_only_where_the_source_says_so(catalog: ProviderCatalog) -> None:
    trading = {p.id for p in catalog if p.execution.trade_from_custody == "yes"}
    assert trading == {"coinbase-prime", "fidelity-digital-assets", "sygnum"}


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
        "parent: unknown",
        f'parent: !!python/object/apply:os.system ["echo pwned > {marker}"]',
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
