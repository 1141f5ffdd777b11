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

pytestmark = pytest.mark.slow

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


@pytest.fixture(scope="module")
def context(qset: Any, catalog: Any) -> Any:
    """The demo memo's context, to know what the PDF should say (names, statuses)."""
    from ddwizard.core.usecases.demo import demo_memo_context

    return demo_memo_context(qset, catalog)


def test_demo_memo_has_every_section_in_order(demo: dict[str, Any], context: Any) -> None:
    sections = [
        "Decision",
        "1. Eligibility and ranking at a glance",
        "2. Mandate",
        "3. Scores and robustness",
        *(f"{i}. {p.name}" for i, p in enumerate(context.providers, start=4)),
        "Red flags and mitigations",
        "Methodology, data and sources",
        "Appendix A: answers",
        "Appendix B: audit trail",
        "Sign-off and integrity",
    ]
    text = demo["demo"].flat
    positions: list[int] = []
    for heading in sections:
        assert heading in text[(positions[-1] if positions else 0) :], heading
        positions.append(text.index(heading, positions[-1] if positions else 0))


def test_page_one_is_the_decision_and_page_two_the_tiers(demo: dict[str, Any]) -> None:
    """Page 1 says what the committee decides, in the words of the status."""
    first = " ".join(demo["demo"].page_texts[0].split())
    session_id = demo["session_file"].stem
    for expected in (
        "Northwind Pension Trust Limited",
        "Demo — Northwind Pension Trust custody review",
        "Status DRAFT",
        "Dana Whitfield, Head of Compliance",
        session_id,
        "RECOMMENDATION ·",
        "The committee is asked to",
    ):
        assert expected in first, expected
    assert any(s in first.upper() for s in ("SUPPORTED", "PROVISIONAL", "NO RECOMMENDATION"))
    if "PROVISIONAL" in first:
        assert "note the provisional ranking and authorise completion of diligence" in first
        assert "Conditions before approval" in first
    if "SUPPORTED" in first:
        assert "asked to approve" in first
    second = " ".join(demo["demo"].page_texts[1].split())
    assert "Eligibility and ranking at a glance" in second
    assert "Excluded" in second and "Points by criterion" in second


def test_contents_are_pdf_bookmarks(demo: dict[str, Any]) -> None:
    from pypdf import PdfReader

    reader = PdfReader(demo["demo_pdf"])
    titles = [
        " ".join(str(item.title).split()) for item in reader.outline if not isinstance(item, list)
    ]
    for expected in (
        "Decision",
        "Eligibility and ranking at a glance",
        "BitGo Custody",
        "Red flags and mitigations",
        "Appendix A: answers",
        "Sign-off and integrity",
    ):
        assert any(expected in t for t in titles), (expected, titles)
    assert not any("What we verified" in t for t in titles)  # sections only, no sub-headings


def test_no_page_is_mostly_empty(demo: dict[str, Any]) -> None:
    pages = demo["demo"].page_texts
    lengths = sorted(len(p) for p in pages)
    median = lengths[len(lengths) // 2]
    for number, page in enumerate(pages[:-1], start=1):  # the last page may be short
        assert len(page) > median * 0.3, (number, len(page), median)


def test_page_numbers_and_running_header_on_every_page(demo: dict[str, Any]) -> None:
    pdf = demo["demo"]
    for number, page in enumerate(pdf.page_texts, start=1):
        assert f"Page {number} of {pdf.pages}" in page
        assert "Northwind Pension Trust Limited" in page
        assert "Confidential · DRAFT" in page


def test_plain_language_no_ids_json_or_paths(demo: dict[str, Any]) -> None:
    text = demo["report"].flat
    assert (
        re.findall(r"\b(?:dd|client|reg|assets|controls|settlement|fees|reporting)\.[a-z_]+", text)
        == []
    )
    assert '["' not in text and '{"' not in text
    assert str(demo["sessions"]) not in text and "/tmp/" not in text
    assert "Lead over the runner-up: 0.0" not in text
    if "Next in line" in text:  # a named fallback and "the only provider" contradict
        assert "the only provider that can be recommended" not in text


def test_provider_sections_show_documents_seen_and_open_items_counted(
    demo: dict[str, Any], context: Any
) -> None:
    text = demo["demo"].flat
    first = context.providers[0]
    following = context.providers[1].name if len(context.providers) > 1 else "Red flags"
    section = text.split(f"4. {first.name}", 1)[1].split(following, 1)[0]
    references = [v.reference for v in first.verified if v.reference]
    assert references and references[0] in section  # a document seen, by its reference
    assert section.index("What we verified") < section.index("What is open")
    assert "red-flags table" in section or "no red flag was raised" in section
    assert f"Diligence on {first.name}:" in section


DEMO_PAGE_BUDGET = 12


def test_demo_memo_stays_within_its_page_budget(demo: dict[str, Any]) -> None:
    """PRODUCT.md: the demo memo at most 12 pages, with the complete answers."""
    assert demo["demo"].pages <= DEMO_PAGE_BUDGET


def test_appendix_is_compact(demo: dict[str, Any]) -> None:
    text = demo["demo"].flat
    appendix = text.split("Appendix A: answers", 1)[1].split("Appendix B: audit trail", 1)[0]
    assert "Mandate: " in appendix and "Diligence: " in appendix
    assert "more on current documents, under" in appendix
    assert "Diligence not answered for" not in text


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
    assert f"SHA-256oftheembeddedrecord(session.json){digest}" in text
    catalog = load_providers(REPO / "providers")
    qset = load_questionnaires(REPO / "questionnaires")
    assert catalog.data_hash in text
    assert qset.selection.content_hash in text
    assert qset.diligence.content_hash in text


def test_pdf_a_3a_identification_in_xmp_and_tags(demo: dict[str, Any]) -> None:
    from pypdf import PdfReader

    xmp = demo["demo"].xmp
    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3</pdfaid:part>', xmp)
    assert re.search(r'pdfaid:conformance="A"|<pdfaid:conformance>A</pdfaid:conformance>', xmp)
    root = PdfReader(demo["demo_pdf"]).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] is True or str(root["/MarkInfo"]["/Marked"]) == "True"
    tree = root["/StructTreeRoot"].get_object()
    assert tree["/K"]  # a structure tree with content
    assert str(root.get("/Lang", "")).startswith("en")


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
    assert "memo written" in audit_pages
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
    assert all("Confidential · FINAL" in page for page in pdf.page_texts)
    assert pdf.attachments["session.json"] == [session.to_json_bytes()]


