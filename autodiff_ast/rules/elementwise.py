"""Rules of elementwise NumPy functions: exponentials and logarithms, powers and roots,
trigonometric and hyperbolic functions, ``abs``, ``maximum``/``minimum``, ``clip``,
``where`` and a few two-argument ufuncs (``hypot``, ``arctan2``, ``logaddexp``).

Where the forward result gives the derivative cheaply it is reused (``exp``, ``tanh``,
``sqrt``, ``tan``...). Constants are Python floats (``math.log(2)``, ``np.pi / 180``),
which do not promote float32 arrays to float64; masks multiply ``g`` (a boolean array
keeps ``g``'s dtype) rather than building arrays of ``0.0`` and ``1.0``.

At a kink each rule says in its docstring which subgradient it returns.
"""

import math

import numpy as np

from .. import runtime
from ..runtime import sigmoid
from .registry import Attribute, adjoint, elementwise, linear, tangent

# ----- exponentials and logarithms -------------------------------------------------------


@adjoint(np.exp)
def exp(g, ans, x):
    return g * ans


@adjoint(np.exp2)
def exp2(g, ans, x):
    """``d 2**x = 2**x * ln 2``."""
    return g * ans * math.log(2)


@adjoint(np.expm1)
def expm1(g, ans, x):
    """``d (e**x - 1) = e**x = ans + 1``."""
    return g * (ans + 1)


@adjoint(np.log)
def log(g, ans, x):
    return g / x


@adjoint(np.log2)
def log2(g, ans, x):
    return g / (x * math.log(2))


@adjoint(np.log10)
def log10(g, ans, x):
    return g / (x * math.log(10))


@adjoint(np.log1p)
def log1p(g, ans, x):
    return g / (1 + x)


@adjoint(np.logaddexp)
def logaddexp(g, ans, x1, x2):
    """``ans = log(e**x1 + e**x2)``, so ``d ans / d x1 = e**x1 / (e**x1 + e**x2)``, the
    sigmoid of ``x1 - x2``: written without ``ans``, so that ``grad`` need not compute
    the (costly) forward value. ``runtime.sigmoid`` is quiet and exact in both tails, so
    the weights, and their own derivatives ``s (1 - s)``, are finite and free of overflow
    warnings however far apart ``x1`` and ``x2`` are."""
    return g * sigmoid(x1 - x2), g * sigmoid(x2 - x1)


@adjoint(np.logaddexp2)
def logaddexp2(g, ans, x1, x2):
    """``ans = log2(2**x1 + 2**x2)``, so ``d ans / d x1 = 2**x1 / 2**ans``."""
    return g * np.exp2(x1 - ans), g * np.exp2(x2 - ans)


# ----- powers and roots ------------------------------------------------------------------


@adjoint(np.sqrt)
def sqrt(g, ans, x):
    return g / (2 * ans)


@adjoint(np.cbrt)
def cbrt(g, ans, x):
    """``d x**(1/3) = 1 / (3 * x**(2/3))``; infinite at 0."""
    return g / (3 * ans ** 2)


@adjoint(np.square)
def square(g, ans, x):
    return g * 2 * x


@adjoint(np.reciprocal)
def reciprocal(g, ans, x):
    """``d (1/x) = -1/x**2 = -ans**2``."""
    return -g * ans ** 2


@adjoint(np.hypot)
def hypot(g, ans, x1, x2):
    """``ans = sqrt(x1**2 + x2**2)``; the gradient is ``nan`` where both are 0."""
    return g * x1 / ans, g * x2 / ans


# ----- trigonometric functions -----------------------------------------------------------


@adjoint(np.sin)
def sin(g, ans, x):
    return g * np.cos(x)


@adjoint(np.cos)
def cos(g, ans, x):
    return -g * np.sin(x)


@adjoint(np.tan)
def tan(g, ans, x):
    """``d tan x = 1 / cos(x)**2 = 1 + tan(x)**2``."""
    return g * (1 + ans ** 2)


@adjoint(np.arcsin)
def arcsin(g, ans, x):
    return g / np.sqrt(1 - x ** 2)


@adjoint(np.arccos)
def arccos(g, ans, x):
    return -g / np.sqrt(1 - x ** 2)


@adjoint(np.arctan)
def arctan(g, ans, x):
    return g / (1 + x ** 2)


@adjoint(np.arctan2)
def arctan2(g, ans, x1, x2):
    """``ans`` is the angle of the point ``(x2, x1)``; the gradient is ``nan`` at the origin."""
    r2 = x1 ** 2 + x2 ** 2
    return g * x2 / r2, -g * x1 / r2


@adjoint(np.deg2rad, np.radians)
def deg2rad(g, ans, x):
    return g * (np.pi / 180)


@adjoint(np.rad2deg, np.degrees)
def rad2deg(g, ans, x):
    return g * (180 / np.pi)


@adjoint(np.sinc)
def sinc(g, ans, x):
    """``sinc x = sin(pi x) / (pi x)``, so ``d sinc x = (cos(pi x) - sinc x) / x``, and 0 at
    ``x = 0`` (where the numerator is 0 too, so ``x`` is replaced by 1 there). At 0 the
    derivative is written ``-pi**2 x / 3``, which is 0 there and whose own derivative is
    that of sinc's derivative (``-pi**2 / 3``), so that second derivatives are right at
    0 too."""
    return g * np.where(x == 0, x * (-np.pi ** 2 / 3),
                        (np.cos(np.pi * x) - ans) / np.where(x == 0, 1, x))


