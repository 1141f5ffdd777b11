"""Free text from users is text: nothing typed into an answer becomes markup, a template
expression, a fetched resource or an extra attachment, in PDF, HTML or Markdown."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ddwizard.core.resources import bundled_dir
from ddwizard.core.usecases.write_memo import answers_file_memo

pytestmark = pytest.mark.slow  # renders hostile input as PDF (module fixture)

ENTITY = "Acme {{ 7*7 }} Fund {% raw %}"
PREPARER = "Mallory <script>alert(1)</script>"
NOTE = '<img src="file:///etc/passwd"> <link rel=attachment href="file:///etc/passwd">'
REFERENCE = "url(http://127.0.0.1:9/x) ${7*7} {{ config }}"
DD_NOTE = "</style><style>body{background:url(http://127.0.0.1:9/bg.png)}</style> [click](javascript:alert(1))"

LONG_URL = "https://example.com/" + "very-long-path-segment-" * 12 + "end"
LONG_NOTE = "See " + "x" * 240 + " and " + LONG_URL

ANSWERS = f"""
name: {json.dumps("<b>bold</b> review {# comment #}")}
preparer: {json.dumps(PREPARER)}
answers:
  client.entity_name: {json.dumps(ENTITY)}
  client.regions: [us]
  reg.qualified_custodian: {{value: yes, note: {json.dumps(NOTE)}}}
  assets.staking: no
shortlist: [coinbase-prime]
diligence:
  coinbase-prime:
    dd.wallet_model:
      value: segregated_per_client
      evidence: seen_doc
      document_date: 2026-01-15
      reference: {json.dumps(REFERENCE)}
      note: {json.dumps(DD_NOTE)}
    dd.rehypothecation: {{value: no, note: {json.dumps(LONG_NOTE)}, reference: {json.dumps(LONG_URL)}}}
    dd.legal_entity_identified: {{value: yes, note: "{{% include 'memo.css' %}} ![x](http://127.0.0.1:9/y.png)"}}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, qset: Any, catalog: Any) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("hostile")
    answers = root / "hostile.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    out: dict[str, Any] = {"answers": answers}
    for fmt in ("pdf", "html", "md"):
        out[fmt] = answers_file_memo(answers, qset, catalog, root / f"memo.{fmt}")
    return out


def test_pdf_shows_hostile_text_literally(hostile: dict[str, Any], read_pdf: Any) -> None:
    pdf = read_pdf(hostile["pdf"].path)
    text = pdf.flat
    assert ENTITY in text
    assert "Acme 49 Fund" not in text
    assert PREPARER in text
    assert '<img src="file:///etc/passwd">' in text
    assert "<link rel=attachment" in text
    assert "{{ config }}" in text
    assert "{% include 'memo.css' %}" in text
    assert "root:x:0:0" not in text  # /etc/passwd was never read into the memo


def test_pdf_fetched_nothing_and_has_only_the_record_attached(
    hostile: dict[str, Any], read_pdf: Any
) -> None:
    result = hostile["pdf"]
    assert result.fetch_log.refused == []
    templates = bundled_dir("report_templates").resolve().as_uri()
    assert all(url.startswith((templates, "data:")) for url in result.fetch_log.served)
    pdf = read_pdf(result.path)
    assert list(pdf.attachments) == ["session.json"]
    record = json.loads(pdf.attachments["session.json"][0])
    assert record["answers_file"]["content"] == hostile["answers"].read_text(encoding="utf-8")
    assert record["evaluation"]["shortlist"] == ["coinbase-prime"]


def test_html_escapes_every_user_value(hostile: dict[str, Any]) -> None:
    html = hostile["html"].path.read_text(encoding="utf-8")
    assert "<script" not in html
    assert "<img" not in html
    assert "<link" not in html
    assert "url(http://127.0.0.1" not in html.split("</style>", 1)[0]  # not in our stylesheet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Acme {{ 7*7 }} Fund {% raw %}" in html
    assert "Acme 49 Fund" not in html
    assert html.count("</style>") == 1  # only the inlined stylesheet closes a style element
    assert "<b>bold</b>" not in html


def test_markdown_escapes_every_user_value(hostile: dict[str, Any]) -> None:
    md = hostile["md"].path.read_text(encoding="utf-8")
    # Markdown's own escapes, not HTML entities: no tag can open (every "<" is "\\<")
    assert re.search(r"(?<!\\)<(script|img|link|/style)", md) is None
    assert r"\<script\>alert(1)\</script\>" in md
    assert "&lt;" not in md and "&amp;" not in md
    assert "[click](javascript" not in md
    assert r"\[click\](javascript:alert(1))" in md
    assert "![x](http" not in md
    assert "Acme {{ 7\\*7 }} Fund {% raw %}" in md
    assert "Acme 49 Fund" not in md


def test_long_notes_and_urls_wrap_inside_the_page(hostile: dict[str, Any]) -> None:
    """No line of text, however long its words, extends past the page's content box."""
    import weasyprint
    from weasyprint.formatting_structure import boxes

    html = hostile["html"].path.read_text(encoding="utf-8")
    # long runs carry zero-width break opportunities; the text is otherwise unchanged
    assert LONG_URL in html.replace("\u200b", "")
    base = bundled_dir("report_templates").resolve().as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base).render()
    overflowing = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        for box in page_box.descendants():
            if isinstance(box, boxes.TextBox) and box.position_x + box.width > right + 0.5:
                overflowing.append((number, box.text[:40]))
    assert overflowing == []


def test_a_300_character_entity_name_wraps_in_the_page_header(qset: Any, catalog: Any) -> None:
    """The running header and every other line stay inside the page (issue 15, item 6)."""
    from dataclasses import replace
    from datetime import date

    import weasyprint
    from weasyprint.formatting_structure import boxes

    from ddwizard.core.answers import Answer
    from ddwizard.core.demo import load_demo_answers
    from ddwizard.core.matching import evaluate
    from ddwizard.core.report.context import ReviewRecord, make_memo_context
    from ddwizard.core.report.render import render_html

    sheet = load_demo_answers(qset, catalog).sheet
    entity = "E" * 300
    sheet = replace(
        sheet, selection={**sheet.selection, "client.entity_name": Answer(value=entity)}
    )
    record = ReviewRecord(
        kind="answers_file",
        name=entity,
        preparer="P" * 200,
        status="in_progress",
        record_json=b"{}",
    )
    today = date(2026, 11, 28)
    memo = make_memo_context(
        qset=qset,
        catalog=catalog,
        sheet=sheet,
        evaluation=evaluate(qset, catalog, sheet, today=today),
        record=record,
        today=today,
    )
    templates = bundled_dir("report_templates")
    html = render_html(memo, templates)
    document = weasyprint.HTML(string=html, base_url=templates.as_uri() + "/").render()
    overflowing = []
    for number, page in enumerate(document.pages[:3], start=1):
        page_box = page._page_box
        right = page_box.margin_width()
        for box in page_box.descendants():
            if isinstance(box, boxes.TextBox) and box.position_x + box.width > right + 0.5:
                overflowing.append((number, box.text[:40]))
    assert overflowing == []
