"""MkDocs hook: pages take sections of the README and the changelog, which stay the one
place their text is written.

A line ``<!-- readme: Heading -->`` in a page becomes the README's section under
``## Heading`` (up to the next ``## ``), and ``<!-- changelog -->`` the whole
CHANGELOG.md; a marker naming a section the README does not have fails the build.
"""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^<!-- readme: (.+?) -->$", re.M)


def sections(text: str) -> dict[str, str]:
    """The README's ``## `` sections by heading, each without its heading line."""
    found = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        heading, _, body = part.partition("\n")
        found[heading.strip()] = body.strip("\n")
    return found


def on_page_markdown(markdown: str, page, config, files) -> str:
    readme = sections((ROOT / "README.md").read_text(encoding="utf-8"))

    def section(match: re.Match) -> str:
        heading = match.group(1)
        if heading not in readme:
            raise ValueError(f"{page.file.src_path}: the README has no section "
                             f"'## {heading}' (it has: {', '.join(readme)})")
        return readme[heading]

    markdown = MARKER.sub(section, markdown)
    if "<!-- changelog -->" in markdown:
        changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
        markdown = markdown.replace("<!-- changelog -->", changelog.split("\n", 1)[1])
    return markdown
