"""The derivative rule tables: one adjoint (reverse-mode) rule per primal callable or
``ast`` operator, and how to find its tangent (forward-mode) rule.

A rule is a small function that is also runnable NumPy. It takes ``g`` (the adjoint of
the result), ``ans`` (the result) and the primal's arguments under NumPy's names, and
returns one expression per differentiable argument, in order, ``None`` for an argument
that has no gradient. A rule returning a single expression gives the first argument's::

    @adjoint(np.sqrt)
    def sqrt(g, ans, x):
        return g / (2 * ans)          # reuses the forward result

The compiler inlines the rule's body into the generated code (see ``inline.py``); a rule
whose source cannot be read, or whose body does not reduce to one ``return``, is called
at run time instead. Rules of functions that broadcast their arguments (every ufunc,
and those registered with ``broadcasts=True``) return contributions of the result's
shape; the compiler sums them back to each argument's shape where the shapes can
differ. Adding a rule never touches a compiler pass.

Forward mode (``jvp``) finds the tangent of a primal's result in this order:

1. a tangent rule registered with :func:`tangent` (same shape: ``(g, ans, *params)``,
   where ``g`` is the tangent of the first parameter, or the tuple of every parameter's
   tangent when the rule returns one term per parameter);
2. a declaration that the primal is :func:`linear` (``np.sum``, ``np.reshape``: the
   tangent is the primal applied to the tangents) or :func:`multilinear` (``np.matmul``,
   ``np.einsum``: one term per argument, the primal with that argument's tangent);
3. the adjoint rule of an *elementwise* primal (every broadcasting rule, and those
   declared :func:`elementwise`): its Jacobian is diagonal, so the adjoint rule with ``g``
   replaced by an argument's tangent is that argument's term of the tangent.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import sys
import textwrap
from typing import Any, Callable, Sequence

import numpy as np

from ..signatures import RuleFunction


@dataclasses.dataclass(frozen=True)
class Attribute:
    """Key of a rule for reading an attribute, such as ``x.T`` or ``x.real``."""

    name: str

    def __repr__(self):
        return f".{self.name}"


@dataclasses.dataclass(frozen=True)
class Subscript:
    """Key of the rule for reading ``x[index]``."""

    def __repr__(self):
        return "x[...]"


SUBSCRIPT = Subscript()


@dataclasses.dataclass
class Rule:
    """An adjoint rule for one primal (a callable, an ``ast`` operator class or a key above)."""

    primal: object
    function: Callable
    broadcasts: bool
    outputs: int = 0
    _template: object = dataclasses.field(default=None, repr=False)

    @property
    def parameters(self):
        """The primal's parameters, as the rule names them (without ``g`` and ``ans``)."""
        return list(inspect.signature(self.function).parameters.values())[2:]

    @property
    def template(self):
        """The rule's ``FunctionDef`` AST, or ``None`` when its source cannot be read."""
        if self._template is None:
            try:
                text = textwrap.dedent(inspect.getsource(self.function))
                tree = ast.parse(text).body[0]
            except (OSError, TypeError, SyntaxError, IndexError):
                tree = False
            if tree and not isinstance(tree, ast.FunctionDef):
                tree = False
            if tree:
                tree.decorator_list = []
            self._template = tree
        return self._template or None


def is_literal(x):
    """In a rule: is the argument ``x`` a number written in the user's source?

    The compiler answers at compile time (``2.0`` in ``2.0 ** x`` is, a name is not), so
    a rule can keep Python-number arithmetic for literals (``math.log(2.0)`` stays a weak
    scalar that does not promote float32 arrays). Run as plain Python it answers for any
    Python number.
    """
    return isinstance(x, (int, float))


def given(x):
    """In a rule: was the optional argument ``x`` passed by the call?

    The compiler answers at compile time from the call's arguments (a parameter left at
    its default is not given), so ``max(a, b)`` and ``max(x)`` can share a rule. Run as
    plain Python it answers ``x is not None``.
    """
    return x is not None


def is_display(x):
    """In a rule: is the argument ``x`` a list or tuple written out in the call
    (``np.vstack([a, b])``), not a variable (``np.vstack(x)``, where ``x`` may hold an
    array whose rows are joined)?

    The compiler answers at compile time: the adjoint of a display is unpacked into its
    elements' adjoints, that of a variable is one value. Run as plain Python it answers
    ``isinstance(x, (list, tuple))``.
    """
    return isinstance(x, (list, tuple))


def same(x1, x2):
    """In a rule: are ``x1`` and ``x2`` the same variable (``x * x``)?

    The compiler answers at compile time (the same name is; different names are not,
    even if they may hold the same array, so a rule must be right either way). Run as
    plain Python it answers ``x1 is x2``.
    """
    return x1 is x2


SEQUENCE = -1  # ``outputs=SEQUENCE``: the primal returns a list of any length

