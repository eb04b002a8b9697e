"""What a compile read from the user's program, so that a cached gradient can be checked.

Generated code inlines the bodies of the user's helper functions, their default values
and the functions that names and attributes referred to when it was generated. A
:class:`Captured` record keeps each of those reads as an identity check: the name still
refers to the same object (``namespace[name] is value``), the function still has the
same ``__code__``, ``__defaults__`` and ``__kwdefaults__``. :func:`current` runs the
checks; a cached gradient whose record is not current is the gradient of code that no
longer runs, and is generated again. Global data (numbers, arrays) is not recorded:
generated code reads it afresh at each call (``Context.refresh``).

>>> import types
>>> module = types.SimpleNamespace(helper=abs)
>>> record = Captured()
>>> record.name(vars(module), "helper", abs)
>>> checks = record.freeze()
>>> current(checks)
True
>>> module.helper = round
>>> current(checks)
False
"""

from __future__ import annotations

import functools

ABSENT = object()  # what a name that was not defined must still be


class Captured:
    """The reads of one compile (shared with the callees inlined into it)."""

    def __init__(self):
        self._functions = {}  # id(function) -> (function, code, defaults, kwdefaults)
        self._lookups = {}  # (id(owner), key) -> (getter, key, value)

    def name(self, namespace, name, value):
        """``namespace[name]`` (a dict, or a module's ``__dict__``) was ``value`` (or
        :data:`ABSENT`: not defined, so a builtin was used)."""
        self._lookups.setdefault((id(namespace), name), (namespace.get, name, value))

    def attribute(self, owner, name, value):
        """``owner.name`` was ``value``; modules are checked through their dict."""
        namespace = getattr(owner, "__dict__", None)
        if type(namespace) is dict:  # a module (a class's is a read-only proxy)
            self.name(namespace, name, value)
        else:
            self._lookups.setdefault((id(owner), name),
                                     (functools.partial(getattr, owner), name, value))

    def cell(self, cell, value):
        """The closure ``cell`` held ``value``."""
        self._lookups.setdefault((id(cell), "cell_contents"),
                                 (functools.partial(getattr, cell), "cell_contents", value))

    def function(self, function):
        """``function``'s code and defaults were read (its body inlined, its defaults
        folded in); the items of its keyword-only defaults too, which change in place."""
        kwdefaults = function.__kwdefaults__
        self._functions.setdefault(id(function), (
            function, function.__code__, function.__defaults__, kwdefaults))
        for key, value in (kwdefaults or {}).items():
            self.name(kwdefaults, key, value)

    def extend(self, other):
        """Add the reads of ``other`` (the record of generated code inlined into this
        compile: ``grad(f)`` called in the function, or differentiated again)."""
        for key, entry in other._functions.items():
            self._functions.setdefault(key, entry)
        for key, entry in other._lookups.items():
            self._lookups.setdefault(key, entry)

    def freeze(self):
        """The checks as plain tuples, for :func:`current`."""
        return tuple(self._functions.values()), tuple(self._lookups.values())


def current(checks):
    """Do all the reads of ``checks`` (see :meth:`Captured.freeze`) still give what they
    gave?"""
    functions, lookups = checks
    try:
        for function, code, defaults, kwdefaults in functions:
            if function.__code__ is not code or function.__defaults__ is not defaults \
                    or function.__kwdefaults__ is not kwdefaults:
                return False
        for get, key, value in lookups:
            if get(key, ABSENT) is not value:
                return False
    except ValueError:  # a closure cell emptied (del)
        return False
    return True
