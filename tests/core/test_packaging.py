"""The data folders ship inside the wheel, and an installed (non-editable) copy finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds and installs a wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(repo_root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    wheels = list(out.glob("ddwizard-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_contains_the_data_folders(wheel: Path, repo_root: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("providers", "questionnaires", "report_templates"):
        for path in (repo_root / folder).rglob("*"):
            if path.is_file():
                rel = path.relative_to(repo_root).as_posix()
                assert f"ddwizard/_data/{rel}" in names, rel
    assert "ddwizard/py.typed" in names


def test_installed_wheel_validates_bundled_data_from_another_folder(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import ddwizard.core.resources as r; print(r.bundled_dir('providers'))",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=work,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(target)
    result = subprocess.run(
        [sys.executable, "-m", "ddwizard", "validate"],
        capture_output=True,
        text=True,
        check=False,
        cwd=work,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "11 profiles" in result.stdout
