"""Template environment: autoescaped, strict, sandboxed; errors name the file and line."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ddwizard.cli import main
from ddwizard.core.errors import DataError
from ddwizard.core.report.render import (
    check_templates,
    format_for,
    make_environment,
    markdown_escape,
    render_html,
    render_markdown,
    write_atomic,
)
from ddwizard.core.resources import bundled_dir

ANSWERS = """
answers:
  client.entity_name: Template Test Fund
  client.regions: [us]
"""


@pytest.fixture()
def firm_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "firm"
    shutil.copytree(bundled_dir("report_templates"), folder)
    return folder


@pytest.fixture()
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(ANSWERS, encoding="utf-8")
    return path


def _break(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(line - 1, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_every_html_template_is_autoescaped(tmp_path: Path) -> None:
    (tmp_path / "x.html.j2").write_text("{{ v }}|{{ v | safe }}", encoding="utf-8")
    (tmp_path / "y.svg.j2").write_text("<text>{{ v }}</text>", encoding="utf-8")
    env = make_environment(tmp_path)
    assert env.get_template("x.html.j2").render(v="<b>") == "&lt;b&gt;|<b>"
    assert env.get_template("y.svg.j2").render(v="<b>") == "<text>&lt;b&gt;</text>"


def test_markdown_environment_escapes_for_markdown(tmp_path: Path) -> None:
    (tmp_path / "x.md.j2").write_text("| {{ v }} |", encoding="utf-8")
    env = make_environment(tmp_path, markdown=True)
    out = env.get_template("x.md.j2").render(v="a | b *c* <i>")
    assert out == r"| a \| b \*c\* \<i\> |"


def test_undefined_is_an_error_not_an_empty_string(tmp_path: Path) -> None:
    (tmp_path / "x.html.j2").write_text("{{ missing }}", encoding="utf-8")
    with pytest.raises(Exception, match="missing"):
        make_environment(tmp_path).get_template("x.html.j2").render()


def test_markdown_escape_neutralises_markup() -> None:
    assert markdown_escape("[x](http://a)") == r"\[x\](http://a)"
    assert markdown_escape("# title") == r"\# title"
    assert markdown_escape("- item") == r"\- item"
    assert markdown_escape("1. first") == r"1\. first"
    assert markdown_escape("line one\nline two") == "line one line two"
    # Markdown backslash escapes, never HTML entities; control characters shown escaped
    assert markdown_escape("<script>&") == r"\<script\>\&"
    assert markdown_escape("a\x00b\x1b[2J") == r"a\\x00b\\x1b\[2J"
    assert markdown_escape("2026-11-28 and 72.5") == "2026-11-28 and 72.5"
    assert markdown_escape(None) == ""
    assert markdown_escape(49) == "49"


def test_bundled_templates_pass_the_check(qset: Any, catalog: Any) -> None:
    from ddwizard.core.usecases.demo import demo_memo_context

    sample = demo_memo_context(qset, catalog, today=date(2026, 11, 28))
    assert check_templates(bundled_dir("report_templates"), sample) == []


def test_every_html_partial_has_a_markdown_twin() -> None:
    partials = bundled_dir("report_templates") / "partials"
    html = {p.name.removesuffix(".html.j2") for p in partials.glob("*.html.j2")}
    md = {p.name.removesuffix(".md.j2") for p in partials.glob("*.md.j2")}
    assert html == md and "decision" in html


def test_a_symlink_in_the_templates_folder_cannot_include_outside_files(
    firm_templates: Path, tmp_path: Path, qset: Any, catalog: Any
) -> None:
    """One rule for templates, the stylesheet and resources: real paths inside the folder."""
    from ddwizard.core.usecases.demo import demo_memo_context

    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET", encoding="utf-8")
    (firm_templates / "partials" / "leak.html.j2").symlink_to(secret)
    _break(
        firm_templates / "partials" / "mandate.html.j2", 3, '{% include "partials/leak.html.j2" %}'
    )
    memo = demo_memo_context(qset, catalog, today=date(2026, 11, 28))
    with pytest.raises(DataError) as caught:
        render_html(memo, firm_templates)
    assert "outside the templates folder" in str(caught.value)
    # the stylesheet follows the same rule
    (firm_templates / "partials" / "mandate.html.j2").write_text("", encoding="utf-8")
    (firm_templates / "memo.css").unlink()
    (firm_templates / "memo.css").symlink_to(secret)
    with pytest.raises(DataError, match="outside the templates folder"):
        render_html(memo, firm_templates)
    # and `validate` reports the link instead of failing
    problems = [str(p) for p in check_templates(firm_templates)]
    assert any("leak.html.j2" in p and "outside the templates folder" in p for p in problems)


def test_syntax_error_in_a_partial_names_file_and_line(
    firm_templates: Path, answers_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break(firm_templates / "partials" / "decision.html.j2", 4, "{% if %}")
    rc = main(
        [
            "report",
            str(answers_file),
            "-o",
            str(tmp_path / "m.pdf"),
            "--templates",
            str(firm_templates),
        ]
    )
    assert rc == 1
    err = capsys.readouterr().err
    assert "partials/decision.html.j2:4" in err
    assert "syntax error" in err
    assert "Traceback" not in err
    assert not (tmp_path / "m.pdf").exists()


def test_undefined_field_names_file_and_line(
    firm_templates: Path, answers_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break(firm_templates / "partials" / "mandate.html.j2", 3, "<p>{{ memo.no_such_field }}</p>")
    rc = main(
        [
            "report",
            str(answers_file),
            "-o",
            str(tmp_path / "m.html"),
            "--templates",
            str(firm_templates),
        ]
    )
    assert rc == 1
    err = capsys.readouterr().err
    assert "partials/mandate.html.j2:3" in err
    assert "no_such_field" in err


def test_sandbox_blocks_python_internals(
    firm_templates: Path, answers_file: Path, tmp_path: Path
) -> None:
    _break(
        firm_templates / "memo.html.j2",
        14,
        "{{ memo.__class__.__init__.__globals__['__builtins__'] }}",
    )
    from ddwizard.core.usecases.demo import demo_memo_context

    problems = check_templates(firm_templates, lambda: demo_memo_context(today=date(2026, 11, 28)))
    assert problems
    assert any(p.file and p.file.endswith("memo.html.j2") and p.line == 14 for p in problems)


def test_check_templates_reports_missing_and_broken_files(firm_templates: Path) -> None:
    (firm_templates / "memo.md.j2").unlink()
    _break(firm_templates / "partials" / "decision.html.j2", 2, "{% for x in %}")
    problems = check_templates(firm_templates)
    messages = [str(p) for p in problems]
    assert any("memo.md.j2" in m and "missing" in m for m in messages)
    assert any("partials/decision.html.j2:2" in m for m in messages)


def test_validate_templates_exits_1_on_a_broken_folder(
    firm_templates: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break(firm_templates / "partials" / "glance.html.j2", 5, "{{ memo.glance | }}")
    assert main(["validate", "--templates", str(firm_templates)]) == 1
    assert "partials/glance.html.j2:5" in capsys.readouterr().err
    assert main(["validate", "--templates", str(bundled_dir("report_templates"))]) == 0


def test_firm_branding_is_used(firm_templates: Path, answers_file: Path, tmp_path: Path) -> None:
    cover = firm_templates / "partials" / "decision.html.j2"
    cover.write_text(
        cover.read_text(encoding="utf-8").replace(
            "Investment committee paper", "Northwind Capital · Risk &amp; Compliance"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "m.html"
    assert (
        main(["report", str(answers_file), "-o", str(out), "--templates", str(firm_templates)]) == 0
    )
    assert "Northwind Capital · Risk &amp; Compliance" in out.read_text(encoding="utf-8")


def test_html_is_standalone_with_the_stylesheet_inlined(qset: Any, catalog: Any) -> None:
    from ddwizard.core.usecases.demo import demo_memo_context

    memo = demo_memo_context(qset, catalog, today=date(2026, 11, 28))
    html = render_html(memo, bundled_dir("report_templates"))
    assert "<style>" in html and "@page" in html
    assert "<link" not in html and " src=" not in html
    # no links at all: the contents are the PDF's bookmarks (one per section heading)
    assert re.findall(r'href="([^"]*)"', html) == []
    assert 'id="provider-1"' in html and 'id="signoff"' in html
    assert "bookmark-level: 1" in html
    md = render_markdown(memo, bundled_dir("report_templates"))
    assert md.startswith("# Custody due-diligence memo: Northwind Pension Trust Limited")


@pytest.mark.parametrize(
    ("name", "explicit", "expected"),
    [
        ("memo.pdf", None, "pdf"),
        ("memo.HTML", None, "html"),
        ("memo.md", None, "md"),
        ("memo", None, "pdf"),
        ("memo.PDF", None, "pdf"),
        ("memo.htm", None, "html"),
        ("memo.markdown", None, "md"),
        ("memo.txt", "html", "html"),
        ("memo.pdf", "md", "md"),
    ],
)
def test_format_from_option_then_extension_then_pdf_without_one(
    name: str, explicit: str | None, expected: str
) -> None:
    assert format_for(Path(name), explicit) == expected


def test_unknown_format_is_a_data_error() -> None:
    with pytest.raises(DataError):
        format_for(Path("m.pdf"), "docx")


def test_write_atomic_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "out" / "memo.pdf"
    digest = write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["memo.pdf"]
    assert digest == "a7937b64b8caa58f03721bb6bacf5c78cb235febe0e70b1b84cd99541461a08e"


def test_importing_the_report_package_does_not_import_weasyprint() -> None:
    code = (
        "import sys, ddwizard.core.report, ddwizard.core.report.render, "
        "ddwizard.core.report.context, ddwizard.core.demo, ddwizard.cli.report; "
        "print('weasyprint' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_runtime_error_in_a_template_names_file_and_line(
    firm_templates: Path, qset: Any, catalog: Any
) -> None:
    from ddwizard.core.usecases.demo import demo_memo_context

    _break(firm_templates / "partials" / "scores.html.j2", 2, "{{ 1 // 0 }}")
    memo = demo_memo_context(qset, catalog, today=date(2026, 11, 28))
    with pytest.raises(DataError) as caught:
        render_html(memo, firm_templates)
    (problem,) = caught.value.problems
    assert problem.file is not None and problem.file.endswith("partials/scores.html.j2")
    assert problem.line == 2


def test_report_warns_once_about_answers_that_do_not_apply(tmp_path: Path) -> None:
    answers = tmp_path / "bank.yaml"
    answers.write_text(
        "answers:\n"
        "  client.entity_name: Example Bank AG\n"
        "  client.entity_type: bank\n"
        "  client.sec_registered_adviser: yes\n",
        encoding="utf-8",
    )
    output = tmp_path / "memo.md"
    result = subprocess.run(
        [sys.executable, "-m", "ddwizard", "report", str(answers), "-o", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "client.sec_registered_adviser" in warnings[0] and "ignored" in warnings[0]
    assert result.stdout.strip() == str(output)
    assert "Example Bank AG" in output.read_text(encoding="utf-8")


def test_readme_documents_every_section_templates_receive() -> None:
    import dataclasses

    from ddwizard.core.report.context import MemoContext

    readme = (bundled_dir("report_templates") / "README.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(MemoContext):
        assert f"`memo.{f.name}`" in readme, f.name


def test_readme_names_every_field_of_each_section() -> None:
    import dataclasses

    from ddwizard.core.report import context
    from ddwizard.core.report.sections import (
        answers,
        audit,
        decision,
        glance,
        mandate,
        methodology,
        providers,
        red_flags,
        scores,
        signoff,
    )

    readme = (bundled_dir("report_templates") / "README.md").read_text(encoding="utf-8")
    sections = (
        context.MemoMeta,
        decision.DecisionSection,
        glance.GlanceSection,
        mandate.MandateSection,
        scores.ScoresSection,
        providers.ProviderSection,
        red_flags.RedFlagsSection,
        methodology.MethodologySection,
        answers.AnswersSection,
        audit.AuditSection,
        signoff.SignoffSection,
    )
    missing = [
        f"{cls.__name__}.{f.name}"
        for cls in sections
        for f in dataclasses.fields(cls)
        if f"`{f.name}`" not in readme
    ]
    assert missing == []
