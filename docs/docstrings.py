"""Griffe extension: the package's docstrings (reStructuredText habits: ````code````,
``:func:`name``` roles, doctests, ``::`` blocks) read as Markdown for the API pages.

Doctest lines (``>>>``, ``...`` and the output after them) become fenced ``pycon``
blocks, an indented block after a line ending in ``::`` a fenced ``python`` block,
double backquotes single ones, and a role its target's text.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:func|class|meth|attr|mod|data|exc|obj):`~?([^`]+)`")


def markdown(text: str) -> str:
    """``text``, a docstring, as Markdown; see the module docstring."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(">>>"):
            indent = len(line) - len(line.lstrip())
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i][indent:])
                i += 1
            out += ["```pycon", *block, "```"]
            continue
        if line.rstrip().endswith("::") and i + 1 < len(lines):
            out.append(inline(line.rstrip()[:-1]))
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            block = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            width = min(len(b) - len(b.lstrip()) for b in block if b.strip()) if block else 0
            language = "pycon" if block and block[0].lstrip().startswith(">>>") else "python"
            out += ["", f"```{language}", *(b[width:] for b in block), "```", ""]
            continue
        out.append(inline(line))
        i += 1
    return "\n".join(out)


def inline(line: str) -> str:
    """One line of prose with reStructuredText's inline code and roles as Markdown."""
    line = ROLE.sub(lambda m: f"`{m.group(1).split('.')[-1]}`", line)
    return line.replace("``", "`")


class ReadDocstringsAsMarkdown(griffe.Extension):
    """Rewrite every object's docstring with :func:`markdown` as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
