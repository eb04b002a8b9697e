"""The backprop circuits of the CS231n Lecture 4 notes, with the values the notes give,
as differentiated from examples/cs231n_lecture4.py."""

import numpy as np
import pytest

from autodiff_ast import grad
from autodiff_ast.testing import check_grads
from sweep import load_example

lecture = load_example("cs231n_lecture4")


def test_add_multiply_circuit():
    assert grad(lecture.add_multiply, wrt=(0, 1, 2))(-2.0, 5.0, -4.0) == (-4.0, -4.0, 3.0)


def test_sigmoid_neuron():
    grads = grad(lecture.sigmoid_neuron, wrt=(0, 1, 2, 3, 4))(2.0, -3.0, -3.0, -1.0, -2.0)
    np.testing.assert_allclose(grads, [-0.20, -0.39, 0.20, 0.39, -0.59], atol=0.005)


def test_max_gate_routes_the_gradient():
    assert grad(lecture.max_gate, wrt=(0, 1, 2, 3))(3.0, -4.0, 2.0, -1.0) == (-8.0, 6.0, 2.0, 0.0)


def test_squared_norm_of_a_matrix_vector_product():
    W = np.array([[0.1, 0.5], [-0.3, 0.8]])
    x = np.array([0.2, 0.4])
    dW, dx = grad(lecture.squared_norm, wrt=(0, 1))(W, x)
    np.testing.assert_allclose(dW, [[0.088, 0.176], [0.104, 0.208]], atol=1e-12)
    np.testing.assert_allclose(dx, [-0.112, 0.636], atol=1e-12)


@pytest.mark.parametrize("function, args, wrt", lecture.CIRCUITS,
                         ids=[c[0].__name__ for c in lecture.CIRCUITS])
def test_circuits_match_finite_differences(function, args, wrt):
    check_grads(function, *args, wrt=wrt)


def test_the_add_gate_code_is_the_hand_written_backward_pass():
    source = grad(lecture.add_multiply, wrt=(0, 1, 2)).source
    assert "dq = dout * z\n    dz = dout * q\n    # q = x + y\n    dx = dq\n    dy = dq\n" in source


def test_example_script_prints_code_and_values(capsys):
    lecture.main()
    printed = capsys.readouterr().out
    assert "def grad_sigmoid_neuron(" in printed
    assert "dx1 = -0.59" in printed and "dw = 0.0" in printed
