"""PDF rendering: pages, page numbers, metadata, tagging, and a fetcher that reads only static files."""

from __future__ import annotations

import hashlib
import logging
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from reporting.services.pdf import RenderedPdf, StaticOnlyURLFetcher, render_pdf, static_only_url_fetcher

PAGED_HTML = """<!doctype html>
<html lang="en-GB">
<head>
  <style>
    @page { size: A4; margin: 2cm; @bottom-right { content: "Page " counter(page) " of " counter(pages) } }
    body { font-family: Arial, sans-serif; }
    .page + .page { break-before: page; }
  </style>
</head>
<body>
  <section class="page"><h1>Board pack</h1><p>Cases issued this quarter</p></section>
  <section class="page"><h2>Timeliness</h2><p>Average duration by local authority</p></section>
  <section class="page"><h2>Delay drivers</h2><p>Days lost by delay driver</p></section>
</body>
</html>"""

BLOCKED = r"^Blocked fetch of "

# An SVG whose text shows up in pdftotext output when the image was really fetched and drawn.
MARKER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
    '<text x="0" y="20" font-size="16">STATIC IMAGE DRAWN</text></svg>'
)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True, timeout=30
    ).stdout


def pdf_info(content: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    output = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=30).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in output.splitlines())}


@pytest.fixture
def static_dir(settings, tmp_path: Path) -> Path:
    """A throwaway static directory holding one SVG image, in place of the project's."""
    root = tmp_path / "static"
    (root / "img").mkdir(parents=True)
    (root / "img" / "marker.svg").write_text(MARKER_SVG)
    (tmp_path / "secret.txt").write_text("not static")
    settings.STATICFILES_DIRS = [root]
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    return root


def test_it_renders_pages_with_page_numbers(tmp_path):
    pdf = render_pdf(html=PAGED_HTML, title="Regional board pack")

    assert isinstance(pdf, RenderedPdf)
    assert pdf.page_count == 3
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.sha256 == hashlib.sha256(pdf.content).hexdigest()
    assert pdf.seconds > 0
    text = pdf_text(pdf.content, tmp_path)
    assert "Page 1 of 3" in text
    assert "Page 2 of 3" in text
    assert "Page 3 of 3" in text
    assert "Average duration by local authority" in text


def test_it_sets_metadata_and_tags_the_pdf(tmp_path):
    pdf = render_pdf(
        html=PAGED_HTML,
        title="Regional board pack: November 2026",
        author="Essex and Suffolk LFJB",
        subject="Care proceedings timeliness",
        keywords=["PLO", "board pack"],
    )

    info = pdf_info(pdf.content, tmp_path)
    assert info["Title"] == "Regional board pack: November 2026"
    assert info["Author"] == "Essex and Suffolk LFJB"
    assert info["Subject"] == "Care proceedings timeliness"
    assert info["Keywords"] == "PLO, board pack"
    assert info["Tagged"] == "yes"
    assert info["Pages"] == "3"


def test_it_prefers_the_given_title_to_the_html_one_and_defaults_the_author(tmp_path):
    html = PAGED_HTML.replace("<head>", '<head><title>Draft</title><meta name="author" content="Someone">')

    info = pdf_info(render_pdf(html=html, title="Final").content, tmp_path)

    assert (info["Title"], info["Author"]) == ("Final", "PLO Tracker")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://example.com/x.png",
        "http://127.0.0.1:6379/",
        "ftp://example.com/x.png",
        "file://otherhost/static/js/app.mjs",
        "/static/../pyproject.toml",
        "/static/%2e%2e/pyproject.toml",
        "/static//etc/passwd",
        "/static/js/missing.js",
        "/etc/passwd",
        "js/app.mjs",
    ],
)
def test_it_blocks_fetches_outside_the_static_files(url):
    with pytest.raises(ValueError, match=BLOCKED):
        static_only_url_fetcher(url)


def test_it_blocks_file_urls_that_climb_out_of_a_static_directory():
    static_root = Path(django_settings.STATICFILES_DIRS[0])

    with pytest.raises(ValueError, match=BLOCKED):
        static_only_url_fetcher((static_root / "js").as_uri() + "/../../pyproject.toml")


def test_it_blocks_symlinks_out_of_a_static_directory(static_dir, tmp_path):
    (static_dir / "link.txt").symlink_to(tmp_path / "secret.txt")

    with pytest.raises(ValueError, match=BLOCKED):
        static_only_url_fetcher((static_dir / "link.txt").as_uri())
    with pytest.raises(ValueError, match=BLOCKED):
        static_only_url_fetcher("/static/link.txt")


def test_it_fetches_the_projects_own_static_files():
    # static/js/app.mjs is committed, unlike the built CSS, so it exists wherever the tests run.
    path = Path(django_settings.STATICFILES_DIRS[0]) / "js" / "app.mjs"
    assert path.is_file()

    for url in (
        path.as_uri(),
        f"{django_settings.STATIC_URL}js/app.mjs",
        f"{django_settings.STATIC_URL}js/app.mjs?v=2",
    ):
        response = static_only_url_fetcher(url)
        try:
            assert response.read() == path.read_bytes()
        finally:
            response.close()


def test_it_fetches_data_urls():
    response = static_only_url_fetcher("data:text/plain;base64,UExP")

    assert response.read() == b"PLO"


def test_it_maps_same_origin_static_urls_to_files_without_http(static_dir):
    fetcher = StaticOnlyURLFetcher(base_url="https://plo.example/reports/board/")

    assert fetcher.fetch("https://plo.example/static/img/marker.svg").read() == MARKER_SVG.encode()
    with pytest.raises(ValueError, match=BLOCKED):
        fetcher.fetch("https://elsewhere.example/static/img/marker.svg")
    with pytest.raises(ValueError, match=BLOCKED):
        fetcher.fetch("https://plo.example/admin/")


def test_it_draws_static_images_in_the_pdf(static_dir, tmp_path, caplog):
    html = (
        '<html lang="en-GB"><body><p>Crest:</p>'
        '<img src="/static/img/marker.svg" alt="">'
        f'<img src="{(static_dir / "img" / "marker.svg").as_uri()}" alt=""></body></html>'
    )

    pdf = render_pdf(html=html, base_url="https://plo.example/reports/", title="Images")

    assert pdf_text(pdf.content, tmp_path).count("STATIC IMAGE DRAWN") == 2
    assert "Blocked fetch" not in caplog.text


def test_it_renders_without_blocked_images(static_dir, tmp_path, caplog):
    html = (
        '<html lang="en-GB"><body><p>Still rendered</p>'
        '<img src="file:///etc/hostname" alt="">'
        '<img src="http://example.com/x.png" alt="">'
        '<img src="https://elsewhere.example/static/img/marker.svg" alt="">'
        '<link rel="stylesheet" href="http://example.com/evil.css"></body></html>'
    )

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(html=html, base_url="https://plo.example/reports/", title="Blocked")

    text = pdf_text(pdf.content, tmp_path)
    assert "Still rendered" in text
    assert "STATIC IMAGE DRAWN" not in text
    for url in (
        "file:///etc/hostname",
        "http://example.com/x.png",
        "https://elsewhere.example/static/img/marker.svg",
        "http://example.com/evil.css",
    ):
        assert f"Blocked fetch of {url}" in caplog.text
