"""The composition examples run and do what they say: a network with its parameters in
a dict and its model split into functions, and a custom rule for a stable softplus."""

import itertools
import re

import numpy as np

from autodiff_ast.rules import registry
from sweep import load_example



def test_dict_params_network_gradient_is_a_dict_and_it_trains(capsys):
    example = load_example("dict_params_digits")
    result = example.main(epochs=3, seed=0)
    printed = capsys.readouterr().out

    # the gradient has the structure of the parameters
    grads, shapes = result["grads"], result["shapes"]
    assert isinstance(grads, dict)
    assert list(grads) == list(shapes) == ["W1", "b1", "W2", "b2"]
    for key, g in grads.items():
        assert g.shape == shapes[key]
        assert np.all(np.isfinite(g)) and np.linalg.norm(g) > 0
    assert result["finite_difference_error"] < 1e-5

    # the calls into dense, hidden_layer, log_softmax and weight_decay are inlined
    source = result["source"]
    assert "def grad_loss(params, X, y, reg, dout=1.0):" in printed
    assert "params_W1 = params['W1']" in source
    assert "return (out, {'W1': dparams_W1, 'b1': dparams_b1, 'W2': dparams_W2, " \
           "'b2': dparams_b2})" in source
    code = [line for line in source.splitlines() if not line.strip().startswith("#")]
    for callee in ("dense(", "hidden_layer(", "log_softmax(", "weight_decay("):
        assert not any(callee in line for line in code), callee
    assert "# return x @ W + b" in source   # a callee's line heads its adjoint statements

    losses = result["losses"]
    assert len(losses) == 4
    assert losses[0] > 2.0                 # about log(10) before training
    assert all(b < a for a, b in itertools.pairwise(losses))
    assert losses[-1] < 0.3
    assert result["accuracy"] > 0.93
    assert "final test accuracy on 397 held-out digits" in printed


def test_custom_softplus_rule_is_stable_inlined_and_matches_finite_differences(capsys):
    example = load_example("custom_rule")   # registers its rules for its softplus on import
    try:
        result = example.main()
    finally:
        # leave the global tables as they were (test_rule_coverage checks every rule)
        registry.unregister(example.softplus)
        registry.unregister_tangent(example.softplus)
    printed = capsys.readouterr().out
    x = result["x"]
    assert x[5] == 1000.0 and x[2] == 0.0

    # the naive log(1 + exp(x)) differentiated from its source gives nan at x = 1000
    assert not np.isfinite(result["naive_grad"][5])
    assert "overflow encountered in exp" in result["naive_warnings"]
    assert not np.all(np.isfinite(result["naive_loss_grad"]))

    # with the rule: finite, the sigmoid, 1 at large x and 1/2 at 0
    g = result["grad"]
    assert np.all(np.isfinite(g))
    assert g[5] == 1.0
    assert g[2] == 0.5
    assert g[0] == 0.0
    np.testing.assert_allclose(g, np.exp(-np.logaddexp(0.0, -x)), rtol=1e-12)  # sigmoid

    # the call stays a call in the forward sweep; the rule's expression is inlined
    assert "_t1 = softplus(x)" in result["grad_source"]
    assert "dx = np.full(np.shape(_t1), dout) * np.exp(x - _t1)" in result["grad_source"]
    loss_source = result["loss_source"]
    assert "def grad_logistic_loss(w, X, y, dout=1.0):" in printed
    assert re.search(r"softplus\(z\)", loss_source)
    assert re.search(r"\* np\.exp\(z - (\w+)\)", loss_source)
    assert "np.maximum" not in loss_source and "log1p" not in loss_source

    # the loss gradient at logits in the thousands matches finite differences
    assert np.all(np.isfinite(result["loss_grad"]))
    np.testing.assert_allclose(result["loss_grad"], result["loss_grad_numeric"], rtol=1e-6)
    assert result["finite_difference_error"] < 1e-6

    # forward mode uses the tangent rule, and its tangent matches finite differences
    assert "z_dot * np.exp(z - " in result["jvp_source"]
    assert result["jvp_value"] == result["loss_value"]
    np.testing.assert_allclose(result["jvp_tangent"], result["jvp_numeric"], rtol=1e-6)
    np.testing.assert_allclose(result["jvp_tangent"], result["grad_dot_v"], rtol=1e-10)
