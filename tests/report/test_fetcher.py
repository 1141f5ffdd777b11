"""The renderer loads only data: URLs and files inside the templates folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from ddwizard.core.report.render import (
    FetchLog,
    ResourceRefused,
    make_url_fetcher,
    resolve_resource,
)
from ddwizard.core.resources import bundled_dir
from ddwizard.core.usecases.write_memo import answers_file_memo


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    templates = tmp_path / "templates"
    (templates / "img").mkdir(parents=True)
    (templates / "img" / "logo.png").write_bytes(b"\x89PNG inside")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    return templates, secret


def test_file_inside_the_templates_folder_is_allowed(folders: tuple[Path, Path]) -> None:
    templates, _ = folders
    url = (templates / "img" / "logo.png").as_uri()
    assert resolve_resource(url, templates) == (templates / "img" / "logo.png").resolve()


def test_data_url_is_allowed(folders: tuple[Path, Path]) -> None:
    templates, _ = folders
    assert resolve_resource("data:text/plain;base64,aGk=", templates) is None


@pytest.mark.parametrize(
    "relative",
    [
        "../secret.txt",
        "img/../../secret.txt",
        "%2e%2e/secret.txt",
        "%2E%2E%2Fsecret.txt",
        "img/%2e%2e/%2e%2e/secret.txt",
    ],
)
def test_traversal_out_of_the_folder_is_refused(folders: tuple[Path, Path], relative: str) -> None:
    templates, _ = folders
    url = templates.as_uri() + "/" + relative
    with pytest.raises(ResourceRefused):
        resolve_resource(url, templates)


def test_symlink_escaping_the_folder_is_refused(folders: tuple[Path, Path]) -> None:
    templates, secret = folders
    (templates / "img" / "escape.png").symlink_to(secret)
    (templates / "linked-dir").symlink_to(secret.parent)
    with pytest.raises(ResourceRefused):
        resolve_resource((templates / "img" / "escape.png").as_uri(), templates)
    with pytest.raises(ResourceRefused):
        resolve_resource((templates / "linked-dir" / "secret.txt").as_uri(), templates)


def test_symlink_staying_inside_is_allowed(folders: tuple[Path, Path]) -> None:
    templates, _ = folders
    (templates / "alias.png").symlink_to(templates / "img" / "logo.png")
    assert (
        resolve_resource((templates / "alias.png").as_uri(), templates)
        == (templates / "img" / "logo.png").resolve()
    )


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/share/x.png",
        "http://127.0.0.1:9/x.png",
        "https://example.com/logo.png",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "/etc/passwd",
    ],
)
def test_other_urls_are_refused(folders: tuple[Path, Path], url: str) -> None:
    templates, _ = folders
    with pytest.raises(ResourceRefused):
        resolve_resource(url, templates)


def test_templates_folder_reached_through_a_symlink_still_confines(
    folders: tuple[Path, Path], tmp_path: Path
) -> None:
    templates, _ = folders
    alias = tmp_path / "alias-templates"
    alias.symlink_to(templates)
    assert resolve_resource((alias / "img" / "logo.png").as_uri(), alias) is not None
    with pytest.raises(ResourceRefused):
        resolve_resource(alias.as_uri() + "/../secret.txt", alias)


def test_weasyprint_fetcher_logs_served_and_refused(folders: tuple[Path, Path]) -> None:
    templates, _ = folders
    log = FetchLog()
    fetcher = make_url_fetcher(templates, log)
    response = fetcher.fetch((templates / "img" / "logo.png").as_uri())
    assert response.read() == b"\x89PNG inside"
    response.close()
    with pytest.raises(ResourceRefused):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ResourceRefused):
        fetcher.fetch("http://127.0.0.1:9/x")
    assert log.served == [(templates / "img" / "logo.png").resolve().as_uri()]
    assert [url for url, _ in log.refused] == ["file:///etc/passwd", "http://127.0.0.1:9/x"]


MINIMAL_ANSWERS = """
answers:
  client.entity_name: Fetch Test Fund
  client.regions: [us]
shortlist: [coinbase-prime]
"""


@pytest.mark.slow  # renders a PDF
def test_hostile_firm_template_cannot_fetch_outside_its_folder(
    tmp_path: Path, qset: Any, catalog: Any, read_pdf: Any
) -> None:
    """A firm's own template asks for files, URLs and attachments: only its own logo loads."""
    from PIL import Image

    templates = tmp_path / "firm"
    shutil.copytree(bundled_dir("report_templates"), templates)
    Image.new("RGB", (4, 4), "navy").save(templates / "logo.png")
    secret = tmp_path / "secret.png"
    Image.new("RGB", (4, 4), "red").save(secret)
    os.symlink(secret, templates / "sneaky.png")
    hostile = (
        '<img src="logo.png" alt="logo">'
        '<img src="file:///etc/passwd"><img src="../secret.png"><img src="%2e%2e/secret.png">'
        '<img src="sneaky.png"><img src="http://127.0.0.1:9/x.png">'
        '<link rel="attachment" href="../secret.png">'
        '<a rel="attachment" href="file:///etc/passwd">x</a>\n</body>'
    )
    page = templates / "memo.html.j2"
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", hostile), encoding="utf-8")
    css = templates / "memo.css"
    css.write_text(
        css.read_text(encoding="utf-8")
        + "\n.masthead { background-image: url(http://127.0.0.1:9/bg.png); }\n",
        encoding="utf-8",
    )
    answers = tmp_path / "a.yaml"
    answers.write_text(MINIMAL_ANSWERS, encoding="utf-8")
    result = answers_file_memo(answers, qset, catalog, tmp_path / "m.pdf", templates_dir=templates)

    refused = {url for url, _ in result.fetch_log.refused}
    root = templates.resolve().as_uri()
    assert "file:///etc/passwd" in refused
    assert f"{tmp_path.resolve().as_uri()}/secret.png" in refused
    assert f"{root}/%2e%2e/secret.png" in refused
    assert f"{root}/sneaky.png" in refused
    assert "http://127.0.0.1:9/x.png" in refused
    assert "http://127.0.0.1:9/bg.png" in refused
    assert result.fetch_log.served == [(templates / "logo.png").resolve().as_uri()]
    pdf = read_pdf(result.path)
    assert list(pdf.attachments) == ["session.json"]
    assert len(pdf.attachments["session.json"]) == 1
