"""The manual's chapters: Markdown files manual/<lang>/NN-<slug>.md rendered to safe HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt

MANUAL_DIR = Path(__file__).parent / "manual"
IMAGES_DIR = Path(__file__).parent / "static"
NAME_RE = re.compile(r"^(\d+)-([a-z0-9-]+)\.md$")


@dataclass(frozen=True)
class Chapter:
    slug: str
    title: str
    summary: str  # the first paragraph, for the table of contents
    html: str


def _renderer() -> MarkdownIt:
    # raw HTML in the Markdown is not passed through: the manual cannot inject markup
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def _title_and_summary(text: str) -> tuple[str, str]:
    title, summary = "", ""
    for line in text.splitlines():
        if line.startswith("# ") and not title:
            title = line[2:].strip()
        elif title and line.strip() and not line.startswith(("#", "!", "-", "1.")):
            summary = line.strip()
            break
    return title, summary


@lru_cache(maxsize=4)
def chapters(lang: str) -> tuple[Chapter, ...]:
    """The chapters of the manual in `lang` (Polish when there is no such translation)."""
    folder = MANUAL_DIR / lang
    if not folder.is_dir():
        folder = MANUAL_DIR / "pl"
    md = _renderer()
    found = []
    for path in sorted(folder.glob("*.md")):
        match = NAME_RE.match(path.name)
        if not match:
            continue
        text = path.read_text(encoding="utf-8")
        title, summary = _title_and_summary(text)
        found.append(Chapter(match.group(2), title, summary, md.render(text)))
    return tuple(found)


def chapter(lang: str, slug: str) -> Chapter | None:
    return next((c for c in chapters(lang) if c.slug == slug), None)
