"""Error messages reach the terminal readable and harmless."""

from __future__ import annotations

from ddwizard.core.errors import Problem


def test_a_listed_reason_keeps_its_line_break_and_escape_codes_stay_escaped() -> None:
    text = str(Problem("cannot be final:\n  - no document\x1b]0;title\x07", field="status"))
    assert text.splitlines() == ["status: cannot be final:", "  - no document\\x1b]0;title\\x07"]
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x0d" in str(Problem("a\rb"))  # a carriage return could overwrite the line
