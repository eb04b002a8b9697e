"""Graph: a :class:`~autodiff_ast.circuit.trace.Trace` as gates, wires and boxes.

Takes a trace; gives the nodes (an input per parameter, a gate per normal-form
statement labelled with its operation, a node per global data value read, one output),
the edges (one per value and reader, labelled with the value's forward value and its
adjoint) and the groups (a box per line of the user's code, inside a box per inlined
callee). ``collapse`` turns a group into one node.

>>> from autodiff_ast.circuit.trace import trace
>>> def f(x, y, z):
...     q = x + y
...     return q * z
>>> nodes, edges, groups = build(trace(f, (-2.0, 5.0, -4.0), (0, 1, 2)))
>>> [n.label for n in nodes]
['x', 'y', 'z', '+', '*', 'out']
>>> for e in edges:
...     print(e.name, e.value, e.gradient)
x -2.00 -4.00
y 5.00 -4.00
q 3.00 -4.00
z -4.00 3.00
out -12.00 1.00
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import os
import re

import numpy as np

from ..context import Context, numpy_path

OPERATORS = {  # ast operator class -> the gate's symbol
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.Pow: "**", ast.MatMult: "@", ast.USub: "-x", ast.UAdd: "+x",
    ast.Not: "not", ast.Invert: "~", ast.And: "and", ast.Or: "or", ast.Eq: "==",
    ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}
COMMUTATIVE = {"+", "*"}


class NodeKind(enum.Enum):
    INPUT = "input"          # a parameter of the function
    DATA = "data"            # a global value the function reads
    GATE = "gate"            # one operation of the normal form
    OUTPUT = "output"        # where the returned value goes
    COLLAPSED = "collapsed"  # a group drawn as one node


@dataclasses.dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: NodeKind
    groups: tuple = ()  # the ids of the groups it is in, outermost first
    title: str = ""     # the statement it computes, for a tooltip


@dataclasses.dataclass(frozen=True)
class Edge:
    """A wire: the value ``name`` from node ``source`` read by node ``target``;
    ``value`` and ``gradient`` are their labels (``gradient`` is ``None`` for a value
    the output does not depend on through a differentiated input)."""

    id: str
    source: str
    target: str
    name: str
    value: str
    gradient: str | None


@dataclasses.dataclass(frozen=True)
class Group:
    """A box: a line of the user's code (``line`` is its line in its file) or an
    inlined callee (``callee`` is its name); ``parent`` is the enclosing group's id."""

    id: str
    label: str
    parent: str | None = None
    line: int | None = None
    callee: str | None = None


def build(trace):
    """``(nodes, edges, groups)`` of ``trace``; see the module docstring."""
    ctx, display = trace.context, trace.display
    nodes = [Node(f"input-{display[p]}", display[p], NodeKind.INPUT) for p in trace.params]
    producer = {p: nodes[i].id for i, p in enumerate(trace.params)}
    for name in trace.data:
        nodes.append(Node(f"data-{name}", name, NodeKind.DATA))
        producer[name] = nodes[-1].id
    groups: dict[str, Group] = {}
    readers = []  # (value name, reading node id), in order
    for number, stmt in enumerate(trace.statements, 1):
        node = Node(f"gate-{number}", gate_label(stmt.value, ctx, display),
                    NodeKind.GATE, _group_path(stmt.lineno, ctx, groups),
                    _restore_names(ast.unparse(stmt), display))
        nodes.append(node)
        readers += [(name, node.id) for name in operands(stmt.value, producer)]
        for target in ast.walk(stmt.targets[0]):
            if isinstance(target, ast.Name):
                producer[target.id] = node.id
    if trace.result is not None:
        nodes.append(Node("output", "out", NodeKind.OUTPUT))
        readers.append((trace.result, "output"))
    edges = _edges(readers, producer, trace)
    return nodes, edges, list(groups.values())


def operands(value, producer):
    """The names ``value`` reads that some node produces, in order (repeats kept)."""
    return [n.id for n in ast.walk(value) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load) and n.id in producer]


