"""The memo as a committee reads it: real PDFs from `ddwizard demo` and `ddwizard report`."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from ddwizard.cli import main
from ddwizard.core.demo import DEMO_SESSION_NAME
from ddwizard.core.loading import load_providers, load_questionnaires
from ddwizard.core.sessions.store import SessionStore

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, read_pdf: Any) -> dict[str, Any]:
    """`ddwizard demo`, then `ddwizard report` on the demo session (draft)."""
    root = tmp_path_factory.mktemp("memo")
    sessions = root / "sessions"
    demo_pdf = root / "demo.pdf"
    assert main(["--sessions-dir", str(sessions), "demo", "-o", str(demo_pdf)]) == 0
    files = sorted(sessions.glob("*.json"))
    assert len(files) == 1
    session_file = files[0]
    before = session_file.read_bytes()
    report_pdf = root / "report.pdf"
    rc = main(["report", session_file.stem, "-o", str(report_pdf), "--sessions-dir", str(sessions)])
    assert rc == 0
    return {
        "sessions": sessions,
        "session_file": session_file,
        "before_report": before,
        "after_report": session_file.read_bytes(),
        "demo_pdf": demo_pdf,
        "report_pdf": report_pdf,
        "demo": read_pdf(demo_pdf),
        "report": read_pdf(report_pdf),
    }


SECTIONS = (
    "1. Executive summary",
    "Decision requested of the committee",
    "Top risks",
    "2. Mandate summary",
    "3. Eligibility",
    "4. Ranking",
    "5. Robustness",
    "6. Provider: BitGo Custody",
    "7. Provider: Zodia Custody",
    "8. Provider: Komainu",
    "9. Red flags and mitigations",
    "10. Methodology, weights and sources",
    "Appendix A: answers",
    "Appendix B: audit trail",
    "Sign-off",
    "Integrity",
)


def test_demo_memo_has_every_section_in_order(demo: dict[str, Any]) -> None:
    pages = demo["demo"].page_texts
    assert "Custody provider due-diligence memo" in " ".join(pages[0].split())
    text = " ".join("\n".join(pages[2:]).split())  # after the cover and the contents page
    positions = []
    for heading in SECTIONS:
        assert heading in text, heading
        positions.append(text.index(heading))
    assert positions == sorted(positions)


def test_cover_names_entity_preparer_session_and_draft_status(demo: dict[str, Any]) -> None:
    cover = " ".join(demo["demo"].page_texts[0].split())
    session_id = demo["session_file"].stem
    assert "Northwind Pension Trust Limited" in cover
    assert "Dana Whitfield, Head of Compliance" in cover
    assert f"Session {session_id}" in cover
    assert "Status DRAFT" in cover
    assert "Confidential" in cover
    assert "Recommendation BitGo Custody" in cover
    contents = " ".join(demo["demo"].page_texts[1].split())
    assert contents.startswith("Contents") or " Contents " in f" {contents}"
    assert "Provider: BitGo Custody" in contents and "Appendix A: answers" in contents


def test_executive_summary_states_recommendation_alternates_and_decision(
    demo: dict[str, Any],
) -> None:
    text = demo["demo"].flat
    assert "BitGo Custody 72.2 / 100" in text
    assert "Alternates: Zodia Custody (68.5); Komainu (58.0)" in text
    assert (
        "The committee is asked to approve BitGo Custody as custodian for Northwind Pension" in text
    )
    assert "No bankruptcy-remoteness legal opinion" in text


def test_page_numbers_running_header_and_plausible_length(demo: dict[str, Any]) -> None:
    pdf = demo["demo"]
    assert 12 <= pdf.pages <= 80
    for number, page in enumerate(pdf.page_texts, start=1):
        assert f"Page {number} of {pdf.pages}" in page
        assert "DRAFT" in page
    # the running header (entity, confidentiality) is on every page after the cover
    for page in pdf.page_texts[1:]:
        assert "Northwind Pension Trust Limited" in page
        assert "Confidential · DRAFT" in page


def test_provider_sections_show_unknowns_stale_evidence_and_open_items(
    demo: dict[str, Any],
) -> None:
    text = demo["demo"].flat
    assert "unknown — verify" in text
    assert "STALE" in text
    assert "SOC 2 Type II report, period ending 30 June 2025" in text  # reference of the stale doc
    # open items: one lead per reason, then every item (nothing dropped by the grouping)
    assert (
        "Not stated in the profile (last verified 2025-09-30), confirm with the provider:" in text
    )
    assert "a current SOC 2 Type II report; the annual custody fee in bps on AUC" in text
    assert (
        "Diligence question answered unknown, confirm with the provider: "
        "Have you received a current SOC 1 Type II report?" in text
    )
    # unknown facts collapse into one sentence; only stated facts get rows
    assert "Not stated in the source, verify with the provider: Legal entity, Bank-backed" in text
    assert "Rating" in text and "Points" in text


DEMO_PAGE_BUDGET = 18


def test_demo_memo_stays_within_its_page_budget(demo: dict[str, Any]) -> None:
    """A committee memo is read in one sitting: the demo memo must not creep back up."""
    assert demo["demo"].pages <= DEMO_PAGE_BUDGET


def test_diligence_answers_appear_once_in_the_appendix_not_per_provider(
    demo: dict[str, Any],
) -> None:
    """No per-provider evidence table: each answer is printed once, in Appendix A."""
    pages = demo["demo"].page_texts
    appendix_start = next(i for i, p in enumerate(pages) if "Appendix A: answers" in p and i > 1)
    body = " ".join(" ".join(pages[2:appendix_start]).split())
    appendix = " ".join(" ".join(pages[appendix_start:]).split())
    note = "Zodia Custody Limited onboarding pack"  # a diligence note of the demo review
    assert note not in body
    assert note in appendix
    assert "Diligence: BitGo Custody" in appendix and "Diligence: Komainu" in appendix
    # each provider section points the reader to the appendix
    assert body.count("answers in Appendix A") == 3


def test_appendix_lists_every_answer_and_not_applicable_conditions(demo: dict[str, Any]) -> None:
    text = demo["demo"].flat
    # an answered mandate question, its id, and its note
    assert "reg.qualified_custodian" in text
    assert "trustees' investment policy statement" in text
    # a question skipped by its condition, with the condition in words
    assert "client.sec_registered_adviser" in text
    assert "not applicable" in text
    assert (
        "What kind of institution is it?\u201d is \u2018US investment adviser or fund\u2019" in text
    )


def test_attachment_is_exactly_the_session_json(demo: dict[str, Any]) -> None:
    pdf = demo["report"]
    assert list(pdf.attachments) == ["session.json"]
    (embedded,) = pdf.attachments["session.json"]
    # `report` opened the session, rendered it, then appended memo_generated: the memo embeds
    # the session exactly as it was before that event.
    assert embedded == demo["before_report"]
    assert pdf.catalog_af == 1
    assert pdf.af_relationships == ("/Source",)  # PDF/A-3 associated file


def test_integrity_line_carries_sha256_of_the_embedded_session(demo: dict[str, Any]) -> None:
    pdf = demo["report"]
    (embedded,) = pdf.attachments["session.json"]
    digest = hashlib.sha256(embedded).hexdigest()
    text = "".join(pdf.text.split())
    assert f"SHA-256ofthesessionJSON{digest}" in text
    catalog = load_providers(REPO / "providers")
    qset = load_questionnaires(REPO / "questionnaires")
    assert catalog.data_hash in text
    assert qset.selection.content_hash in text
    assert qset.diligence.content_hash in text


def test_pdf_a_3b_identification_in_xmp(demo: dict[str, Any]) -> None:
    xmp = demo["demo"].xmp
    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3</pdfaid:part>', xmp)
    assert re.search(r'pdfaid:conformance="B"|<pdfaid:conformance>B</pdfaid:conformance>', xmp)


def test_report_records_memo_generated_with_the_output_hash(demo: dict[str, Any]) -> None:
    session = json.loads(demo["after_report"])
    event = session["audit"][-1]
    assert event["action"] == "memo_generated"
    digest = hashlib.sha256(demo["report_pdf"].read_bytes()).hexdigest()
    assert event["new"]["sha256"] == digest
    assert event["new"]["format"] == "pdf"
    assert Path(event["new"]["path"]) == demo["report_pdf"].resolve()
    before = json.loads(demo["before_report"])
    assert session["audit"][:-1] == before["audit"]
    audit_pages = demo["report"].flat.split("Appendix B: audit trail", 1)[1]
    assert "memo generated" in audit_pages
    assert "answers file applied" in audit_pages


def test_demo_session_is_named_and_its_memo_recorded(demo: dict[str, Any]) -> None:
    session = json.loads(demo["before_report"])
    assert session["name"] == DEMO_SESSION_NAME
    assert session["shortlist"] == ["bitgo", "zodia", "komainu"]
    memo_events = [e for e in session["audit"] if e["action"] == "memo_generated"]
    assert (
        memo_events[-1]["new"]["sha256"]
        == hashlib.sha256(demo["demo_pdf"].read_bytes()).hexdigest()
    )


def test_demo_again_updates_the_same_session(demo: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "again.html"
    assert main(["--sessions-dir", str(demo["sessions"]), "demo", "-o", str(out)]) == 0
    assert sorted(p.name for p in demo["sessions"].glob("*.json")) == [demo["session_file"].name]
    assert "BitGo Custody" in out.read_text(encoding="utf-8")


def test_final_session_memo_says_final_not_draft(
    tmp_path: Path, read_pdf: Any, qset: Any, catalog: Any
) -> None:
    from ddwizard.core.demo import load_demo_answers
    from ddwizard.core.usecases.write_memo import session_memo

    store = SessionStore(tmp_path / "sessions")
    with store.create("Final review", qset, catalog, preparer="R. Reviewer") as handle:
        handle.apply_answers(load_demo_answers(qset, catalog))
        handle.set_status("ready_for_review")
        handle.set_status("final")
        session = handle.session
    result = session_memo(session, qset, catalog, tmp_path / "final.pdf")
    pdf = read_pdf(result.path)
    assert "Status FINAL" in " ".join(pdf.page_texts[0].split())
    assert "DRAFT" not in pdf.text
    assert "Confidential · FINAL" in pdf.page_texts[2]
    assert pdf.attachments["session.json"] == [session.to_json_bytes()]


def test_long_tables_repeat_their_header_on_every_page(demo: dict[str, Any]) -> None:
    pages = demo["demo"].page_texts
    start = next(i for i, p in enumerate(pages) if "Appendix A: answers" in p and i > 1)
    end = next(i for i, p in enumerate(pages) if "Appendix B: audit trail" in p and i > 1)
    appendix = pages[start : end + 1]
    assert len(appendix) >= 2
    for page in appendix:
        assert "Question Answer Note and evidence" in " ".join(page.split())


def test_questionnaire_change_shows_retired_answers_and_reconfirmations(
    tmp_path: Path, qset: Any, catalog: Any
) -> None:
    """After a question is removed and another reworded, the memo keeps both in view."""
    from ddwizard.core.demo import load_demo_answers
    from ddwizard.core.usecases.write_memo import session_memo

    store = SessionStore(tmp_path / "sessions")
    with store.create("Changing questionnaire", qset, catalog) as handle:
        handle.apply_answers(load_demo_answers(qset, catalog))
        session_id = handle.session.id
    changed = tmp_path / "questionnaires"
    shutil.copytree(REPO / "questionnaires", changed)
    selection = changed / "selection.yaml"
    text = selection.read_text(encoding="utf-8")
    start = text.index("      - id: reg.etf_servicing")
    end = text.index("      - id: reg.brand_preference")
    text = text[:start] + text[end:]
    text = text.replace(
        "prompt: Do you prefer a traditional financial institution or a crypto-native firm?",
        "prompt: Which kind of custodian do you prefer, traditional or crypto-native?",
    )
    selection.write_text(text, encoding="utf-8")
    new_qset = load_questionnaires(changed)

    session = store.load(session_id, new_qset, catalog)
    result = session_memo(session, new_qset, catalog, tmp_path / "memo.html")
    html = result.path.read_text(encoding="utf-8")
    retired = html.split("Answers to questions no longer in the questionnaire", 1)[1]
    assert "reg.etf_servicing" in retired.split("</table>", 1)[0]
    row = html.split("Which kind of custodian do you prefer, traditional or crypto-native?", 1)[1]
    assert "TO RE-CONFIRM" in row.split("</tr>", 1)[0]


def test_pdf_a_3b_structure_beyond_the_identification(demo: dict[str, Any]) -> None:
    """What a PDF/A-3b validator checks first, read back with pypdf (no veraPDF offline)."""
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, IndirectObject

    reader = PdfReader(demo["report_pdf"])
    trailer = reader.trailer
    root = trailer["/Root"]
    assert "/Encrypt" not in trailer and len(trailer["/ID"]) == 2
    (intent,) = root["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object()["/N"] == 3  # an RGB ICC profile
    # Associated file: F and UF names, MIME subtype, modification date, relationship.
    (spec,) = (s.get_object() for s in root["/AF"])
    assert spec["/F"] == spec["/UF"] == "session.json"
    stream = spec["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/application/json"
    assert "/ModDate" in stream["/Params"]
    # Every font program embedded.
    fonts = 0
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), descriptor
            fonts += 1
    assert fonts
    # Info dictionary and XMP agree (PDF/A requires both to say the same thing).
    info = reader.metadata
    xmp = demo["report"].xmp
    for key in ("/Title", "/Author", "/Creator"):
        assert info[key] and info[key] in xmp
    # No actions at all: no JavaScript, launch or URI anywhere in the file.
    seen: set[int] = set()
    actions: list[str] = []

    def walk(obj: Any) -> None:
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                return
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            if "/S" in obj and obj["/S"] in ("/JavaScript", "/Launch", "/URI", "/SubmitForm"):
                actions.append(str(obj["/S"]))
            for key, value in obj.items():
                if key in ("/JS", "/AA", "/OpenAction"):
                    actions.append(key)
                if key != "/Parent":
                    walk(value)
        elif isinstance(obj, list):
            for value in obj:
                walk(value)

    walk(root)
    assert not actions
    assert len(seen) > 50  # the walk did reach pages, fonts and annotations
