"""Functions whose gradient is zero wherever it exists: shape queries, comparisons,
rounding, integer-valued selections, constructors of constant arrays. Their results are
never active, so nothing flows back through them and no error is raised.

Each is either independent of the values of its float arguments (shapes, types,
``np.zeros_like``) or piecewise constant in them (comparisons, rounding, ``argmax``);
``tests/test_rules_zero_gradient.py`` checks this for every entry. Constructors whose
values do depend on a float argument (``np.linspace``, ``np.arange``) have rules in
``constructors``.
"""

import builtins

import numpy as np

from .registry import nondifferentiable

nondifferentiable(
    # shape and type queries
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isscalar, builtins.len,
    builtins.isinstance, builtins.type, builtins.range, builtins.int, builtins.bool,
    builtins.round,
    # integer-valued and boolean functions of arrays
    np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero, np.flatnonzero, np.sign,
    np.floor, np.ceil, np.round, np.rint, np.trunc, np.isnan, np.isinf, np.isfinite,
    np.signbit, np.searchsorted, np.digitize, np.count_nonzero, np.floor_divide,
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.all, np.any,
    np.allclose, np.isclose, np.array_equal,
    # constructors of constant arrays
    np.zeros, np.ones, np.empty, np.zeros_like, np.ones_like, np.empty_like, np.eye, np.identity,
    np.tri,
)

# np.fix is deprecated in newer NumPy releases (and may go): registered while it exists.
if hasattr(np, "fix"):
    nondifferentiable(np.fix)
