"""The public API used as a typed user's code would use it; mypy checks this file in CI
(see ``[tool.mypy]`` in pyproject.toml), and ``tests/test_typing.py`` runs it, so the
types it states are also the types that come back."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autodiff_ast
from autodiff_ast import (GradientFunction, HessianFunction, HVPFunction, JacobianFunction,
                          JVPFunction, VJPFunction, adjoint, export, grad, hessian, hvp,
                          jacobian, jvp, nondifferentiable, stop_gradient, tangent,
                          value_and_grad, vjp)
from autodiff_ast.testing import check_grads, numerical_grad
from autodiff_ast.transforms import Pullback


def loss(w, x):  # numeric code as users write it; annotations are not needed
    return np.sum(np.tanh(w * x) ** 2)


def cube(x: Any) -> Any:
    return x ** 3


def parity(n: int) -> int:
    return n % 2


def main() -> dict[str, object]:
    """Every transform built and called once; what each returned, by name."""
    w, x = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    gradient: GradientFunction = grad(loss)
    decorate: Callable[[Callable[..., Any]], GradientFunction] = grad(wrt=(0, 1))
    both: GradientFunction = decorate(loss)
    valued: GradientFunction = value_and_grad(loss, wrt="w")
    tangent_code: JVPFunction = jvp(loss, wrt=0)
    value, tangent_value = jvp(loss, (w, x), (np.ones(2),), wrt=0)
    reverse: VJPFunction = vjp(loss)
    primal, pullback = vjp(loss, w, x)
    pulled: Pullback = pullback
    matrix: JacobianFunction = jacobian(np.tanh, mode="reverse")
    curvature: HessianFunction = hessian(loss)
    products: HVPFunction = hvp(loss)

    @adjoint(cube)
    def cube_adjoint(g: Any, ans: Any, x: Any) -> Any:
        return g * 3 * x ** 2

    @tangent(cube)
    def cube_tangent(g: Any, ans: Any, x: Any) -> Any:
        return g * 3 * x ** 2

    nondifferentiable(parity)
    stopped: np.ndarray = stop_gradient(w)
    text: str = gradient.source + export(gradient)
    checked = check_grads(loss, w, x)
    numerical: np.ndarray = numerical_grad(loss, [w, x], 0)
    try:
        grad(loss, wrt="nothing")
    except autodiff_ast.WrtError as error:
        message: str = str(error)
    return {"gradient": gradient(w, x), "both": both(w, x), "valued": valued(w, x),
            "tangent_code": tangent_code((w, x), (np.ones(2),)), "jvp": (value, tangent_value),
            "vjp": reverse(w, x), "primal": primal, "pulled": pulled(1.0),
            "jacobian": matrix(w), "hessian": curvature(w, x), "hvp": products((w, x), (w,)),
            "cube": (cube_adjoint, cube_tangent), "text": text, "checked": checked,
            "numerical": numerical, "message": message,
            "stopped": stopped}
