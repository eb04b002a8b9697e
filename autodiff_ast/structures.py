"""Parameters that are dicts, lists and tuples of arrays (parameter structures).

``grad(loss)(params, X, y)`` with ``params = {"W": ..., "b": ...}`` gives a dict of the
same keys. The compiler learns the structure of such an argument when the function is
first called with it (the generated code is kept per structure) and treats each array
in it, a *leaf*, as a parameter of its own: ``params["W"]`` reads a name bound at the
start of the generated function, and the gradient is built back in the same structure.

A structure is ``None`` for an array or number, else ``(kind, keys, parts)``:

>>> import numpy as np
>>> structure_of({"W": np.ones(2), "layers": [np.ones(1), 2.0]})
('dict', ('W', 'layers'), (None, ('list', (0, 1), (None, None))))
"""

from __future__ import annotations

import ast

import numpy as np


def structure_of(value):
    """The structure of ``value`` (``None`` for a leaf). A namedtuple's kind is its
    class (its gradient is one of the same class), its keys its positions.

    >>> from collections import namedtuple
    >>> P = namedtuple("P", "W b")
    >>> structure_of(P(np.ones(2), 1.0)) == (P, (0, 1), (None, None))
    True
    """
    if isinstance(value, dict):
        keys = tuple(value)
        return "dict", keys, tuple(structure_of(value[k]) for k in keys)
    if is_namedtuple(value):
        return type(value), tuple(range(len(value))), tuple(structure_of(v) for v in value)
    if isinstance(value, (list, tuple)) and not _numeric_sequence(value):
        kind = "list" if isinstance(value, list) else "tuple"
        return kind, tuple(range(len(value))), tuple(structure_of(v) for v in value)
    return None


def is_namedtuple(value):
    """Is ``value`` an instance of a ``collections.namedtuple`` (or ``typing.NamedTuple``)
    class?"""
    return isinstance(value, tuple) and isinstance(getattr(type(value), "_fields", None),
                                                   tuple)


def kind_name(structure):
    """``'dict'``, ``'list'``, ``'tuple'`` or the namedtuple class's name (for messages)."""
    kind = structure[0]
    return kind if isinstance(kind, str) else kind.__name__


def field_index(structure, attribute):
    """The position of the field ``attribute`` of a namedtuple ``structure``, or
    ``None`` (not a namedtuple, or no such field)."""
    kind = structure[0] if structure else None
    fields = getattr(kind, "_fields", ())
    return fields.index(attribute) if attribute in fields else None


def _numeric_sequence(value):
    """A list of numbers is an array (``grad(f)([1.0, 2.0])``), not a structure; so is a
    rectangular list of such lists (``[[1.0, 2.0], [3.0, 4.0]]``, a matrix), as NumPy
    reads it. A ragged one is a structure: a list of arrays.

    >>> _numeric_sequence([[1.0, 2.0], [3.0, 4.0]]), _numeric_sequence([[1.0, 2.0], [3.0]])
    (True, False)
    """
    return _numeric_shape(value) is not None


def _numeric_shape(value):
    """The shape of a non-empty, rectangular nesting of lists and tuples of numbers;
    ``None`` for anything else."""
    if not isinstance(value, (list, tuple)) or not value:
        return None
    if all(isinstance(v, (int, float, complex, np.number)) for v in value):
        return (len(value),)
    inner = [_numeric_shape(v) for v in value]
    if inner[0] is None or any(shape != inner[0] for shape in inner):
        return None
    return (len(value),) + inner[0]


def leaves(value, structure):
    """The leaves of ``value`` in the order of ``structure``."""
    if structure is None:
        return [value]
    _, keys, parts = structure
    return [leaf for key, part in zip(keys, parts) for leaf in leaves(value[key], part)]


def rebuild(structure, items):
    """A value of ``structure`` holding ``items`` (an iterator over the leaves)."""
    if structure is None:
        return next(items)
    kind, keys, parts = structure
    built = [rebuild(part, items) for part in parts]
    if kind == "dict":
        return dict(zip(keys, built))
    if kind == "list":
        return built
    return tuple(built) if kind == "tuple" else kind(*built)


def leaf_names(ctx, name, structure, prefix=None):
    """``[(leaf name, path of keys)]`` for a parameter ``name`` of ``structure``."""
    prefix = prefix or name
    if structure is None:
        return [(ctx.fresh(prefix), ())]
    kind, keys, parts = structure
    fields = getattr(kind, "_fields", None)
    found = []
    for key, part in zip(keys, parts):
        label = fields[key] if fields else key  # a namedtuple's leaf: p_W, not p_0
        label = label if isinstance(label, str) and label.isidentifier() else str(label)
        for leaf, path in leaf_names(ctx, name, part, f"{prefix}_{label}"):
            found.append((leaf, (key,) + path))
    return found


def display(structure, items):
    """The ``ast`` display (dict, list or tuple) of ``structure`` over ``items`` (an
    iterator over the leaves' names or expressions)."""
    if structure is None:
        item = next(items)
        return ast.Name(item, ast.Load()) if isinstance(item, str) else item
    kind, keys, parts = structure
    built = [display(part, items) for part in parts]
    if kind == "dict":
        return ast.Dict([ast.Constant(k) for k in keys], built)
    return (ast.List if kind == "list" else ast.Tuple)(built, ast.Load())


def as_float(value, structure):
    """``value`` with integer leaves as floats (as for any differentiated input)."""
    from .api import _as_float

    return rebuild(structure, iter([_as_float(v) for v in leaves(value, structure)]))

