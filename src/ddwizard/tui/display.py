"""Text from sessions, answers files and error messages made safe to put on the terminal.

Escape sequences in a review's name or an answer could retitle the terminal or clear it:
Textual removes a few control characters but passes ESC and the C1 controls through. Every
screen shows session text through ``shown`` (or ``shown_line`` where one line is expected),
which replaces each control character by a visible ``\\x1b``-style escape. The text is then
put in a ``rich.text.Text`` (never parsed as markup).
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line/paragraph separators and bidi overrides (which reorder text).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: object) -> str:
    """``text`` with every control character except newline and tab shown escaped."""
    return _CONTROL.sub(_escape, str(text))


def shown_line(text: object) -> str:
    """``text`` for a one-line place (a title, a table cell): newlines and tabs escaped too."""
    return _CONTROL_OR_BREAK.sub(_escape, str(text))
