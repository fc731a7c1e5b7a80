"""Render HTML to PDF with WeasyPrint, fetching nothing but the project's own static files.

Board packs are rendered from templates that include user-entered text (case notes, team names).
WeasyPrint's default fetcher follows any URL, so such text could make the server read local files
(``file:///etc/passwd``) or call internal services (SSRF). Here only static files and ``data:``
URLs are fetched, and static files are always read from disk, never over HTTP.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["RenderedPdf", "StaticOnlyURLFetcher", "render_pdf", "static_only_url_fetcher"]


def _static_roots() -> list[Path]:
    """Resolved STATIC_ROOT and STATICFILES_DIRS: the only directories a PDF may read from."""
    roots = [Path(settings.STATIC_ROOT).resolve()] if settings.STATIC_ROOT else []
    for entry in settings.STATICFILES_DIRS:
        # An entry may be a (prefix, path) pair.
        path = entry[1] if isinstance(entry, list | tuple) else entry
        roots.append(Path(path).resolve())
    return roots


def _allowed_file(path: Path) -> Path | None:
    """The resolved path if it is an existing file inside a static root, else None."""
    # resolve() follows symlinks and collapses "..", so neither can lead outside the roots.
    resolved = path.resolve()
    if resolved.is_file() and any(resolved.is_relative_to(root) for root in _static_roots()):
        return resolved
    return None


def _static_url_to_file(relative: str) -> Path | None:
    """The file a STATIC_URL-relative path (query and fragment allowed) names, if allowed."""
    relative = unquote(re.split(r"[?#]", relative, maxsplit=1)[0])
    try:
        candidates = [Path(found) for found in finders.find(relative, find_all=True)]
    except SuspiciousFileOperation:  # a "../" path: the finders refuse to join it
        return None
    # After collectstatic in production the files may exist only under STATIC_ROOT.
    if settings.STATIC_ROOT:
        candidates.append(Path(settings.STATIC_ROOT) / relative)
    for candidate in candidates:
        if allowed := _allowed_file(candidate):
            return allowed
    return None


def _file_url_to_file(url: str) -> Path | None:
    """The file a file:// URL names, if it is local and allowed."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    return _allowed_file(Path(url2pathname(parts.path)))


class StaticOnlyURLFetcher(URLFetcher):
    """WeasyPrint fetcher that serves static files from disk and data: URLs, and refuses the rest.

    WeasyPrint 70 needs a ``URLFetcher`` instance, not a plain function: when a fetch fails it reads
    the fetcher's ``_fail_on_errors`` attribute, so a function that raises breaks the whole render.
    """

    def __init__(self, *, base_url: str | None = None, **kwargs: Any) -> None:
        """Also map ``{% static %}`` URLs made absolute against ``base_url`` to files on disk."""
        # Redirects and non-file/data protocols are never needed; refuse them as a second line of defence.
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, **kwargs)
        self._static_prefixes = [settings.STATIC_URL] if settings.STATIC_URL else []
        if base_url and settings.STATIC_URL and urlsplit(base_url).scheme in ("http", "https"):
            # "/static/app.css" in a template with base_url "https://host/board/" arrives here as
            # "https://host/static/app.css": same origin, so read the file instead of calling ourselves.
            self._static_prefixes.append(urljoin(base_url, settings.STATIC_URL))

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Fetch ``url`` if it is a static file or data: URL; raise ValueError otherwise."""
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        path = None
        if prefix := next((p for p in self._static_prefixes if url.startswith(p)), None):
            path = _static_url_to_file(url.removeprefix(prefix))
        elif url.lower().startswith("file:"):
            path = _file_url_to_file(url)
        if path is None:
            raise ValueError(f"Blocked fetch of {url}")
        return super().fetch(path.as_uri(), headers)


def static_only_url_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> URLFetcherResponse:
    """Fetch ``url`` if it is one of the project's static files or a data: URL; raise ValueError otherwise."""
    return StaticOnlyURLFetcher(timeout=timeout, ssl_context=ssl_context).fetch(url)


@dataclass
class RenderedPdf:
    """A rendered PDF with what audit logs and callers need to know about it."""

    content: bytes
    page_count: int
    sha256: str
    seconds: float


def render_pdf(
    *,
    html: str,
    base_url: str | None = None,
    title: str,
    author: str = "PLO Tracker",
    subject: str = "",
    keywords: list[str] | None = None,
) -> RenderedPdf:
    """Render ``html`` to a tagged PDF with the given metadata, fetching only static files.

    Pass ``base_url=request.build_absolute_uri("/")`` so relative and ``{% static %}`` URLs resolve;
    static files are then read from disk, never over HTTP.
    """
    started = time.perf_counter()
    fetcher = StaticOnlyURLFetcher(base_url=base_url)
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    # The arguments win over the template's <title>/<meta> so the PDF properties always match what
    # the caller (and its audit record) says was produced.
    document.metadata.title = title
    document.metadata.authors = [author]
    if subject:
        document.metadata.description = subject
    if keywords is not None:
        document.metadata.keywords = list(keywords)
    # Tagged PDF needs a document language for screen readers; the service's content is British English.
    document.metadata.lang = document.metadata.lang or "en-GB"
    # Tagged PDF gives screen readers headings, lists and tables, and a reading order.
    content = document.write_pdf(pdf_tags=True)
    return RenderedPdf(
        content=content,
        page_count=len(document.pages),
        sha256=hashlib.sha256(content).hexdigest(),
        seconds=time.perf_counter() - started,
    )
