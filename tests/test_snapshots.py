"""The generated source of the examples, compared with reviewed snapshots in
tests/snapshots/, so that every change to the generated code shows in a diff.

After an intended change, regenerate with:
UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py
"""

import functools
import os
import pathlib

import pytest

import corpus
import corpus_control
import numpy as np

from autodiff_ast import grad, hessian, jvp, value_and_grad, vjp
from sweep import load_example, load_file

HERE = pathlib.Path(__file__).parent
SNAPSHOTS = HERE / "snapshots"


NEEDS = {"train_digits": "sklearn", "rnn_digits": "sklearn", "dict_params_digits": "sklearn",
         "newton_logistic": "sklearn"}


@functools.cache
def example(name):
    """The module ``examples/<name>.py``, imported on first use: an example whose
    optional dependency (scikit-learn) is missing skips only the snapshots that need it."""
    if name in NEEDS:
        pytest.importorskip(NEEDS[name])
    return load_example(name)


def lecture():
    return example("cs231n_lecture4")


@functools.cache
def bench():
    return load_file(HERE.parent / "benchmarks" / "bench_core.py")


def _after_call(transform, *args):
    """The transform after one call (code for dicts of arrays is made per structure)."""
    transform(*args)
    return transform


def _dict_params_loss():
    module = example("dict_params_digits")
    params = module.init_params(np.random.default_rng(0), hidden=4, inputs=3, classes=2)
    data = (np.ones((2, 3)), np.array([0, 1]), 1e-4)
    return _after_call(value_and_grad(module.loss), params, *data)


CASES = {
    "cs231n_add_multiply": lambda: grad(lecture().add_multiply, wrt=(0, 1, 2)),
    "cs231n_sigmoid_neuron": lambda: grad(lecture().sigmoid_neuron, wrt=(0, 1, 2, 3, 4)),
    "cs231n_max_gate": lambda: grad(lecture().max_gate, wrt=(0, 1, 2, 3)),
    "cs231n_squared_norm": lambda: grad(lecture().squared_norm, wrt=(0, 1)),
    "digits_loss": lambda: value_and_grad(example("train_digits").loss, wrt=(0, 1, 2, 3)),
    "mlp_loss": lambda: grad(bench().mlp_loss, wrt=(0, 1, 2, 3)),
    "logistic_loss": lambda: grad(bench().logistic_loss, wrt=(0, 1)),
    "corpus_augmented": lambda: grad(corpus.augmented, wrt=(0, 1)),
    "corpus_index_2d": lambda: grad(corpus.index_2d),
    "corpus_uneven_split": lambda: grad(corpus.uneven_split),
    "rnn_digits_loss": lambda: value_and_grad(example("rnn_digits").loss, wrt=(0, 1, 2, 3, 4)),
    "projectile_loss": lambda: grad(example("projectile").loss, wrt=(0, 1)),
    "control_scalar_loop": lambda: grad(corpus_control.scalar_loop_with_branch),
    "control_logsumexp_loop": lambda: grad(corpus_control.logsumexp_loop),
    "control_early_return": lambda: grad(corpus_control.early_return_in_loop),
    "control_write_a_column": lambda: grad(corpus_control.write_a_column, wrt=(0, 1)),
    "control_list_accumulator": lambda: grad(corpus_control.list_accumulator_stack, wrt=(0, 1)),
    "dict_params_loss": _dict_params_loss,
    "jvp_scalar_loop": lambda: jvp(corpus_control.scalar_loop_with_branch, wrt=0),
    "jvp_rnn_digits_loss": lambda: jvp(example("rnn_digits").loss, wrt=(0, 1)),
    "vjp_logsumexp_loop": lambda: vjp(corpus_control.logsumexp_loop),
    "hessian_newton_loss": lambda: hessian(example("newton_logistic").loss),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_generated_source_matches_snapshot(name):
    source = CASES[name]().source
    path = SNAPSHOTS / f"{name}.py"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(source)
    assert path.exists(), f"no snapshot {path}; run with UPDATE_SNAPSHOTS=1 to create it"
    assert source == path.read_text(), (
        f"generated source of {name} changed; review the diff and, if intended, run "
        f"UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py")


def test_every_snapshot_file_has_a_case():
    stale = {p.stem for p in SNAPSHOTS.glob("*.py")} - set(CASES)
    assert not stale, f"snapshot files without a case: {sorted(stale)}"
