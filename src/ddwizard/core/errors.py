"""Errors that name where bad input is, so a user can fix it without reading a traceback."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input: where it is and what is wrong, in plain words."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        parts = [p for p in (where, self.field) if p]
        prefix = ": ".join(parts)
        text = f"{prefix}: {self.message}" if prefix else self.message
        # File names, keys and values quoted in a message come from the input: a control
        # character in them is shown escaped, never sent to the terminal. A line break is
        # kept (it moves the cursor, nothing more): messages that list reasons use it.
        return _CONTROL.sub(_escape, text)


_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class DdwizardError(Exception):
    """Base for every error the user can cause; the CLI prints it and exits 1."""


class DataError(DdwizardError):
    """Invalid input data; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid data")

    @classmethod
    def single(
        cls,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> DataError:
        return cls([Problem(message, file=file, line=line, field=field)])