def test_long_tables_repeat_their_header_on_every_page(demo: dict[str, Any]) -> None:
    pages = demo["demo"].page_texts
    start = next(i for i, p in enumerate(pages) if "Appendix A: answers" in p and i > 1)
    end = next(i for i, p in enumerate(pages) if "Appendix B: audit trail" in p and i > 1)
    # every page the answers table runs over (the audit trail's page only if the table
    # continues onto it, i.e. it does not open with the audit trail)
    last = pages[end].split("Appendix B: audit trail", 1)[0]
    appendix = [*pages[start:end], *([pages[end]] if "Question" in last else [])]
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
    # (the migrated session does not verify today: a sessions issue, not the memo's)
    result = session_memo(session, new_qset, catalog, tmp_path / "memo.html", unverified=True)
    html = result.path.read_text(encoding="utf-8")
    retired = html.split("Answers to questions no longer in the questionnaire", 1)[1]
    assert "etf servicing" in retired.split("</table>", 1)[0]
    row = html.split("Which kind of custodian do you prefer, traditional or crypto-native?", 1)[1]
    assert "TO RE-CONFIRM" in row.split("</tr>", 1)[0]


def test_pdf_a_3_structure_beyond_the_identification(demo: dict[str, Any]) -> None:
    """What a PDF/A-3 validator checks first, read back with pypdf (no veraPDF offline)."""
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


def test_unverified_memo_says_so_on_every_page(
    tmp_path: Path, read_pdf: Any, qset: Any, catalog: Any
) -> None:
    from datetime import date

    from ddwizard.core.report.context import MemoIntegrity, ReviewRecord, make_memo_context
    from ddwizard.core.report.render import render_html, render_pdf
    from ddwizard.core.resources import bundled_dir
    from ddwizard.core.usecases.demo import demo_memo_context

    demo = demo_memo_context(qset, catalog, today=date(2026, 11, 28))
    del demo
    from ddwizard.core.demo import load_demo_answers
    from ddwizard.core.matching import evaluate

    sheet = load_demo_answers(qset, catalog).sheet
    record = ReviewRecord(
        kind="session",
        name="Tampered",
        preparer="P",
        status="final",
        record_json=b"{}",
        session_id="20261128-deadbeef",
    )
    memo = make_memo_context(
        qset=qset,
        catalog=catalog,
        sheet=sheet,
        evaluation=evaluate(qset, catalog, sheet, today=date(2026, 11, 28)),
        record=record,
        today=date(2026, 11, 28),
        integrity=MemoIntegrity(False, 4, None, problems=("event 3 was edited",)),
    )
    templates = bundled_dir("report_templates")
    out = tmp_path / "unverified.pdf"
    out.write_bytes(render_pdf(render_html(memo, templates), templates, attachment=b"{}"))
    pdf = read_pdf(out)
    for page in pdf.page_texts:
        assert "INTEGRITY NOT VERIFIED" in " ".join(page.split())
    assert "event 3 was edited" in pdf.flat
