"""No line of the memo breaks early. WeasyPrint can end a line after its first word when a
bare text is followed by an inline element and nearly fills the line ("Are" / "key-generation
ceremonies ..." in the appendix); the templates wrap such texts in a span. These tests lay out
the demo memo and look at every pair of consecutive lines."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import weasyprint

from ddwizard.core.resources import bundled_dir
from ddwizard.core.usecases.write_memo import answers_file_memo

pytestmark = pytest.mark.slow  # lays out the demo memo with WeasyPrint

REPO = Path(__file__).resolve().parents[2]


def _leaves(box: Any) -> list[Any]:
    return [b for b in box.descendants() if not getattr(b, "children", None)]


def _next_unit_width(line: Any) -> float:
    """Width of what line ``line`` starts with that could not be split (a word or a nowrap run)."""
    for leaf in _leaves(line):
        text = getattr(leaf, "text", None)
        if not text or not text.strip():
            continue
        if leaf.style["white_space"] in ("nowrap", "pre"):
            return float(leaf.width)
        word = text.split()[0]
        return float(leaf.width) * len(word) / len(text)
    return 0.0


def early_breaks(document: Any) -> list[str]:
    """Lines that end with room to spare for the next line's first word (forced breaks excepted)."""
    found: list[str] = []
    for number, page in enumerate(document.pages, 1):
        for box in page._page_box.descendants():  # WeasyPrint's laid-out box tree
            lines = [c for c in getattr(box, "children", ()) if type(c).__name__ == "LineBox"]
            for first, second in itertools.pairwise(lines):
                leaves = _leaves(first)
                if not leaves or getattr(leaves[-1], "text", None) is None:
                    continue  # ends with <br> (an empty inline box): a forced break
                room = box.width - first.width
                # A margin for the estimate (average glyph width) and the space before the word.
                if room > 1.5 * _next_unit_width(second) + 8:
                    text = "".join(getattr(b, "text", "") for b in leaves)
                    found.append(f"page {number}: {text!r} ({room:.0f}px left)")
    return found


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory: pytest.TempPathFactory, qset: Any, catalog: Any) -> str:
    source = REPO / "questionnaires" / "examples" / "demo.yaml"
    out = tmp_path_factory.mktemp("breaks") / "demo.html"
    return answers_file_memo(source, qset, catalog, out).path.read_text("utf-8")


def test_demo_memo_has_no_early_line_break(demo_html: str) -> None:
    html = demo_html
    base = bundled_dir("report_templates").as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base).render()
    assert len(document.pages) > 8
    assert early_breaks(document) == []


def test_the_detector_sees_the_weasyprint_early_break() -> None:
    """The unwrapped form of an appendix row, at the width where WeasyPrint breaks early."""
    row = (
        "<td>Are key-generation ceremonies documented and independently witnessed? "
        '<span style="font-size: 6pt">dd.key_ceremony_documented</span></td>'
    )
    wrapped = row.replace("<td>Are", "<td><span>Are").replace("? <span", "?</span> <span")
    css = "table { table-layout: fixed; font: 6.8pt/1.22 'DejaVu Sans Condensed'; }"
    results = {}
    for name, cell in (("bare", row), ("wrapped", wrapped)):
        found = []
        for width in range(300, 316):
            sized = cell.replace("<td>", f"<td style='width: {width}px'>")
            html = f"<style>{css}</style><table><tr>{sized}</tr></table>"
            found += early_breaks(weasyprint.HTML(string=html).render())
        results[name] = found
    assert results["bare"], "WeasyPrint no longer breaks early here: the test needs a new case"
    assert results["wrapped"] == []