RULES: dict = {}
GENERATION = [0]  # counts changes of the tables: generated code cached before is stale
NONDIFFERENTIABLE: set = set()


def adjoint(*primals: Any, broadcasts: bool | None = None,
            outputs: int | Callable[..., int | None] = 0
            ) -> Callable[[RuleFunction], RuleFunction]:
    """Register the decorated function as the reverse-mode rule of ``primals``.

    ``broadcasts`` says that the primal broadcasts its array arguments against each other
    (the default for ufuncs and ``ast`` arithmetic operators); the rule then returns
    contributions of the result's shape and the compiler undoes the broadcasting.
    ``outputs=n`` says that the primal returns a tuple of ``n`` values, and
    ``outputs=SEQUENCE`` that it returns a list whose length the call decides
    (``np.split``); ``outputs`` may also be a function of the call's literal arguments
    (``None`` for the others) giving that length or ``None`` when it is not known. The
    values are then unpacked into names (``a, b = np.split(x, 2)``, or ``np.split(x,
    2)[0]`` with a literal count) and ``g`` is the tuple of their adjoints (zeros for
    those that need none). A rule
    registered for a function replaces any earlier rule and any source differentiation.

    >>> def cube(x):
    ...     return x ** 3
    >>> @adjoint(cube)
    ... def cube_adjoint(g, ans, x):
    ...     return g * 3 * x ** 2
    >>> lookup(cube).function is cube_adjoint
    True
    >>> del RULES[cube]
    """

    def register(function):
        for primal in primals:
            flag = broadcasts
            if flag is None:
                flag = isinstance(primal, np.ufunc) or (
                    isinstance(primal, type) and issubclass(primal, ast.operator)
                    and primal is not ast.MatMult)
            RULES[primal] = Rule(primal, function, flag, outputs)
            NONDIFFERENTIABLE.discard(primal)
        GENERATION[0] += 1
        return function

    return register


def nondifferentiable(*primals: Any) -> None:
    """Mark ``primals`` as having a zero gradient everywhere (shape queries, comparisons,
    rounding, ``argmax``...). Their results are never active.

    >>> def parity(n):
    ...     return n % 2
    >>> nondifferentiable(parity)
    >>> is_nondifferentiable(parity)
    True
    >>> NONDIFFERENTIABLE.discard(parity)
    """
    for primal in primals:
        NONDIFFERENTIABLE.add(primal)
        RULES.pop(primal, None)
        TANGENTS.pop(primal, None)
        LINEAR.pop(primal, None)
    GENERATION[0] += 1


def unregister(primal, rule=None):
    """Remove ``primal``'s rule, or put ``rule`` (an earlier :class:`Rule`) back; code
    generated since is generated again."""
    if rule is None:
        RULES.pop(primal, None)
    else:
        RULES[primal] = rule
    GENERATION[0] += 1


TANGENTS: dict = {}
LINEAR: dict = {}  # primal -> Linear
ELEMENTWISE: set = set()  # non-broadcasting primals whose adjoint rule is elementwise


@dataclasses.dataclass(frozen=True)
class Linear:
    """The primal is linear in the parameters ``params`` (by the adjoint rule's names),
    jointly (``separately=False``: ``np.concatenate``'s sequence) or in each one with
    the others fixed (``separately=True``: the factors of ``np.matmul``)."""

    params: tuple | None  # None: the first parameter (linear) or two (multilinear)
    separately: bool


def tangent(*primals: Any, outputs: int = 0) -> Callable[[RuleFunction], RuleFunction]:
    """Register the decorated function as the forward-mode rule of ``primals``.

    It has the shape of an adjoint rule, ``(g, ans, *params)``, and returns the tangent
    of the result. When it returns one expression, ``g`` is the tangent of the first
    parameter (the others are not differentiable). When it returns a tuple, ``g`` is the
    tuple of every parameter's tangent and each element is the term of one parameter
    (``None`` for none); the compiler adds the terms of the differentiated arguments
    only, so a term may use its own parameter's tangent ``g[i]`` freely. ``outputs=n``
    says that the primal returns a tuple of ``n`` values; the rule then returns the
    tuple of their tangents (given ``g``, the first parameter's).

    >>> import numpy as np
    >>> def cube(x):
    ...     return x ** 3
    >>> @tangent(cube)
    ... def cube_tangent(g, ans, x):
    ...     return g * 3 * x ** 2
    >>> tangent_lookup(cube).function is cube_tangent
    True
    >>> unregister_tangent(cube)
    """

    def register(function):
        for primal in primals:
            TANGENTS[primal] = Rule(primal, function, False, outputs)
        GENERATION[0] += 1
        return function

    return register


def linear(*primals: Any, params: Sequence[str] | None = None) -> None:
    """Declare ``primals`` linear, jointly, in ``params`` (their first parameter by
    default): the tangent of ``np.sum(x, axis=0)`` is ``np.sum(x_dot, axis=0)``, and of
    ``np.stack([a, b])`` it is ``np.stack([a_dot, b_dot])`` (zeros for an argument that
    is not differentiated)."""
    for primal in primals:
        LINEAR[primal] = Linear(tuple(params) if params else None, False)
    GENERATION[0] += 1


