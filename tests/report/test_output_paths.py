"""Where the memo goes: a path that cannot take the memo is refused with a message naming it,
before any time is spent rendering, and never leaves a temporary file or a wrong format."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ddwizard.cli import main
from ddwizard.core.errors import DataError
from ddwizard.core.report.render import check_output, format_for, write_atomic

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "questionnaires" / "examples" / "demo.yaml"


def test_an_unknown_extension_is_refused_not_written_as_pdf() -> None:
    with pytest.raises(DataError) as caught:
        format_for(Path("out/memo.docx"), None)
    assert "out/memo.docx: cannot tell the memo format from '.docx'" in str(caught.value)


def test_a_folder_or_a_file_in_the_way_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is a folder"):
        check_output(tmp_path)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(DataError, match=r"notes\.txt is a file"):
        check_output(blocker / "sub" / "memo.pdf")
    check_output(tmp_path / "new" / "folders" / "memo.pdf")  # missing folders are created


def test_an_extension_that_names_another_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        check_output(tmp_path / "memo.pdf", "md")
    assert "ends in '.pdf' but the memo format is Markdown; name it .md" in str(caught.value)
    check_output(tmp_path / "memo.htm", "html")
    check_output(tmp_path / "memo", "md")  # no extension: the chosen format decides


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_failed_write_names_the_memo_not_the_temporary_file() -> None:
    target = Path("/proc/ddwizard-memo.pdf")  # no file can be created there, even as root
    with pytest.raises(DataError) as caught:
        write_atomic(target, b"%PDF-")
    message = str(caught.value)
    assert message.startswith("/proc/ddwizard-memo.pdf: cannot write the memo")
    assert ".tmp" not in message


def test_cli_refuses_bad_outputs_quickly_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docx = tmp_path / "memo.docx"
    assert main(["report", str(DEMO), "-o", str(docx)]) == 1
    assert not docx.exists()
    assert "cannot tell the memo format from '.docx'" in capsys.readouterr().err
    assert main(["report", str(DEMO), "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"error: {tmp_path}: is a folder" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing half-written


def test_bad_output_is_refused_before_rendering(tmp_path: Path) -> None:
    """The check runs before WeasyPrint is even imported."""
    import subprocess

    code = (
        "import sys; from ddwizard.cli import main; "
        f"rc = main(['report', {str(DEMO)!r}, '-o', {str(tmp_path)!r}]); "
        "sys.exit(10 + rc if 'weasyprint' not in sys.modules else 99)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 11, done.stderr
