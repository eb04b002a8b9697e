"""The generated source of the examples, compared with reviewed snapshots in
tests/snapshots/, so that every change to the generated code shows in a diff.

After an intended change, regenerate with:
UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py
"""

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


lecture = load_example("cs231n_lecture4")
digits = load_example("train_digits")
rnn_digits = load_example("rnn_digits")
projectile = load_example("projectile")
bench = load_file(HERE.parent / "benchmarks" / "bench_core.py")
dict_params = load_example("dict_params_digits")
newton = load_example("newton_logistic")


def _after_call(transform, *args):
    """The transform after one call (code for dicts of arrays is made per structure)."""
    transform(*args)
    return transform


_PARAMS = dict_params.init_params(np.random.default_rng(0), hidden=4, inputs=3, classes=2)
_DATA = (np.ones((2, 3)), np.array([0, 1]), 1e-4)

CASES = {
    "cs231n_add_multiply": lambda: grad(lecture.add_multiply, wrt=(0, 1, 2)),
    "cs231n_sigmoid_neuron": lambda: grad(lecture.sigmoid_neuron, wrt=(0, 1, 2, 3, 4)),
    "cs231n_max_gate": lambda: grad(lecture.max_gate, wrt=(0, 1, 2, 3)),
    "cs231n_squared_norm": lambda: grad(lecture.squared_norm, wrt=(0, 1)),
    "digits_loss": lambda: value_and_grad(digits.loss, wrt=(0, 1, 2, 3)),
    "mlp_loss": lambda: grad(bench.mlp_loss, wrt=(0, 1, 2, 3)),
    "logistic_loss": lambda: grad(bench.logistic_loss, wrt=(0, 1)),
    "corpus_augmented": lambda: grad(corpus.augmented, wrt=(0, 1)),
    "corpus_index_2d": lambda: grad(corpus.index_2d),
    "corpus_uneven_split": lambda: grad(corpus.uneven_split),
    "rnn_digits_loss": lambda: value_and_grad(rnn_digits.loss, wrt=(0, 1, 2, 3, 4)),
    "projectile_loss": lambda: grad(projectile.loss, wrt=(0, 1)),
    "control_scalar_loop": lambda: grad(corpus_control.scalar_loop_with_branch),
    "control_logsumexp_loop": lambda: grad(corpus_control.logsumexp_loop),
    "control_early_return": lambda: grad(corpus_control.early_return_in_loop),
    "control_write_a_column": lambda: grad(corpus_control.write_a_column, wrt=(0, 1)),
    "control_list_accumulator": lambda: grad(corpus_control.list_accumulator_stack, wrt=(0, 1)),
    "dict_params_loss": lambda: _after_call(value_and_grad(dict_params.loss), _PARAMS, *_DATA),
    "jvp_scalar_loop": lambda: jvp(corpus_control.scalar_loop_with_branch, wrt=0),
    "jvp_rnn_digits_loss": lambda: jvp(rnn_digits.loss, wrt=(0, 1)),
    "vjp_logsumexp_loop": lambda: vjp(corpus_control.logsumexp_loop),
    "hessian_newton_loss": lambda: hessian(newton.loss),
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