def multilinear(*primals: Any, params: Sequence[str] | None = None) -> None:
    """Declare ``primals`` linear in each of ``params`` (their first two parameters by
    default) with the others fixed: the tangent of ``a @ b`` is ``a_dot @ b + a @
    b_dot``."""
    for primal in primals:
        LINEAR[primal] = Linear(tuple(params) if params else None, True)
    GENERATION[0] += 1


def elementwise(*primals: Any) -> None:
    """Declare that the adjoint rules of ``primals`` (functions of one array that do not
    broadcast, such as ``np.sinc``) act elementwise, so forward mode may derive their
    tangents from them."""
    ELEMENTWISE.update(primals)
    GENERATION[0] += 1


def tangent_lookup(primal):
    """The tangent :class:`Rule` registered for ``primal``, or ``None``."""
    try:
        rule = TANGENTS.get(primal)
    except TypeError:
        return None
    if rule is None and LAZY_RULES and load_lazy_rules():
        return TANGENTS.get(primal)
    return rule


def linear_lookup(primal):
    """The :class:`Linear` declaration of ``primal``, or ``None``."""
    try:
        declared = LINEAR.get(primal)
    except TypeError:
        return None
    if declared is None and LAZY_RULES and load_lazy_rules():
        declared = LINEAR.get(primal)
    if declared is None:
        declared = _linear_adjoint(primal)
    return declared


def _linear_adjoint(function):
    """The adjoint rule of a (jointly) linear primal is linear in ``g`` and reads its
    other arguments for their shapes only, so its tangent, where generated code calls it
    at run time (``sum_(g, ans, a, axis)`` for an axis known only then), is the rule
    applied to ``g``'s tangent."""
    for primal, rule in list(RULES.items()):
        if rule.function is function:
            declared = LINEAR.get(primal)
            if declared is not None and not declared.separately:
                first = next(iter(inspect.signature(function).parameters))
                return Linear((first,), False)
    return None


def is_elementwise(primal):
    """May forward mode derive ``primal``'s tangent from its adjoint rule?"""
    rule = lookup(primal)
    if rule is None:
        return False
    try:
        return rule.broadcasts or primal in ELEMENTWISE
    except TypeError:
        return False


def unregister_tangent(primal, rule=None):
    """Remove ``primal``'s tangent rule, or put ``rule`` back."""
    if rule is None:
        TANGENTS.pop(primal, None)
    else:
        TANGENTS[primal] = rule
    GENERATION[0] += 1


def lookup(primal):
    """The :class:`Rule` of ``primal``, or ``None``."""
    try:
        rule = RULES.get(primal)
    except TypeError:  # unhashable callables have no rules
        return None
    if rule is None and LAZY_RULES and load_lazy_rules():
        return RULES.get(primal)
    return rule


def is_nondifferentiable(primal):
    try:
        found = primal in NONDIFFERENTIABLE
    except TypeError:
        return False
    if not found and LAZY_RULES and load_lazy_rules():
        return primal in NONDIFFERENTIABLE
    return found


# ----- rules of optional libraries, registered once the library is in use ---------------

LAZY_RULES: list = [
    ("scipy.special", "autodiff_ast.rules.scipy_special"),
    ("scipy.linalg", "autodiff_ast.rules.scipy_linalg"),
    ("scipy.stats", "autodiff_ast.rules.scipy_stats"),
]
"""``(trigger module, rules module)`` pairs whose rules are not registered yet.

Rules for an optional library live in a module of their own that imports the library,
and importing the library is slow (SciPy), so they are not registered when autodiff_ast
is imported. Instead the lookups above, on a miss only, call :func:`load_lazy_rules`:
a rules module whose trigger module is in ``sys.modules`` (the user's code imported it,
so its functions may be the ones looked up) is imported then, which registers its rules,
and the lookup is tried again. A loaded pair is removed, so once every pair is loaded a
miss costs one more truth test of this list. Append a pair to add an optional family;
its rules module registers rules of the trigger module's functions only.
"""


def load_lazy_rules():
    """Import the rules module of every :data:`LAZY_RULES` pair whose trigger module has
    been imported; whether any was (the tables may then hold more rules).

    The rules are of the trigger module's functions only, and no code generated before
    can call those: the first lookup of one is what loads them. So that code is not
    stale, and the generation count is left as it was (the compilation under way is not
    started again)."""
    loaded = False
    generation = GENERATION[0]
    for pair in list(LAZY_RULES):
        trigger, rules = pair
        if trigger in sys.modules:
            LAZY_RULES.remove(pair)  # first, so that a failing import is not retried
            importlib.import_module(rules)
            loaded = True
    GENERATION[0] = generation
    return loaded