def gate_label(value, ctx, display):
    """The label of the gate computing ``value``: its operator (``+``, ``*``), with a
    constant operand written in (``*-1``, ``+1``, ``1/x``), or its function's name
    (``exp``, ``max``), with constant arguments (``sum(axis=0)``)."""
    if isinstance(value, ast.BinOp):
        symbol = OPERATORS.get(type(value.op), "?")
        if isinstance(value.right, ast.Constant) and not isinstance(value.left, ast.Constant):
            return f"{symbol}{_constant(value.right)}"
        if isinstance(value.left, ast.Constant) and not isinstance(value.right, ast.Constant):
            if symbol in COMMUTATIVE:
                return f"{symbol}{_constant(value.left)}"
            return f"{_constant(value.left)}{symbol}x"
        return symbol
    if isinstance(value, ast.UnaryOp):
        return OPERATORS.get(type(value.op), "?")
    if isinstance(value, ast.BoolOp):
        return OPERATORS.get(type(value.op), "?")
    if isinstance(value, ast.Compare):
        return OPERATORS.get(type(value.ops[0]), "?")
    if isinstance(value, ast.Call):
        return _call_label(value, ctx, display)
    if isinstance(value, ast.Subscript):
        return f"[{_restore_names(ast.unparse(value.slice), display)}]"
    if isinstance(value, ast.Attribute):
        return f".{value.attr}"
    if isinstance(value, ast.Name):
        return "="
    return _restore_names(ast.unparse(value), display)


def format_value(value):
    """A short label for a value: ``0.73`` and ``-0.20`` for numbers, ``[0.10, -0.20]``
    for up to three numbers, ``(3, 4) mean 0.12`` for larger arrays, ``None`` for none.

    >>> format_value(0.7310585), format_value(-0.19661), format_value(np.array([1.0, -2.0]))
    ('0.73', '-0.20', '[1.00, -2.00]')
    >>> format_value(np.ones((3, 4)))
    '(3, 4) mean 1.00'
    """
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return str(value)
    array = np.asarray(value) if isinstance(value, (float, complex, np.generic, np.ndarray,
                                                    list, tuple)) else None
    if array is None or array.dtype.kind not in "fciub":
        return _short(repr(value))
    if array.ndim == 0:
        return _number(array[()])
    if array.size <= 3 and array.ndim == 1:
        return "[" + ", ".join(_number(v) for v in array) + "]"
    shape = "(" + ", ".join(str(n) for n in array.shape) + ("," if array.ndim == 1 else "") + ")"
    if array.size == 0:
        return f"{shape} empty"
    return f"{shape} mean {_number(np.mean(array))}"


def collapse(nodes, edges, groups, group):
    """``(nodes, edges, groups)`` with the nodes of ``group`` (and of the groups inside
    it) replaced by one node, labelled like the group; wires inside it are dropped and
    wires crossing its border go to or from that node (one per value and node)."""
    inside = {n.id for n in nodes if group.id in n.groups}
    if not inside:
        return nodes, edges, groups
    keep = next(n for n in nodes if n.id in inside).groups
    outer = keep[:keep.index(group.id)]
    merged = Node(f"collapsed-{group.id}", group.callee or group.label, NodeKind.COLLAPSED,
                  outer, group.label)
    new_nodes, placed = [], False
    for node in nodes:
        if node.id not in inside:
            new_nodes.append(node)
        elif not placed:
            new_nodes.append(merged)
            placed = True
    new_edges, seen = [], set()
    for edge in edges:
        source = merged.id if edge.source in inside else edge.source
        target = merged.id if edge.target in inside else edge.target
        if source == target == merged.id or (edge.name, source, target) in seen:
            continue
        seen.add((edge.name, source, target))
        new_edges.append(dataclasses.replace(edge, source=source, target=target,
                                             id=_edge_id(edge.name, target, seen)))
    below = _descendants(groups, group.id)
    return new_nodes, new_edges, [g for g in groups if g.id not in below]


