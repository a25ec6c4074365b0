"""Neutralising attacker-controlled text for each output format.

Titles, READMEs, license names and API fields are written by strangers. A
title must not become a link or HTML in GitHub's Markdown renderer, nor a
formula when a spreadsheet opens the CSV, nor a script in the HTML (Jinja's
autoescape covers that), nor rich markup in the terminal (we pass `Text`).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from markupsafe import Markup

# Backslash first, so an attacker's backslash cannot cancel our escapes.
_MD_BACKSLASHED = re.compile(r"([\\`*_\[\]|!#~])")
_WHITESPACE = re.compile(r"\s+")


def md_text(value: object) -> str:
    """`value` as literal Markdown text, safe inside a table cell.

    ``&``, ``<``, ``>`` become entities (GitHub would pass raw HTML through);
    Markdown punctuation is backslash-escaped; line breaks collapse, since one
    would end the table row.
    """
    if isinstance(value, Markup):
        return str(value)
    text = _WHITESPACE.sub(" ", str(value)).strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_BACKSLASHED.sub(r"\\\1", text)


def md_finalize(value: object) -> object:
    """Jinja `finalize` for Markdown: escape every value unless marked `Markup`.

    Escaping by default means a template cannot forget it; the few trusted
    Markdown snippets (our own links and images) are built as `Markup`.
    """
    if value is None:
        return ""
    return value if isinstance(value, Markup) else md_text(value)


def safe_url(url: str | None) -> str | None:
    """`url` if it is an http(s) URL with a host, else None (no ``javascript:``)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Re-quote so the URL holds no space, quote, bracket or angle bracket.
    return quote(url.strip(), safe=":/?#@!$&'*+,;=%~-._")


def md_link(label: object, url: str | None) -> Markup:
    """A Markdown link with escaped label, or the bare label when the URL is unsafe."""
    target = safe_url(url)
    if target is None:
        return Markup(md_text(label))
    return Markup(f"[{md_text(label)}](<{target}>)")


def md_image(alt: object, filename: str) -> Markup:
    """A Markdown image of a file beside the document; `filename` is ours, not attacker text."""
    return Markup(f"![{md_text(alt)}](<{quote(filename)}>)")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet will evaluate (OWASP CSV injection).

    Text starting with a formula character is prefixed with ``'``; numbers
    stay numbers, so a negative count is still a number.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
