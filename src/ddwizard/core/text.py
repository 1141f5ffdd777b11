"""Rules for free text a user types: what may be in it and how long it may be.

Free text travels from answers files, session files and the TUI to the terminal and into
HTML, Markdown and PDF memos. Control characters there are never content: ESC sequences
retitle or clear the terminal, NUL and friends corrupt the memo. So they are refused where
text enters (with the file and field), not filtered later. Line breaks and tabs are allowed
only in multi-line fields (notes). The limits below keep a memo quick to render and are the
documented maximum for each field:

=====================  ==========  ==============================================
field                  characters  where
=====================  ==========  ==============================================
review name / title    500         ``name`` of a review and of an answers file
preparer, reviewer     500         answers file ``preparer``, ``--preparer``, sign-off
text answer            2,000       a question of type ``text`` (e.g. the entity name)
note                   20,000      the ``note`` of any answer (multi-line)
reference              2,000       the document reference of a diligence answer
reason / rationale     5,000       reopening a final review, a sign-off override
=====================  ==========  ==============================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from ddwizard.core.errors import DataError

MAX_NAME_LENGTH = 500
MAX_PERSON_LENGTH = 500
MAX_TEXT_ANSWER_LENGTH = 2_000
MAX_NOTE_LENGTH = 20_000
MAX_REFERENCE_LENGTH = 2_000
MAX_REASON_LENGTH = 5_000

# C0 controls except tab and line feed, DEL, C1 controls; carriage returns are normalised.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Unicode format characters that reorder or hide text (bidi overrides, isolates).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def control_character_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` holds a character free text may not contain, or None."""
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    found = pattern.search(value) or _BIDI.search(value)
    if found is None:
        return None
    char = found.group()
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "control character")
    where = found.start() + 1
    return (
        f"contains a control character (U+{ord(char):04X} {name}) at character {where}; "
        "free text may not contain escape codes or other control characters"
        + ("" if multiline else " or line breaks")
    )


_CONTROL_NAMES: Mapping[str, str] = {
    "\x00": "NUL",
    "\x07": "BEL",
    "\x08": "BACKSPACE",
    "\x09": "TAB",
    "\x0a": "LINE FEED",
    "\x0d": "CARRIAGE RETURN",
    "\x1b": "ESC",
    "\x7f": "DEL",
    "\x9b": "CSI",
}


def free_text_problem(value: str, *, max_len: int, multiline: bool = False) -> str | None:
    """Why ``value`` is not acceptable free text (control characters, too long), or None."""
    if multiline:
        value = value.replace("\r\n", "\n")
    problem = control_character_problem(value, multiline=multiline)
    if problem is not None:
        return problem
    if len(value) > max_len:
        return f"too long ({len(value):,} characters; at most {max_len:,})"
    return None


def check_free_text(
    value: Any, *, field: str, max_len: int, multiline: bool = False, file: str | None = None
) -> str:
    """``value`` as accepted free text, or a DataError naming ``field`` (and ``file``).

    Only strings are text: a mapping or list given where text belongs is refused rather
    than stored as Python's rendering of it. Windows line endings in multi-line text become
    ``\\n``.
    """
    if not isinstance(value, str):
        raise DataError.single(f"expected text, got {_kind(value)}", field=field or None, file=file)
    text: str = value.replace("\r\n", "\n") if multiline else value
    problem = free_text_problem(text, max_len=max_len, multiline=multiline)
    if problem is not None:
        raise DataError.single(problem, field=field or None, file=file)
    return text


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple | set):
        return "a list"
    if value is None:
        return "nothing"
    return type(value).__name__


def strings_in(value: Any) -> list[str]:
    """Every string inside a JSON-like value (keys too), for control-character checks."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Mapping):
            for key, sub in item.items():
                stack.append(key)
                stack.append(sub)
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return out


def printable(text: str) -> str:
    """``text`` with control and bidi characters shown as escapes (``\\x1b``), for text that
    was not typed as free text but must be shown or recorded anyway (file paths)."""

    def escape(found: re.Match[str]) -> str:
        code = ord(found.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _BIDI.sub(escape, _CONTROL_SINGLE_LINE.sub(escape, text))
