"""Where the bundled data lives: inside the wheel, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

DATA_FOLDERS = ("questionnaires", "providers", "report_templates")


def bundled_dir(name: str) -> Path:
    """The bundled ``questionnaires``, ``providers`` or ``report_templates`` folder."""
    if name not in DATA_FOLDERS:
        raise ValueError(name)
    package = Path(__file__).resolve().parent.parent
    installed = package / "_data" / name
    if installed.is_dir():
        return installed
    checkout = package.parent.parent / name
    return checkout


def default_sessions_dir(explicit: Path | None = None) -> Path:
    """``--sessions-dir``, else ``$DDWIZARD_HOME/sessions``, else the user data folder."""
    import os

    if explicit is not None:
        return explicit
    home = os.environ.get("DDWIZARD_HOME")
    if home:
        return Path(home).expanduser() / "sessions"
    from platformdirs import user_data_path

    return user_data_path("ddwizard", appauthor=False) / "sessions"
