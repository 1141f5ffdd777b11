"""Reading a session file: bytes, JSON, layout upgrades and validation, with clear refusals.

A file that cannot be read raises ``CorruptSession`` (naming the file, the problem and the
backup); a file from a newer ddwizard raises ``SessionTooNew``. Neither is ever written
over. Hostile content (deep nesting, huge numbers, a byte-order mark, control characters in
names) ends in one of those two errors, never in a Python exception without the file.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ddwizard.core.errors import DdwizardError
from ddwizard.core.sessions.atomic import backup_path
from ddwizard.core.sessions.errors import CorruptSession, SessionNotFound, SessionTooNew
from ddwizard.core.sessions.migration import SessionTooNewError, UpgradeError, upgrade_document
from ddwizard.core.sessions.session import SCHEMA_VERSION, Session, audit_text_problem
from ddwizard.core.text import printable

MAX_SESSION_BYTES = 256 * 1024 * 1024
MAX_JSON_DEPTH = 64
"""Deepest nesting a session file may have (ours needs six levels)."""
_BOM = b"\xef\xbb\xbf"
# What a control or bidi character looks like in a JSON file: an escape, or the raw UTF-8.
# (Three patterns, each with a literal first byte, scan a long file in well under a ms.)
_MAYBE_CONTROL = (
    re.compile(rb"\\(?:u00[0189][0-9a-fA-F]|u007[fF]|u20(?:2[a-eA-E]|6[6-9])|[bfr])"),
    re.compile(rb"\xc2[\x80-\x9f]"),
    re.compile(rb"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])"),
)
_DIGITS_ONLY = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x2E for byte in range(256))
_LONG_RUN = b"0" * 31
_BEFORE_NUMBER = frozenset(b":[,- \t\r\n")


def _maybe_control(raw: bytes) -> bool:
    return any(pattern.search(raw) is not None for pattern in _MAYBE_CONTROL)


def _has_long_number(raw: bytes) -> bool:
    """A JSON number of more than 30 digits (a run inside a hash or a string does not count).

    Digits are mapped to "0" and everything else to "." (C speed), then runs are found with
    ``bytes.find``: a 2 MB file takes about a millisecond.
    """
    masked = raw.translate(_DIGITS_ONLY)
    at = masked.find(_LONG_RUN)
    while at >= 0:
        if at > 0 and raw[at - 1] in _BEFORE_NUMBER:
            return True
        end = masked.find(b".", at)
        if end < 0:
            return False
        at = masked.find(_LONG_RUN, end)
    return False


@dataclass(frozen=True)
class FileState:
    """Identity of the file content we last read or wrote (to detect outside changes)."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileState:
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


def existing_backup(path: Path) -> Path | None:
    bak = backup_path(path)
    return bak if bak.is_file() else None


def loc_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(str(part))}]"
    return out or "(top level)"


def read_bytes(path: Path) -> tuple[bytes, FileState]:
    """The file's bytes and identity, with errors that name it."""
    try:
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_size > MAX_SESSION_BYTES:
                raise CorruptSession(
                    path, f"the file is too large ({st.st_size:,} bytes)", existing_backup(path)
                )
            if not stat.S_ISREG(st.st_mode):
                raise SessionNotFound(f"{path} is not a regular file (a device, pipe or socket)")
            raw = fh.read(MAX_SESSION_BYTES + 1)
            if len(raw) > MAX_SESSION_BYTES:  # grew while being read
                raise CorruptSession(path, "the file is too large", existing_backup(path))
            return raw, FileState.of(st)
    except FileNotFoundError:
        raise SessionNotFound(f"session file {path} does not exist") from None
    except IsADirectoryError:
        raise SessionNotFound(f"{path} is a folder, not a session file") from None
    except PermissionError:
        raise DdwizardError(f"cannot read session file {path}: permission denied") from None
    except OSError as exc:
        raise DdwizardError(f"cannot read session file {path}: {exc.strerror or exc}") from None


def json_depth_problem(raw: bytes, limit: int = MAX_JSON_DEPTH) -> str | None:
    """A JSON text nested deeper than ``limit`` (counted outside strings), in words, or None."""
    depth = 0
    deepest = 0
    in_string = False
    escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return f"nested too deeply (more than {limit} levels)"
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return None


def parse_session_bytes(raw: bytes, path: Path) -> tuple[Session, int | None]:
    """Validate file content into a Session (upgraded in memory); the original schema too."""

    def corrupt(problem: str) -> CorruptSession:
        return CorruptSession(path, problem, existing_backup(path))

    session, original = _parse(raw, path, corrupt)
    if _maybe_control(raw):
        problem = audit_text_problem(session.audit)
        if problem is not None:
            raise corrupt(f"invalid content: {problem}")
    return session, original


def _parse(
    raw: bytes, path: Path, corrupt: Callable[[str], CorruptSession]
) -> tuple[Session, int | None]:
    raw = raw.removeprefix(_BOM)
    if not raw.strip():
        raise corrupt("the file is empty")
    # Fast paths for current, valid files: our own layout (which also keeps the serialized
    # audit trail for the next save), then any valid JSON in one pass. A file with a very
    # long run of digits takes the careful path, which bounds every number.
    if not _has_long_number(raw):
        fast = Session.from_canonical_json(raw)
        if fast is not None and fast.schema_version == SCHEMA_VERSION:
            return fast, SCHEMA_VERSION
        try:
            session = Session.model_validate_json(raw)
            if session.schema_version == SCHEMA_VERSION:
                return session, SCHEMA_VERSION
        except (ValidationError, ValueError, RecursionError):
            pass  # the careful path below upgrades older layouts and explains what is wrong
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise corrupt(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    deep = json_depth_problem(raw)
    if deep is not None:
        raise corrupt(deep)
    try:
        data = json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise corrupt(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise corrupt(str(exc) if isinstance(exc, ValueError) else "nested too deeply") from None
    if not isinstance(data, dict):
        raise corrupt("expected a JSON object at the top level")
    try:
        data, original = upgrade_document(data)
    except SessionTooNewError:
        version = data.get("schema_version")
        made_by = next(
            (
                printable(str(data[key]))[:40]
                for key in ("written_by", "ddwizard_version", "app_version")
                if isinstance(data.get(key), str)
            ),
            None,
        )
        raise SessionTooNew(
            path, version if isinstance(version, int) else -1, made_by, SCHEMA_VERSION
        ) from None
    except UpgradeError as exc:
        raise corrupt(f"cannot upgrade the old file layout: {exc}") from None
    try:
        session = Session.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        shown = [f"{loc_text(tuple(e['loc']))}: {_plain(e['msg'])}" for e in errors[:5]]
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise corrupt("invalid content: " + "; ".join(shown) + more) from None
    except RecursionError:
        raise corrupt("nested too deeply") from None
    if session.schema_version != SCHEMA_VERSION:
        raise corrupt(f"schema_version: expected {SCHEMA_VERSION}, got {session.schema_version}")
    if original is not None:
        session.mark_stored(original)  # its trail sealed the state under that version
    return session, original


def _plain(message: str) -> str:
    return message.removeprefix("Value error, ")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 30:
        raise ValueError(f"a number is too large ({len(text.lstrip('-')):,} digits)")
    return int(text)


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a number a session file may contain")


def read_session_file(path: Path) -> Session:
    """A session file as stored (upgraded to the current layout in memory), no lock taken."""
    raw, _ = read_bytes(path)
    return parse_session_bytes(raw, path)[0]
