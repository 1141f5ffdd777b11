"""The one way ddwizard replaces a file: whole or not at all, even when killed mid-write.

Session files and memos are both written here. The data goes to a temporary file in the
same folder (``.<name>[tag].<pid>.<random>.tmp``, so a later run can recognise and remove
what a killed writer left), is fsynced, and is renamed over the target; the folder is then
fsynced so the rename itself survives a power cut. A process killed at any instant leaves
either the old file or the new one, both complete, plus at most one temporary file.

With ``keep_backup`` the current file first becomes ``<name>.bak`` (a hard link, so keeping
it costs nothing), which is what the session store offers users when a file is damaged.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

BACKUP_SUFFIX = ".bak"
TEMP_SUFFIX = ".tmp"


def backup_path(path: Path) -> Path:
    """``<file>.bak``: the version before the last save."""
    return path.with_name(path.name + BACKUP_SUFFIX)


def temp_path(path: Path, tag: str = "") -> Path:
    """A fresh temporary name beside ``path`` that ``cleanup_stale_temps`` recognises."""
    return path.with_name(f".{path.name}{tag}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # platforms that cannot open folders (Windows): rename is durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(
    path: Path,
    data: bytes | Sequence[bytes],
    *,
    keep_backup: bool = False,
    make_parents: bool = False,
) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file.

    ``data`` may be given in pieces (a long audit trail is written without joining it).
    OS errors propagate as ``OSError`` (callers name the file in their own words); the
    temporary file is removed on any failure.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if make_parents:
        folder.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            for chunk in [data] if isinstance(data, bytes) else data:
                view = memoryview(chunk)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if keep_backup and path.exists():
            _keep_backup(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(folder)


def _keep_backup(path: Path) -> None:
    bak = backup_path(path)
    with contextlib.suppress(OSError):
        if os.path.samefile(path, bak):
            # A writer died between its two renames: the backup already holds this version
            # (and renaming a hard link onto itself would do nothing).
            return
    bak_tmp = temp_path(path, BACKUP_SUFFIX)
    try:
        os.link(path, bak_tmp)
    except OSError:  # no hard links on this file system: copy instead
        shutil.copy2(path, bak_tmp)
        with open(bak_tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    try:
        os.replace(bak_tmp, bak)
    except BaseException:
        with contextlib.suppress(OSError):
            bak_tmp.unlink()
        raise


def cleanup_stale_temps(folder: Path, stem: str, *, min_age_seconds: float = 0.0) -> list[Path]:
    """Remove temporary files a killed writer of ``folder/stem`` left; returns those removed.

    ``stem`` is the target's file name (``20261130-ab12cd34.json``, ``memo.pdf``). Only
    files named as ``temp_path`` names them are touched. A caller that does not hold a lock
    on the target passes ``min_age_seconds`` so a concurrent writer's file is left alone.
    """
    removed: list[Path] = []
    now = time.time()
    try:
        candidates = list(Path(folder).glob(f".{_glob_escape(stem)}.*{TEMP_SUFFIX}"))
    except OSError:
        return removed
    for leftover in candidates:
        try:
            if min_age_seconds > 0 and now - leftover.stat().st_mtime < min_age_seconds:
                continue
            leftover.unlink()
            removed.append(leftover)
        except OSError:
            continue
    return removed


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)