def _edges(readers, producer, trace):
    """An :class:`Edge` per (value, reader), labelled from the trace."""
    edges, seen = [], set()
    for name, target in readers:
        shown = trace.display.get(name, name)
        value = trace.values.get(name, trace.data.get(name))
        edges.append(Edge(_edge_id(shown, target, seen), producer[name], target, shown,
                          format_value(value), format_value(trace.adjoints.get(name))))
    return edges


def _edge_id(name, target, seen):
    """``edge-<value>-to-<node>``, with ``-2``, ``-3``... for a value read twice."""
    base = f"edge-{name}-to-{target}"
    identifier, count = base, 1
    while identifier in seen:
        count += 1
        identifier = f"{base}-{count}"
    seen.add(identifier)
    return identifier


def _group_path(lineno, ctx, groups):
    """The ids of the groups of a statement at ``lineno`` (made when first seen): its
    callee's box (for an inlined callee) and its line's box."""
    start, filename, lines, _ = max((f for f in ctx.files if f[0] <= lineno),
                                    key=lambda f: f[0])
    line = lineno - start
    text = ctx.statements.get(lineno, "")
    if start == 0:
        line_id = f"line-{line}"
        groups.setdefault(line_id, Group(line_id, f"line {line}: {text}", None, line))
        return (line_id,)
    call = start // Context.SHIFT
    call_id = f"call-{call}"
    name = _callee_name(lines, line)
    groups.setdefault(call_id, Group(
        call_id, f"{name}() in {os.path.basename(filename)}", None, None, name))
    line_id = f"{call_id}-line-{line}"
    groups.setdefault(line_id, Group(line_id, f"line {line}: {text}", call_id, line))
    return (call_id, line_id)


def _callee_name(lines, line):
    """The name of the function whose ``def`` is the nearest above ``line``."""
    for text in reversed(lines[:max(line - 1, 0)]):
        match = re.match(r"\s*(?:async\s+)?def\s+(\w+)", text)
        if match:
            return match.group(1)
    return "function"


def _descendants(groups, group_id):
    found = {group_id}
    changed = True
    while changed:
        more = {g.id for g in groups if g.parent in found} - found
        changed = bool(more)
        found |= more
    return found


def _call_label(call, ctx, display):
    function = call.func
    try:
        path = numpy_path(ctx.lookup(function))
    except (AttributeError, KeyError, TypeError):
        path = None
    name = path or ast.unparse(function)
    extra = [_restore_names(ast.unparse(a), display) for a in call.args
             if not isinstance(a, ast.Name)]
    extra += [f"{k.arg}={_restore_names(ast.unparse(k.value), display)}"
              for k in call.keywords]
    if extra and all(isinstance(a, ast.Name) for a in call.args):
        return f"{name}({', '.join(extra)})"
    if extra:
        parts = ["·" if isinstance(a, ast.Name) else _restore_names(ast.unparse(a), display)
                 for a in call.args]
        parts += [f"{k.arg}={_restore_names(ast.unparse(k.value), display)}"
                  for k in call.keywords]
        return f"{name}({', '.join(parts)})"
    return name


def _constant(node):
    value = node.value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    return repr(value)


def _restore_names(text, display):
    """``text`` with the renamed locals (``v3``) written with their own names."""
    return re.sub(r"\b(v\d+)\b", lambda m: display.get(m.group(1), m.group(1)), text)


def _number(x):
    if isinstance(x, (complex, np.complexfloating)):
        return f"{x.real:.2f}{x.imag:+.2f}j"
    x = float(x)
    if x == 0 or np.isnan(x) or np.isinf(x):
        return f"{abs(x):.2f}" if x == 0 else str(x)
    if 0.005 <= abs(x) < 1e5:
        return f"{x:.2f}"
    return f"{x:.2e}"


def _short(text, width=18):
    return text if len(text) <= width else text[:width - 1] + "…"
