"""What a compile read from the user's program, so that a cached gradient can be checked.

Generated code inlines the bodies of the user's helper functions, their default values
and the functions that names and attributes referred to when it was generated. A
:class:`Captured` record keeps each of those reads as an identity check: the name still
refers to the same object (``namespace[name] is value``), the function still has the
same ``__code__``, ``__defaults__`` and ``__kwdefaults__``. :meth:`Captured.freeze`
writes the checks out as one function, run at each call of a cached gradient; generated
code whose checks fail is the gradient of code that no longer runs, and is generated
again. Global data (numbers, arrays) is not recorded: generated code reads it afresh at
each call (``Context.refresh``).

>>> import types
>>> module = types.SimpleNamespace(helper=abs)
>>> record = Captured()
>>> record.name(vars(module), "helper", abs)
>>> current = record.freeze()
>>> current()
True
>>> module.helper = round
>>> current()
False
"""

from __future__ import annotations

from . import codegen

ABSENT = object()  # what a name that was not defined must still be


class Captured:
    """The reads of one compile (shared with the callees inlined into it)."""

    def __init__(self):
        self._functions = {}  # id(function) -> function
        self._reads = {}  # (id(owner), key) -> (kind, owner, key, value)

    def name(self, namespace, name, value):
        """``namespace[name]`` (a dict, or a module's ``__dict__``) was ``value`` (or
        :data:`ABSENT`: not defined, so a builtin was used)."""
        self._reads.setdefault((id(namespace), name), ("item", namespace, name, value))

    def attribute(self, owner, name, value):
        """``owner.name`` was ``value``; a module is checked through its dict."""
        namespace = getattr(owner, "__dict__", None)
        if type(namespace) is dict:  # a module (a class's is a read-only proxy)
            self.name(namespace, name, value)
        else:
            self._reads.setdefault((id(owner), name), ("attribute", owner, name, value))

    def cell(self, cell, value):
        """The closure ``cell`` held ``value``."""
        self._reads.setdefault((id(cell), "cell_contents"), ("cell", cell, None, value))

    def function(self, function):
        """``function``'s code and defaults were read (its body inlined, its defaults
        folded in); the items of its keyword-only defaults too, which change in place."""
        if id(function) in self._functions:
            return
        self._functions[id(function)] = function
        self._reads[id(function), "__code__"] = ("attribute", function, "__code__",
                                                 function.__code__)
        self._reads[id(function), "__defaults__"] = ("attribute", function, "__defaults__",
                                                     function.__defaults__)
        kwdefaults = function.__kwdefaults__
        self._reads[id(function), "__kwdefaults__"] = ("attribute", function,
                                                       "__kwdefaults__", kwdefaults)
        for key, value in (kwdefaults or {}).items():
            self.name(kwdefaults, key, value)

    def extend(self, other):
        """Add the reads of ``other`` (the record of generated code inlined into this
        compile: ``grad(f)`` called in the function, or differentiated again)."""
        for key, function in other._functions.items():
            self._functions.setdefault(key, function)
        for key, read in other._reads.items():
            self._reads.setdefault(key, read)

    def freeze(self):
        """A function of no arguments saying whether every read still gives what it
        gave: the checks written out as one expression (a loop over them costs twice as
        much, and it runs at every call of a gradient)."""
        scope = {"ABSENT": ABSENT}
        owners = {}  # id(owner) -> its name in the function
        tests = []
        for i, (kind, owner, key, value) in enumerate(self._reads.values()):
            name = owners.setdefault(id(owner), f"owner{len(owners)}")
            scope[name], scope[f"value{i}"] = owner, value
            if kind == "item":
                tests.append(f"{name}.get({key!r}, ABSENT) is value{i}")
            elif kind == "cell":
                tests.append(f"{name}.cell_contents is value{i}")
            elif key in ("__code__", "__defaults__", "__kwdefaults__"):  # always there
                tests.append(f"{name}.{key} is value{i}")
            else:
                tests.append(f"getattr({name}, {key!r}, ABSENT) is value{i}")
        condition = "\n            and ".join(tests) or "True"
        text = (f"def current():\n"
                f"    try:\n"
                f"        return (\n            {condition})\n"
                f"    except ValueError:  # an emptied closure cell\n"
                f"        return False\n")
        return codegen.define(text, "current", scope)["current"]