# ----- hyperbolic functions --------------------------------------------------------------


@adjoint(np.sinh)
def sinh(g, ans, x):
    return g * np.cosh(x)


@adjoint(np.cosh)
def cosh(g, ans, x):
    return g * np.sinh(x)


@adjoint(np.tanh)
def tanh(g, ans, x):
    return g * (1 - ans * ans)


@adjoint(np.arcsinh)
def arcsinh(g, ans, x):
    return g / np.sqrt(x ** 2 + 1)


@adjoint(np.arccosh)
def arccosh(g, ans, x):
    return g / np.sqrt(x ** 2 - 1)


@adjoint(np.arctanh)
def arctanh(g, ans, x):
    return g / (1 - x ** 2)


# ----- kinks: abs, maximum and minimum, clip ---------------------------------------------


@adjoint(np.absolute)  # np.abs is np.absolute
def absolute(g, ans, x):
    """``sign(x)``: the subgradient 0 at ``x = 0``. Real inputs only."""
    return g * np.sign(x)


@adjoint(np.fabs)
def fabs(g, ans, x):
    """``sign(x)``: the subgradient 0 at ``x = 0``."""
    return g * np.sign(x)


@adjoint(np.maximum)
def maximum(g, ans, x1, x2):
    """The gradient goes to the larger argument; where they are equal each gets half of it
    (as in autograd and JAX; it is what central differences measure). Where either is
    ``nan`` neither gets any."""
    tie = x1 == x2
    return np.where(tie, g / 2, g * (x1 > x2)), np.where(tie, g / 2, g * (x2 > x1))


@adjoint(np.minimum)
def minimum(g, ans, x1, x2):
    """The gradient goes to the smaller argument; where they are equal each gets half of
    it. Where either is ``nan`` neither gets any."""
    tie = x1 == x2
    return np.where(tie, g / 2, g * (x1 < x2)), np.where(tie, g / 2, g * (x2 < x1))


@adjoint(np.fmax)
def fmax(g, ans, x1, x2):
    """The gradient goes to the argument that ``ans`` is (``fmax`` ignores a ``nan``, so
    the other argument gets it); where they are equal each gets half of it."""
    tie = x1 == x2
    return np.where(tie, g / 2, g * (ans == x1)), np.where(tie, g / 2, g * (ans == x2))


@adjoint(np.fmin)
def fmin(g, ans, x1, x2):
    """The gradient goes to the argument that ``ans`` is (``fmin`` ignores a ``nan``, so
    the other argument gets it); where they are equal each gets half of it."""
    tie = x1 == x2
    return np.where(tie, g / 2, g * (ans == x1)), np.where(tie, g / 2, g * (ans == x2))


@adjoint(np.clip, broadcasts=True)
def clip(g, ans, a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    """The gradient passes to ``a`` where clipping left it unchanged, that is where
    ``a_min <= a <= a_max`` (bounds included; a bound of ``None`` never clips), and to a
    bound where it is active (``a < a_min``, ``a > a_max``). NumPy 2's keywords ``min=``
    and ``max=`` are the same bounds. Assumes ``a_min <= a_max``."""
    return g * (ans == a), g * (a < a_min), g * (a > a_max), None, g * (a < min), g * (a > max)


# ----- selection and identities ----------------------------------------------------------


@adjoint(np.where, broadcasts=True)
def where(g, ans, condition, x, y):
    """The gradient goes to ``x`` where ``condition`` holds and to ``y`` elsewhere; the
    condition has none."""
    return None, np.where(condition, g, 0), np.where(condition, 0, g)


@adjoint(np.real, Attribute("real"))
def real(g, ans, val):
    """The identity for real inputs (complex inputs are not supported)."""
    return g


@adjoint(np.conjugate)  # np.conj is np.conjugate
def conjugate(g, ans, x):
    """The identity for real inputs (complex inputs are not supported)."""
    return g


@adjoint(np.nan_to_num)
def nan_to_num(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    """The gradient passes where ``x`` is finite; the replaced ``nan`` and infinities
    are constants."""
    return g * np.isfinite(x)


@adjoint(runtime.sigmoid, broadcasts=True)
def sigmoid_(g, ans, x):
    """The sigmoid gate reuses its output: ``s * (1 - s)``."""
    return g * ans * (1 - ans)


# ----- forward mode: the ufuncs' tangents come from their (elementwise) adjoint rules ----

elementwise(np.sinc)
linear(np.real, Attribute("real"))


@tangent(np.nan_to_num)
def nan_to_num_tangent(g, ans, x, copy=True, nan=0.0, posinf=None, neginf=None):
    """The tangent passes where ``x`` is finite and is 0 where a constant replaced ``x``
    (as for the gradient). A ``where`` rather than the adjoint rule's product: the
    tangent of a non-finite element may itself be infinite (``np.log(0)``), and ``inf *
    0`` would make it NaN."""
    return np.where(np.isfinite(x), g, 0)
