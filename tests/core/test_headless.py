"""The core must stay headless: importing it never pulls in textual (or WeasyPrint)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ddwizard.core


def _core_modules() -> list[str]:
    return sorted(
        m.name for m in pkgutil.walk_packages(ddwizard.core.__path__, prefix="ddwizard.core.")
    )


def test_core_never_imports_textual() -> None:
    modules = _core_modules()
    assert "ddwizard.core.questionnaire" in modules
    assert "ddwizard.core.usecases.write_memo" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"core imported textual modules: {result.stdout}"


def test_core_and_cli_parser_do_not_import_weasyprint() -> None:
    code = (
        "import sys\n"
        "import ddwizard.core.loading, ddwizard.core.answers, ddwizard.cli\n"
        "import ddwizard.cli.context\n"
        "print('weasyprint' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_cli_commands_other_than_the_wizard_do_not_import_textual() -> None:
    """The CLI names the wizard's entry points as strings; only they import the TUI."""
    code = (
        "import importlib, sys\n"
        "from ddwizard.cli import HANDLERS, main\n"
        "for target in HANDLERS.values():\n"
        "    module = target.partition(':')[0]\n"
        "    if not module.startswith('ddwizard.tui'):\n"
        "        importlib.import_module(module)\n"
        "main(['--help'])\n"
        "print('textual' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
