"""Hostile YAML: alias bombs, self-referring aliases, deep nesting, octal-looking numbers.

A "billion laughs" file under 500 bytes used to hang ``answer``, ``score``, ``report`` and
``validate`` for minutes. Every path that reads YAML (answers files, provider profiles,
questionnaires) must refuse it with the file and line, exit 1, quickly, without a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ddwizard.core.errors import DataError
from ddwizard.core.yamlio import MAX_DEPTH, parse_yaml

BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_bomb_is_small_and_refused_fast_with_file_and_line() -> None:
    assert len(BOMB.encode()) < 500
    started = time.perf_counter()
    with pytest.raises(DataError) as info:
        parse_yaml(BOMB, "bomb.yaml")
    assert time.perf_counter() - started < 0.5
    assert str(info.value).startswith("bomb.yaml:2: YAML aliases expand")


def test_modest_aliases_are_still_accepted() -> None:
    loaded = parse_yaml("base: &b {value: yes, note: same}\nx: *b\ny: *b\n", "ok.yaml")
    assert loaded.data["x"] == loaded.data["y"] == {"value": True, "note": "same"}


def test_self_referring_alias_is_refused() -> None:
    with pytest.raises(DataError, match=r"^loop.yaml:1: a YAML alias refers to"):
        parse_yaml("a: &x [1, *x]\n", "loop.yaml")


def test_deep_block_nesting_is_refused_without_recursion_error() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * 106 + "x: 1\n"
    with pytest.raises(DataError, match=r"deep\.yaml.*nested too deeply"):
        parse_yaml(text, "deep.yaml")


def test_numbers_are_decimal_and_bounded() -> None:
    data = parse_yaml("a: 010\nb: 0x1F\nc: 1:30\nd: 12\ne: 1.5\nf: 1_000\n", "n.yaml").data
    assert data == {"a": "010", "b": "0x1F", "c": "1:30", "d": 12, "e": 1.5, "f": 1000}
    with pytest.raises(DataError) as info:
        parse_yaml("a: " + "9" * 5000 + "\n", "big.yaml")
    assert str(info.value) == "big.yaml:1: number is too large (5,000 digits; at most 30)"
    assert "int_max_str_digits" not in str(info.value)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "ddwizard", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )
    # Well under a second of work; the rest is the interpreter starting on a shared machine.
    assert time.perf_counter() - started < 30
    return result


@pytest.mark.parametrize("command", ["answer", "score", "report"])
def test_bomb_answers_file_through_the_cli(command: str, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    args = {
        "answer": ["answer", "Bomb review", "--answers", str(bomb), "--new"],
        "score": ["score", str(bomb)],
        "report": ["report", str(bomb), "-o", str(tmp_path / "memo.md")],
    }[command]
    if command == "answer":
        probe = _run(["answer", "--help"], tmp_path)
        if "--new" not in probe.stdout:
            args.remove("--new")
    result = _run(["--sessions-dir", str(tmp_path / "sessions"), *args], tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{bomb}:2" in result.stderr and "aliases" in result.stderr
    assert bomb.read_text(encoding="utf-8") == BOMB
    assert not (tmp_path / "memo.md").exists()


@pytest.mark.parametrize("kind", ["providers", "questionnaires"])
def test_bomb_in_data_folders_through_validate(kind: str, repo_root: Path, tmp_path: Path) -> None:
    folder = tmp_path / kind
    shutil.copytree(repo_root / kind, folder)
    target = sorted(folder.glob("*.yaml"))[0]
    target.write_text(BOMB, encoding="utf-8")
    result = _run(["validate", f"--{kind}", str(folder)], tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{target}:2" in result.stderr and "aliases" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_pipes_and_devices_are_refused_without_blocking(tmp_path: Path) -> None:
    from ddwizard.core.yamlio import read_checked_bytes

    pipe = tmp_path / "answers.yaml"
    os.mkfifo(pipe)
    for path in (pipe, Path("/dev/zero")):
        if not path.exists():
            continue
        with pytest.raises(DataError, match="must be a regular file"):
            read_checked_bytes(path, what="answers file")
