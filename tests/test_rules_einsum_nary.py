"""Sweeps of ``np.einsum`` with four to eight operands (the rule in
``autodiff_ast/rules/linalg.py``; one to three are swept in ``test_rules_linalg.py``);
``test_second_order.py`` runs these cases in forward-over-reverse and reverse-over-reverse
mode too."""

import numpy as np
import pytest

from autodiff_ast import grad
from autodiff_ast.errors import AutodiffError
from autodiff_ast.testing import check_grads
from sweep import case, function_from_source, sweep_tests, values

A, B, C, D = (values((2, 3), seed=1), values((3, 4), seed=2), values((4, 2), seed=3),
              values((2, 3), seed=4))

CASES = [
    case(np.einsum, "np.einsum('ij,jk,kl,lm->im', a, b, c, d)", a=A, b=B, c=C, d=D),
    case(np.einsum, "np.einsum('ij,jk,kl,lm', a, b, c, d)", a=A, b=B, c=C, d=D),
    case(np.einsum, "np.einsum('ij,jk,kl,lm->', a, b, c, d)", a=A, b=B, c=C, d=D,
         wrt=("b", "d")),
    case(np.einsum, "np.einsum('i,i,i,i,i->i', a, b, c, a, b)", a=values((3,), seed=1),
         b=values((3,), seed=2), c=values((3,), seed=3)),
    case(np.einsum, "np.einsum('...i,i,i,i,i,ij->...j', a, b, c, b, c, d)",
         a=values((2, 3), seed=1), b=values((3,), seed=2), c=values((3,), seed=3),
         d=values((3, 2), seed=4)),
    case(np.einsum, "np.einsum('i,j,k,l,m,n,o,p->', a, a, a, a, b, b, b, b)",
         a=values((2,), seed=1), b=values((2,), seed=2)),
]

test_gradient, test_float32, test_tangent = sweep_tests(CASES)


def test_einsum_of_nine_operands_is_reported():
    f = function_from_source(
        "f", "def f(a):\n    return np.einsum('i,i,i,i,i,i,i,i,i->', a, a, a, a, a, a, a, a, a)\n",
        {})
    with pytest.raises(AutodiffError, match="no more parameters"):
        grad(f)(values((2,)))


def test_einsum_of_four_operands_known_value():
    f = function_from_source(
        "f", "def f(a, b, c, d):\n    return np.einsum('i,i,i,i->', a, b, c, d)\n", {})
    ones = np.ones(2)
    check_grads(f, np.array([1.0, 2.0]), ones, ones, ones, wrt=(0, 1))
    gradients = grad(f, wrt=(0, 1))(np.array([1.0, 2.0]), ones, ones, ones)
    np.testing.assert_allclose(gradients[0], [1.0, 1.0])
    np.testing.assert_allclose(gradients[1], [1.0, 2.0])
