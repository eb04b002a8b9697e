"""Layout without Graphviz: a left-to-right placement of a circuit's nodes.

Takes nodes and edges (see ``graph``) and the width of each node; gives a
:class:`Layout`: every node's centre, every edge's route (a polyline through the
layers it crosses) and the size of the drawing. Layers are longest paths from the
inputs (the output alone in the last one); in each layer nodes are ordered by the mean
position of their neighbours, a few sweeps each way, and spread vertically.

>>> from autodiff_ast.circuit.graph import Edge, Node, NodeKind
>>> nodes = [Node("a", "a", NodeKind.INPUT), Node("b", "b", NodeKind.INPUT),
...          Node("g", "+", NodeKind.GATE), Node("o", "out", NodeKind.OUTPUT)]
>>> edges = [Edge("e1", "a", "g", "a", "1", None), Edge("e2", "b", "g", "b", "2", None),
...          Edge("e3", "g", "o", "s", "3", None), Edge("e4", "a", "o", "a", "1", None)]
>>> layout = place(nodes, edges, {n.id: 40 for n in nodes})
>>> [layout.centres[n][0] for n in "abgo"]
[70.0, 70.0, 250.0, 430.0]
>>> len(layout.routes["e4"])  # a → o crosses the gate's layer: one bend point
3
"""

from __future__ import annotations

import dataclasses
import itertools

from .graph import NodeKind

LAYER_GAP = 180.0   # horizontal distance between layers: room for a wire's labels
ROW_GAP = 84.0      # vertical distance between nodes of a layer
MARGIN = 50.0
SWEEPS = 4


@dataclasses.dataclass
class Layout:
    centres: dict   # node id -> (x, y)
    routes: dict    # edge id -> [(x, y), ...] from the source's centre to the target's
    width: float
    height: float


def place(nodes, edges, widths):
    """The :class:`Layout` of ``nodes`` and ``edges``; ``widths`` maps node id to the
    width its drawing needs."""
    layer = layers(nodes, edges)
    rows, chains = _with_bends(nodes, edges, layer)
    _order(rows, edges, chains)
    height = max(len(row) for row in rows) * ROW_GAP
    widest = max(widths.values(), default=0.0)
    centres = {}
    for number, row in enumerate(rows):
        top = MARGIN + (height - len(row) * ROW_GAP) / 2 + ROW_GAP / 2
        for index, item in enumerate(row):
            centres[item] = (MARGIN + widest / 2 + number * LAYER_GAP, top + index * ROW_GAP)
    routes = {e.id: [centres[e.source]] + [centres[b] for b in chains[e.id]]
              + [centres[e.target]] for e in edges}
    width = 2 * MARGIN + widest + (len(rows) - 1) * LAYER_GAP
    return Layout({n.id: centres[n.id] for n in nodes}, routes, width, height + 2 * MARGIN)


def layers(nodes, edges):
    """Node id -> layer: the longest path to it from a node nothing feeds (wires that
    would close a cycle, possible between collapsed groups, are ignored); the output
    alone in a layer after all others."""
    incoming = {n.id: [] for n in nodes}
    for edge in edges:
        incoming[edge.target].append(edge.source)
    layer, visiting = {}, set()

    def depth(node):  # iterative enough for circuits: recursion depth = longest path
        if node in layer:
            return layer[node]
        visiting.add(node)
        sources = [s for s in incoming[node] if s not in visiting]
        layer[node] = 1 + max((depth(s) for s in sources), default=-1)
        visiting.discard(node)
        return layer[node]

    for node in nodes:
        depth(node.id)
    last = max((layer[n.id] for n in nodes if n.kind is not NodeKind.OUTPUT), default=0)
    for node in nodes:
        if node.kind is NodeKind.OUTPUT:
            layer[node.id] = last + 1
    return layer


def _with_bends(nodes, edges, layer):
    """The layers as lists of node ids (in the nodes' order) with a bend point per
    layer a wire crosses; edge id -> its bend points, left to right."""
    count = max(layer.values(), default=0) + 1
    rows = [[] for _ in range(count)]
    for node in nodes:
        rows[layer[node.id]].append(node.id)
    chains = {}
    for edge in edges:
        start, end = layer[edge.source], layer[edge.target]
        chains[edge.id] = []
        for crossed in range(start + 1, end):
            bend = f"{edge.id}@{crossed}"
            rows[crossed].append(bend)
            chains[edge.id].append(bend)
    return rows, chains


def _order(rows, edges, chains):
    """Reorder each layer in place by the mean position of its neighbours in the layer
    before (sweeping right) or after (sweeping left)."""
    neighbours: dict = {}
    for edge in edges:
        path = [edge.source] + chains[edge.id] + [edge.target]
        for left, right in itertools.pairwise(path):
            neighbours.setdefault(right, {"before": [], "after": []})["before"].append(left)
            neighbours.setdefault(left, {"before": [], "after": []})["after"].append(right)
    for sweep in range(SWEEPS):
        side, sequence = ("before", range(1, len(rows))) if sweep % 2 == 0 else \
            ("after", range(len(rows) - 2, -1, -1))
        for number in sequence:
            ref = rows[number - 1] if side == "before" else rows[number + 1]
            rows[number] = _by_barycentre(rows[number], ref, neighbours, side)


def _by_barycentre(row, ref, neighbours, side):
    """``row`` sorted by the mean index in ``ref`` of each item's neighbours on
    ``side`` (an item without any keeps its index); ties keep their order."""
    position = {item: i for i, item in enumerate(ref)}

    def key(i, item):
        near = [position[n] for n in neighbours.get(item, {}).get(side, []) if n in position]
        return (sum(near) / len(near) if near else i, i)

    return [item for _, item in sorted((key(i, item), item) for i, item in enumerate(row))]
