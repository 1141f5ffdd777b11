"""Review settings shared by the rules, the TUI and the memo, so they never disagree.

One ``Settings`` object travels from the ``Workspace`` into ``evaluate``, the memo context and
the screens. Today it holds the evidence staleness limit (DECISIONS.md §3: documentary
evidence older than this confirms nothing and is a finding), read once from the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from ddwizard.core.errors import DataError

DEFAULT_STALE_AFTER_DAYS = 365
STALE_DAYS_ENV = "DDWIZARD_STALE_DAYS"


@dataclass(frozen=True)
class Settings:
    """Settings of one run; immutable so every consumer sees the same values."""

    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS

    def __post_init__(self) -> None:
        if self.stale_after_days < 1:
            raise DataError.single("must be at least 1 day", field=STALE_DAYS_ENV)

    @property
    def stale_after(self) -> timedelta:
        return timedelta(days=self.stale_after_days)

    def stale_before(self, today: date) -> date:
        """Documents dated before this day are stale on ``today``."""
        return today - self.stale_after

    def is_stale(self, document_date: date | None, today: date) -> bool:
        """A dated document older than the limit; an undated one is not called stale here."""
        return document_date is not None and document_date < self.stale_before(today)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``DDWIZARD_STALE_DAYS``; a bad value is a ``DataError`` naming the variable."""
        env = os.environ if environ is None else environ
        raw = env.get(STALE_DAYS_ENV)
        if raw is None or not raw.strip():
            return cls()
        try:
            days = int(raw.strip())
        except ValueError:
            raise DataError.single(
                f"expected a whole number of days, got {raw!r}", field=STALE_DAYS_ENV
            ) from None
        return cls(stale_after_days=days)


DEFAULT_SETTINGS = Settings()
