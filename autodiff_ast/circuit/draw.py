"""Draw: a circuit's nodes, edges and groups as SVG, by Graphviz ``dot`` or in Python.

``svg_python`` places the circuit with ``layout.place`` and writes the SVG itself;
``dot_text`` gives Graphviz's DOT text and ``run_dot`` renders it with the ``dot``
program (``svg``, ``png``, ``pdf``). Both drawings read like the CS231n circuits: gates
as circles labelled with their operation, the forward value above each wire (green) and
its gradient below (red). Each wire is a group ``<g id="edge-<value>-to-<node>"
class="edge">`` holding its two labels, so the text can be checked per wire.
"""

from __future__ import annotations

import shutil
import subprocess
from html import escape

from ..errors import AutodiffError
from .graph import NodeKind
from .layout import place

VALUE_COLOR = "#2e7d32"
GRADIENT_COLOR = "#c62828"
BOX_COLOR = "#9e9e9e"
FONT = "Helvetica, Arial, sans-serif"
CHAR_WIDTH = 7.2    # of a 12px label, for sizing boxes
BOX_CHAR_WIDTH = 5.6  # of a box's 10px label
BOX_PAD = 18.0      # room left of a box's nodes (right: their wires' labels)
RADIUS = 20.0       # of a gate whose label fits in a circle
STUB = 76.0         # the level start of a wire, which carries its labels
LABEL_CHAR_WIDTH = 6.6  # of an 11-12px wire label


class DrawingError(AutodiffError):
    """A drawing that cannot be made here (no Graphviz for .png/.pdf, dot failed)."""


def node_width(node):
    """The width the drawing of ``node`` takes."""
    if node.kind in (NodeKind.INPUT, NodeKind.DATA, NodeKind.OUTPUT):
        return CHAR_WIDTH * len(node.label) + 6
    if len(node.label) <= 3:
        return 2 * RADIUS
    return CHAR_WIDTH * len(node.label) + 18


