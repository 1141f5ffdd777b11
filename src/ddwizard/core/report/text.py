"""Text rules for the memo: what user text may become on the page, and plain-language labels.

Free text (notes, references, names) reaches HTML, Markdown and PDF. Control characters are
shown escaped (``\\x1b``), never emitted; very long unbroken runs get break opportunities so
the PDF wraps them quickly (WeasyPrint's cost grows fast with a single 20,000-character word).
Hashes and identifiers stay intact: they are shorter than the run limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from markupsafe import Markup

from ddwizard.core.questionnaire import Severity

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LONG_RUN = re.compile(r"\S{65,}")
RUN_LIMIT = 64
"""Unbroken runs longer than this get a break opportunity every ``BREAK_EVERY`` characters."""
BREAK_EVERY = 32
ZERO_WIDTH_SPACE = "\u200b"


def visible_controls(text: str) -> str:
    """Control characters (except newline and tab) as visible ``\\xNN`` text."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def breakable(text: str) -> str:
    """Insert zero-width break opportunities into unbroken runs longer than ``RUN_LIMIT``."""

    def split(match: re.Match[str]) -> str:
        run = match.group()
        return ZERO_WIDTH_SPACE.join(
            run[i : i + BREAK_EVERY] for i in range(0, len(run), BREAK_EVERY)
        )

    return _LONG_RUN.sub(split, text)


def clean(value: Any) -> str:
    """User text as the memo may print it: a ``str`` without raw control characters."""
    if value is None:
        return ""
    return visible_controls(str(value))


def html_finalize(value: Any) -> Any:
    """Jinja ``finalize`` for HTML: every printed value loses raw controls and long runs wrap.

    Applied before autoescaping, so it also protects firm templates that print a raw field.
    """
    if value is None:
        return ""
    if isinstance(value, Markup):
        return Markup(breakable(visible_controls(str(value))))
    if isinstance(value, str):
        return breakable(visible_controls(value))
    return value


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def join_items(items: Iterable[str]) -> str:
    """``a; b; c.``: one sentence, without doubling a question's own punctuation."""
    text = "; ".join(items)
    return text if text.endswith((".", "?", "!")) else text + "."


def grouped_by_lead(items: Iterable[str]) -> str:
    """``Lead: a`` and ``Lead: b`` become ``Lead: a; b.``: a shared lead-in is written once."""
    groups: dict[str, list[str]] = {}
    for item in items:
        lead, sep, rest = item.partition(": ")
        if sep and rest and len(lead) <= 60:
            groups.setdefault(lead, []).append(rest.rstrip("."))
        else:
            groups.setdefault("", []).append(item.rstrip("."))
    parts = [
        (f"{lead}: " if lead else "") + "; ".join(dict.fromkeys(rests)) + "."
        for lead, rests in groups.items()
    ]
    return " ".join(parts)


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


SEVERITY_LABELS: Mapping[str, str] = {
    "critical": "Critical",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
}


def severity_label(severity: Severity | str) -> str:
    value = str(getattr(severity, "value", severity))
    return SEVERITY_LABELS.get(value, value.capitalize())


def yes_no(value: Any) -> str:
    text = str(value)
    return {"yes": "Yes", "no": "No", "unknown": "not stated"}.get(text, text)


def humanize_id(value: str) -> str:
    """Last resort for an identifier without a label: ``dd.wallet_model`` -> ``wallet model``."""
    return value.rsplit(".", 1)[-1].replace("_", " ").replace("-", " ")
