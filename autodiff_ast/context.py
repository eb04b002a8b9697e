"""What every pass knows about the function being compiled.

A :class:`Context` holds facts about the user's function that passes share: where its
source lives (for errors with carets and for the comments of generated code), every
name in use (so that generated names never collide with the user's), and the namespace
the generated code runs in. Analyses do not live here: a pass that needs one computes it
and hands the result on.
"""

from __future__ import annotations

import ast
import builtins
import numpy as np

from . import errors
from .captured import Captured


class Context:
    """Shared facts about one compilation.

    ``wrt`` holds the indices of the parameters to differentiate; ``mode`` is ``"grad"``
    or ``"value_and_grad"``; ``single`` says that one gradient is returned rather than a
    tuple; ``namespace`` maps each global name of the generated code
    to its object; ``refresh`` maps the user's global data names read by the function
    to the dict they live in (re-read at each call, so rebinding a global is seen);
    ``captured`` records the functions and references the compile read (see
    :mod:`~autodiff_ast.captured`), against which the generated code is checked.
    """

    def __init__(self, function, filename, line_offset, col_offset, lines, wrt=(), mode="grad",
                 single=True):
        self.function = function
        self.filename = filename
        self.line_offset = line_offset
        self.col_offset = col_offset
        self.lines = lines
        self.wrt = tuple(wrt)
        self.mode = mode
        self.single = single
        self.names: set[str] = set()
        self.namespace: dict[str, object] = {}
        self.refresh: dict[str, dict] = {}
        # parameter -> its callable default, which the generated code calls (resolve.py)
        self.called_defaults: dict[str, object] = {}
        self.captured = Captured()
        self.statements: dict[int, str] = {}
        self.stacks: dict[str, str] = {}  # lists of saved values -> what they hold
        self.structures: dict = {}  # parameter -> structure of the dict/list/tuple it holds
        self.leaves: dict[str, list] = {}  # parameter -> the names bound to its leaves
        self._counters: dict[str, int] = {}
        # (first line number, filename, lines, column offset) of each source file whose
        # statements the function holds: callees inlined into it have their line numbers
        # moved past the caller's, so that every statement's line is its own.
        self.files = [(0, filename, lines, col_offset)]
        self.shift = 0

    SHIFT = 1_000_000  # line numbers of an inlined function start at k * SHIFT

    def child(self, function, filename, col_offset, lines):
        """A context for a function inlined into this one: its own file and scope, but
        the same names, namespace and statements, so that nothing collides."""
        child = Context(function, filename, 0, col_offset, lines, self.wrt, self.mode,
                        self.single)
        for shared in ("names", "namespace", "refresh", "captured", "statements", "stacks",
                       "_counters", "files", "leaves"):
            setattr(child, shared, getattr(self, shared))
        child.shift = len(self.files) * self.SHIFT
        self.files.append((child.shift, filename, lines, col_offset))
        return child

    # ----- names ---------------------------------------------------------------------

    def fresh(self, base, numbered=False):
        """A new name from ``base``, unused so far, and reserve it.

        ``fresh('dx')`` gives ``dx`` if free, else ``dx_1``, ``dx_2``...;
        ``fresh('_t', numbered=True)`` gives ``_t1``, ``_t2``...
        """
        while True:
            if numbered or base in self.names or hasattr(builtins, base):
                self._counters[base] = n = self._counters.get(base, 0) + 1
                name = f"{base}{n}" if numbered else f"{base}_{n}"
            else:
                name = base
            if name not in self.names and not hasattr(builtins, name):
                self.names.add(name)
                return name

    def temp(self):
        """A new temporary name: ``_t1``, ``_t2``..."""
        return self.fresh("_t", numbered=True)

    def bind(self, obj, preferred):
        """The global name under which generated code reaches ``obj``: the name it is
        bound to already, else ``preferred`` (made unique) newly bound to it."""
        for name, value in self.namespace.items():
            if value is obj:
                return name
        name = self.fresh(preferred)
        self.namespace[name] = obj
        return name

    def builtin(self, name):
        """The name of the builtin ``name`` in generated code: itself, unless the user's
        function has a variable of that name."""
        if name not in self.names:
            return name
        return self.bind(getattr(builtins, name), name)

    def numpy(self):
        """The name of the NumPy module in generated code (normally ``np``)."""
        return self.bind(np, "np")

    def reference(self, obj, preferred):
        """An expression reaching ``obj``: ``np.exp`` for NumPy functions, else a name."""
        path = numpy_path(obj)
        if path is not None:
            return dotted(self.numpy() + "." + path)
        return ast.Name(self.bind(obj, preferred), ast.Load())

    def lookup(self, node):
        """The object a ``Name``/``Attribute`` chain of generated code refers to."""
        if isinstance(node, ast.Name):
            if node.id in self.namespace:
                return self.namespace[node.id]
            return getattr(builtins, node.id)
        if isinstance(node, ast.Attribute):
            return getattr(self.lookup(node.value), node.attr)
        raise TypeError(f"not a reference: {ast.dump(node)}")

    # ----- locations -----------------------------------------------------------------

    def location(self, node):
        """``(filename, lineno, offset, text, end_lineno, end_offset)`` of ``node`` in the
        user's file, as ``SyntaxError`` wants them (offsets 1-based)."""
        lineno = getattr(node, "lineno", None) or 1
        start, filename, lines, col_offset = max(
            (f for f in self.files if f[0] <= lineno), key=lambda f: f[0])
        lineno -= start
        col = getattr(node, "col_offset", 0) or 0
        end_lineno = (getattr(node, "end_lineno", None) or lineno + start) - start
        end_col = getattr(node, "end_col_offset", None)
        text = lines[lineno - 1] if 0 < lineno <= len(lines) else None
        offset = col + col_offset + 1
        end_offset = (end_col + col_offset + 1) if end_col is not None else offset + 1
        if end_lineno != lineno and text is not None:
            end_offset = len(text.rstrip("\n")) + 1
            end_lineno = lineno
        return filename, lineno, offset, text, end_lineno, end_offset

    def error(self, node, message, cls=errors.AutodiffSyntaxError):
        """An error of class ``cls`` located at ``node``; raise it."""
        return errors.located(cls, message, self, node)

    def describe(self):
        """``name (file:line)`` of the user's function, for messages."""
        name = getattr(self.function, "__qualname__", "function")
        return f"{name} ({self.filename}:{self.line_offset + 1})"


def dotted(path):
    """``'np.linalg.norm'`` as an ``ast`` expression."""
    parts = path.split(".")
    node = ast.Name(parts[0], ast.Load())
    for part in parts[1:]:
        node = ast.Attribute(node, part, ast.Load())
    return node


_NUMPY_PATHS: dict[int, str] = {}


def numpy_path(obj):
    """``'exp'`` for ``np.exp``, ``'linalg.norm'`` for ``np.linalg.norm``, else ``None``."""
    if not _NUMPY_PATHS:
        for prefix, module in (("linalg.", np.linalg), ("fft.", np.fft), ("", np)):
            for name in sorted(dir(module), key=lambda n: (len(n), n), reverse=True):
                if not name.startswith("_"):
                    value = getattr(module, name)
                    if callable(value):
                        _NUMPY_PATHS[id(value)] = prefix + name
        _NUMPY_PATHS[id(np.abs)] = "abs"
    path = _NUMPY_PATHS.get(id(obj))
    if path is None:
        return None
    module = np
    for part in path.split("."):
        module = getattr(module, part)
    return path if module is obj else None
