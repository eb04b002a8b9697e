"""Circuit diagrams: a function's gates and wires, each wire with its value and gradient.

``circuit(f, *args, wrt=...)`` runs the forward and the adjoint sweep of ``f`` on
``args`` and gives a :class:`Circuit`: a gate per operation of the normal form, a wire
per value read, labelled with the value (above) and its gradient (below), a box per
line of the user's code and per inlined callee. It shows itself in Jupyter and saves
as ``.svg`` (``.png``, ``.pdf`` and ``.dot`` with Graphviz's ``dot`` program). Modules:
``trace`` (run the sweeps, keep every value), ``graph`` (nodes, wires, boxes),
``layout`` (placement without Graphviz), ``draw`` (SVG and DOT text).

>>> def f(x, y, z):
...     q = x + y
...     return q * z
>>> c = circuit(f, -2.0, 5.0, -4.0, wrt=(0, 1, 2))
>>> [(e.name, e.value, e.gradient) for e in c.wires("x")]
[('x', '-2.00', '-4.00')]
>>> '-12.00' in c.svg(layout="python")
True
"""

from __future__ import annotations

import inspect
import os
from typing import Any, Iterable, Sequence

from . import draw, graph
from .draw import DrawingError
from .graph import Edge, Group, Node, NodeKind
from .trace import CircuitError, trace
from ..signatures import Function, Wrt

LAYOUTS = ("auto", "dot", "python")


def circuit(function: Function, *args: Any, wrt: Wrt = 0,
            collapse: Sequence[int | str] = ()) -> Circuit:
    """The :class:`Circuit` of ``function`` called with ``args``, with gradients with
    respect to the parameters ``wrt`` (an index or name, or a tuple of them); ``collapse``
    lists groups to draw as one node (see :meth:`Circuit.collapse`). The function must be
    straight-line code after inlining (no branch, loop or in-place write: a located
    :class:`CircuitError` says where) with a scalar output."""
    nodes, edges, groups = graph.build(trace(function, args, _indices(function, args, wrt)))
    drawn = Circuit(nodes, edges, groups, getattr(function, "__qualname__", "function"))
    return drawn.collapse(*collapse) if collapse else drawn


class Circuit:
    """A drawn function: ``nodes``, ``edges`` (wires) and ``groups`` (boxes; see
    ``graph``). Immutable: :meth:`collapse` gives a new circuit."""

    def __init__(self, nodes: Iterable[Node], edges: Iterable[Edge], groups: Iterable[Group],
                 name: str = "function") -> None:
        self.nodes, self.edges, self.groups = list(nodes), list(edges), list(groups)
        self.name = name

    def wires(self, name: str) -> list[Edge]:
        """The wires carrying the value ``name`` (the user's name, or a temporary's)."""
        return [e for e in self.edges if e.name == name]

    def collapse(self, *targets: int | str) -> Circuit:
        """A circuit with each target's group drawn as one node: a line number of the
        user's file (its line's box), a callee's name (each box of an inlined call of
        it), or a group id. An unknown target is a :class:`CircuitError`."""
        nodes, edges, groups = self.nodes, self.edges, self.groups
        for target in targets:
            chosen = [g for g in groups if _matches(g, target)]
            if not chosen:
                known = sorted({str(g.line) for g in groups if g.line is not None}
                               | {g.callee for g in groups if g.callee})
                raise CircuitError(f"circuit: nothing to collapse for {target!r}; the "
                                   f"lines and callees drawn are {', '.join(known) or 'none'}")
            for group in chosen:
                nodes, edges, groups = graph.collapse(nodes, edges, groups, group)
        return Circuit(nodes, edges, groups, self.name)

    def dot(self) -> str:
        """The circuit as Graphviz DOT text."""
        return draw.dot_text(self.nodes, self.edges, self.groups, self.name)

    def svg(self, layout: str = "auto") -> str:
        """SVG text of the drawing: laid out by Graphviz's ``dot`` (``"dot"``), by the
        pure-Python layout (``"python"``), or by ``dot`` where installed (``"auto"``)."""
        if layout not in LAYOUTS:
            raise CircuitError(f"circuit: layout must be one of {', '.join(LAYOUTS)}, "
                               f"not {layout!r}")
        if layout == "dot" or (layout == "auto" and draw.has_dot()):
            return draw.run_dot(self.dot(), "svg").decode()
        return draw.svg_python(self.nodes, self.edges, self.groups, self.name)

    def save(self, path: str | os.PathLike[str],
             layout: str = "auto") -> str | os.PathLike[str]:
        """Write the drawing to ``path``: ``.svg`` (any layout), ``.png`` or ``.pdf``
        (Graphviz's ``dot`` needed), or ``.dot`` (the DOT text); give ``path``."""
        extension = os.path.splitext(str(path))[1].lower().lstrip(".")
        if extension == "svg":
            data = self.svg(layout).encode()
        elif extension == "dot":
            data = self.dot().encode()
        elif extension in ("png", "pdf"):
            data = draw.run_dot(self.dot(), extension)
        else:
            raise CircuitError(f"circuit: cannot save as {path!r}: use .svg, .png, .pdf "
                               f"or .dot")
        with open(path, "wb") as file:
            file.write(data)
        return path

    def _repr_svg_(self) -> str:
        """Jupyter shows a circuit as its SVG drawing."""
        return self.svg()

    def __repr__(self):
        gates = sum(n.kind is NodeKind.GATE for n in self.nodes)
        return f"<Circuit of {self.name}: {gates} gates, {len(self.edges)} wires>"


def _indices(function, args, wrt):
    """The indices of the arguments named by ``wrt`` (indices or parameter names)."""
    items = tuple(wrt) if isinstance(wrt, (tuple, list)) else (wrt,)
    try:
        names = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        names = []
    count = len(args)
    indices = []
    for item in items:
        index = names.index(item) if isinstance(item, str) and item in names else item
        if isinstance(index, int) and not isinstance(index, bool) and index < 0:
            index += count
        if not (isinstance(index, int) and not isinstance(index, bool) and 0 <= index < count):
            raise CircuitError(f"circuit: wrt={wrt!r} must name or index the {count} "
                               f"arguments given ({', '.join(names[:count])})")
        indices.append(index)
    return tuple(indices)


def _matches(group, target):
    if isinstance(target, bool):
        return False
    if isinstance(target, int):
        return group.line == target and group.callee is None
    return target in (group.callee, group.id)


__all__ = ["Circuit", "CircuitError", "DrawingError", "Edge", "Group", "Node", "NodeKind",
           "circuit"]
