"""Functions that steer gradients, for use inside differentiated code.

Each is the identity when the code runs forward; its rule (``rules/gradient_control.py``)
says what happens to the adjoint flowing back through it, and the generated code shows
it where it happens.

>>> import numpy as np
>>> stop_gradient(np.ones(2))
array([1., 1.])
"""

from __future__ import annotations

from typing import Any, Callable

from .signatures import Value


def stop_gradient(x: Value) -> Value:
    """``x`` itself, through which no gradient flows back: a constant for the
    derivative (a target, a running statistic, the other half of a straight-through
    estimator)."""
    return x


def gradient_hook(x: Value, hook: Callable[[Any], Any]) -> Value:
    """``x`` itself; on the way back ``x``'s adjoint is ``hook(g)`` for the adjoint ``g``
    of the result: look at it, clip it, stop in a debugger. The generated code reads
    ``dx = hook(dy)``.

    >>> import numpy as np
    >>> gradient_hook(3.0, np.sign)
    3.0
    """
    return x


def print_gradient(x: Value, label: str = "gradient") -> Value:
    """``x`` itself; on the way back prints ``label`` and the adjoint flowing through."""
    return x
