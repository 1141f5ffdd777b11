"""Changes in words, for the lines ``ddwizard answer`` prints after applying a file."""

from __future__ import annotations

from typing import Any

from ddwizard.core.answers import Answer


def show(value: Any) -> str:
    if value is None:
        return "(unanswered)"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def show_list(items: Any) -> str:
    return "(none)" if items is None else (", ".join(items) or "(none)")


def describe_change(label: str, old: Answer | None, new: Answer) -> str:
    if old is None:
        return f"{label}: {show(new.value)}"
    if old.value != new.value:
        return f"{label}: {show(old.value)} -> {show(new.value)}"
    if old.needs_reconfirmation and not new.needs_reconfirmation:
        return f"{label}: {show(new.value)} (re-confirmed)"
    return f"{label}: {show(new.value)} (details updated)"