def svg_python(nodes, edges, groups, title=""):
    """SVG text of the circuit, laid out without Graphviz."""
    widths = {n.id: node_width(n) for n in nodes}
    layout = place(nodes, edges, widths)
    boxes = _boxes(nodes, groups, layout, widths)
    right = max([layout.width] + [b[0] + b[2] + 10 for b in boxes.values()])
    bottom = max([layout.height] + [b[1] + b[3] + 10 for b in boxes.values()])
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{right:.0f}" '
              f'height="{bottom:.0f}" viewBox="0 0 {right:.0f} {bottom:.0f}" '
              f'font-family="{FONT}" font-size="12">'),
             f"<title>{escape(title)}</title>",
             ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
              'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
              '<path d="M 0 0 L 10 5 L 0 10 z" fill="#424242"/></marker></defs>'),
             '<rect width="100%" height="100%" fill="white"/>']
    for group in groups:
        if group.id in boxes:
            parts.append(_box_svg(group, boxes[group.id]))
    by_id = {n.id: n for n in nodes}
    for edge in edges:
        parts.append(_edge_svg(edge, layout.routes[edge.id], by_id, widths))
    for node in nodes:
        parts.append(_node_svg(node, layout.centres[node.id], widths[node.id]))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def dot_text(nodes, edges, groups, title=""):
    """The circuit as Graphviz DOT text (left to right, a cluster per group)."""
    lines = ["digraph circuit {",
             ('  graph [rankdir=LR, fontname="Helvetica", fontsize=10, nodesep=0.5, '
              f'ranksep=1.1, label="{_dot_escape(title)}", labelloc=t];'),
             ('  node [fontname="Helvetica", fontsize=12, shape=circle, width=0.55, '
              'fixedsize=false, style=filled, fillcolor="#fafafa", color="#424242"];'),
             '  edge [fontname="Helvetica", fontsize=11, color="#424242", arrowsize=0.7];']
    children: dict = {}
    for group in groups:
        children.setdefault(group.parent, []).append(group)
    members: dict = {}
    for node in nodes:
        members.setdefault(node.groups[-1] if node.groups else None, []).append(node)
    lines += _dot_cluster(None, children, members, "  ")
    for edge in edges:
        label = f'<font color="{VALUE_COLOR}">{escape(edge.value or "")}</font>'
        if edge.gradient is not None:
            label += f'<br/><font color="{GRADIENT_COLOR}">{escape(edge.gradient)}</font>'
        lines.append(f'  "{edge.source}" -> "{edge.target}" [id="{edge.id}", '
                     f'class="edge", tooltip="{_dot_escape(edge.name)}", label=<{label}>];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def has_dot():
    """Is Graphviz's ``dot`` program on the PATH?"""
    return shutil.which("dot") is not None


def run_dot(text, fmt="svg"):
    """The bytes ``dot -T<fmt>`` makes of the DOT ``text``; a :class:`DrawingError`
    when ``dot`` is missing or fails."""
    program = shutil.which("dot")
    if program is None:
        raise DrawingError(f"drawing a circuit as .{fmt} needs Graphviz's dot program "
                           f"(apt-get install graphviz, brew install graphviz or "
                           f"conda install graphviz); .svg works without it")
    done = subprocess.run([program, f"-T{fmt}"], input=text.encode(), capture_output=True,
                          timeout=60, check=False)
    if done.returncode != 0:
        raise DrawingError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def _dot_cluster(parent, children, members, indent):
    lines = []
    for node in members.get(parent, []):
        lines.append(indent + _dot_node(node))
    for group in children.get(parent, []):
        lines.append(f'{indent}subgraph "cluster_{group.id}" {{')
        lines.append(f'{indent}  id="group-{group.id}"; label="{_dot_escape(group.label)}"; '
                     f'style="rounded,dashed"; color="{BOX_COLOR}"; fontcolor="#616161";')
        lines += _dot_cluster(group.id, children, members, indent + "  ")
        lines.append(f"{indent}}}")
    return lines


def _dot_node(node):
    label = _dot_escape(node.label)
    common = f'id="node-{node.id}", class="node {node.kind.value}", label="{label}"'
    if node.title:
        common += f', tooltip="{_dot_escape(node.title)}"'
    if node.kind in (NodeKind.INPUT, NodeKind.DATA, NodeKind.OUTPUT):
        return f'"{node.id}" [{common}, shape=plaintext, style=""];'
    if node.kind is NodeKind.COLLAPSED:
        return f'"{node.id}" [{common}, shape=box, style="rounded,filled", fillcolor="#eeeeee"];'
    shape = "circle" if len(node.label) <= 3 else "ellipse"
    return f'"{node.id}" [{common}, shape={shape}];'


def _dot_escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _boxes(nodes, groups, layout, widths):
    """Group id -> (x, y, width, height) around its nodes, inner groups and labels;
    outer boxes are drawn around their inner ones."""
    boxes = {}
    depth = {g.id: _depth(g, groups) for g in groups}
    for group in sorted(groups, key=lambda g: -depth[g.id]):
        points = []
        for node in nodes:
            if group.id in node.groups:
                x, y = layout.centres[node.id]
                half = widths[node.id] / 2
                points += [(x - half - BOX_PAD, y - 30), (x + half + STUB + 4, y + 30)]
        for inner in groups:
            if inner.parent == group.id and inner.id in boxes:
                bx, by, bw, bh = boxes[inner.id]
                points += [(bx - 8, by - 8), (bx + bw + 8, by + bh + 8)]
        if not points:
            continue
        left, top = min(p[0] for p in points), min(p[1] for p in points) - 14
        right, bottom = max(p[0] for p in points), max(p[1] for p in points)
        boxes[group.id] = (left, top, right - left, bottom - top)
    return boxes


def _depth(group, groups):
    by_id = {g.id: g for g in groups}
    depth = 0
    while group.parent is not None and group.parent in by_id:
        group, depth = by_id[group.parent], depth + 1
    return depth


def _box_svg(group, box):
    x, y, w, h = box
    return (f'<g id="group-{escape(group.id)}" class="group">'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="8" '
            f'fill="#9e9e9e" fill-opacity="0.06" stroke="{BOX_COLOR}" stroke-dasharray="4 3"/>'
            f'<text x="{x + 6:.1f}" y="{y + 13:.1f}" font-size="10" fill="#616161">'
            f"<title>{escape(group.label)}</title>"
            f"{escape(_fit(group.label, w - 10, BOX_CHAR_WIDTH))}</text></g>")


def _fit(text, width, char_width):
    """``text`` cut (with an ellipsis) to about ``width`` pixels."""
    room = max(4, int(width / char_width))
    return text if len(text) <= room else text[:room - 1] + "…"


def _edge_svg(edge, route, by_id, widths):
    """The wire as a polyline from the source's right side, level for ``STUB`` pixels
    (the value above, the gradient below), then to the target's left side. The wires
    of one value share that level start and its (equal) labels."""
    (x0, y0), (x1, y1) = route[0], route[-1]
    start = (x0 + widths[edge.source] / 2, y0)
    stub = (start[0] + STUB, y0)  # level first, where the labels go, as in the notes
    end = (x1 - widths[edge.target] / 2 - 2, y1)
    points = [start, stub] + route[1:-1] + [end]
    text = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    longest = max(len(edge.value or ""), len(edge.gradient or ""))
    mx, my = start[0] + max(STUB / 2, LABEL_CHAR_WIDTH * longest / 2 + 4), y0
    parts = [f'<g id="{escape(edge.id)}" class="edge">',
             f"<title>{escape(edge.name)}</title>",
             (f'<polyline points="{text}" fill="none" stroke="#424242" stroke-width="1.3" '
              'marker-end="url(#arrow)"/>'),
             (f'<text class="value" x="{mx:.1f}" y="{my - 6:.1f}" text-anchor="middle" '
              f'fill="{VALUE_COLOR}">{escape(edge.value or "")}</text>')]
    if edge.gradient is not None:
        parts.append(f'<text class="gradient" x="{mx:.1f}" y="{my + 16:.1f}" '
                     f'text-anchor="middle" fill="{GRADIENT_COLOR}">'
                     f"{escape(edge.gradient)}</text>")
    parts.append("</g>")
    return "".join(parts)


def _node_svg(node, centre, width):
    x, y = centre
    label = escape(node.label)
    head = f'<g id="node-{escape(node.id)}" class="node {node.kind.value}">'
    if node.title:
        head += f"<title>{escape(node.title)}</title>"
    if node.kind in (NodeKind.INPUT, NodeKind.DATA):
        return (f'{head}<text x="{x + width / 2:.1f}" y="{y + 4:.1f}" text-anchor="end" '
                f'font-size="14" font-style="italic">{label}</text></g>')
    if node.kind is NodeKind.OUTPUT:
        return (f'{head}<text x="{x - width / 2:.1f}" y="{y + 4:.1f}" font-size="14" '
                f'font-style="italic">{label}</text></g>')
    if node.kind is NodeKind.GATE and len(node.label) <= 3:
        shape = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS:.0f}" fill="#fafafa" '
                 f'stroke="#424242" stroke-width="1.3"/>')
    else:
        shape = (f'<rect x="{x - width / 2:.1f}" y="{y - RADIUS:.1f}" width="{width:.1f}" '
                 f'height="{2 * RADIUS:.0f}" rx="{RADIUS if node.kind is NodeKind.GATE else 6:.0f}"'
                 f' fill="{"#fafafa" if node.kind is NodeKind.GATE else "#eeeeee"}" '
                 f'stroke="#424242" stroke-width="1.3"/>')
    return (f'{head}{shape}<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
            f'font-size="13">{label}</text></g>')
