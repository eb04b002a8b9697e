"""Exported modules run where autodiff_ast is not installed: in a Python started isolated
(``-I -S``) whose path holds only NumPy and the user's modules, and in a fresh virtual
environment with NumPy alone. Each gives what the transform gives in-process.

All exports are run by one subprocess per environment: a runner script imports each
exported module, calls its function on pickled arguments and pickles the results back.
"""

import importlib
import os
import pathlib
import pickle
import shutil
import subprocess
import sys
import venv

import numpy as np
import pytest

from autodiff_ast import (export, grad, hessian, hvp, jacobian, jvp, value_and_grad,
                          vjp)

HERE = pathlib.Path(__file__).parent

USER = '''\
import numpy as np

W = np.array([[0.5, -1.0, 0.3], [0.2, 0.1, -0.4]])
SCALE = 0.7


def layer_loss(x, b):
    h = np.tanh(W @ x + b) * SCALE
    return np.log(np.sum(np.exp(h))) + np.sum(x ** 2)


def recurrent(h, xs, U):
    for t in range(xs.shape[0]):
        h = np.tanh(U @ h + xs[t])
    return np.sum(h ** 2)


def layer(x, b):
    return np.tanh(W @ x + b)


def dict_loss(params, x):
    return np.sum(np.tanh(params["w"] @ x + params["b"][0]) ** 2)


def scattered(x, index):
    y = np.zeros(4)
    y[index] = x * x
    return np.sum(np.sin(y) * np.arange(4.0))
'''

STEERED = '''\
import numpy as np

import autodiff_ast as ad
from autodiff_ast import gradients


def steered(x):
    return np.sum(ad.stop_gradient(x) * x + gradients.print_gradient(x, "dx") ** 2)
'''

RUNNER = '''\
import importlib
import importlib.util
import pickle
import sys

folder = sys.argv[1]
sys.path[:0] = [p for p in sys.argv[1:] if p]
if importlib.util.find_spec("autodiff_ast") is not None:
    sys.exit("autodiff_ast is importable here: not a test of a standalone module")
with open(folder + "/cases.pkl", "rb") as file:
    cases = pickle.load(file)
results = {}
for kind, module, name, args, kwargs, cotangent in cases:
    out = getattr(importlib.import_module(module), name)(*args, **kwargs)
    if cotangent is not None:
        value, pullback = out
        out = (value, pullback(cotangent))
    results[kind] = out
if "autodiff_ast" in sys.modules:
    sys.exit("an exported module imported autodiff_ast")
with open(folder + "/results.pkl", "wb") as file:
    pickle.dump(results, file)
'''

X = np.array([0.3, -0.2, 0.5])
B = np.array([0.1, -0.3])
TANGENTS = (np.ones(3), np.full(2, 0.5))


def _cases(user, steered):
    """``(kind, transform, args, kwargs, cotangent, expected)``: what to export, how to
    call the exported function, and what the transform gives in-process."""
    recurrent_args = (np.zeros(3), np.full((4, 3), 0.1), 0.5 * np.eye(3))
    params = {"w": user.W.copy(), "b": [B.copy()]}
    cotangent = np.array([1.0, -2.0])
    value, pullback = vjp(user.layer)(X, B)
    hvp_value = hvp(user.layer_loss)((X, B), TANGENTS[:1])
    dict_grad = grad(user.dict_loss)
    expected_dict = dict_grad(params, X)
    index = np.array([0, 2])
    return [
        ("grad", grad(user.layer_loss, wrt=(0, 1)), (X, B), {}, None,
         grad(user.layer_loss, wrt=(0, 1))(X, B)),
        ("value_and_grad", value_and_grad(user.layer_loss), (X, B), {}, None,
         value_and_grad(user.layer_loss)(X, B)),
        ("loop", grad(user.recurrent, wrt=(0, 2)), recurrent_args, {}, None,
         grad(user.recurrent, wrt=(0, 2))(*recurrent_args)),
        ("jvp", jvp(user.layer_loss), (X, B), {"x_dot": TANGENTS[0], "b_dot": TANGENTS[1]},
         None, jvp(user.layer_loss)((X, B), TANGENTS)),
        ("vjp", vjp(user.layer), (X, B), {}, cotangent, (value, pullback(cotangent))),
        ("hvp", hvp(user.layer_loss), (X, B), {"x_dot": TANGENTS[0]}, None,
         (grad(user.layer_loss)(X, B), hvp_value)),
        ("jacobian", jacobian(user.layer), (X, B), {}, None, jacobian(user.layer)(X, B)),
        ("hessian", hessian(user.layer_loss), (X, B), {}, None,
         hessian(user.layer_loss)(X, B)),
        ("dict", dict_grad, (params, X), {}, None, expected_dict),
        ("scatter_hessian", hessian(user.scattered), (X[:2], index), {}, None,
         hessian(user.scattered)(X[:2], index)),
        ("steered", grad(steered.steered), (X,), {}, None, grad(steered.steered)(X)),
    ]


def _function_name(text):
    """The name of the exported function to call: the last generated one defined before
    the copied helpers (a Jacobian's column loop comes after its tangent code)."""
    code = text.split("\n# ----- helpers copied from")[0]
    return [line[4:line.index("(")] for line in code.splitlines()
            if line.startswith("def ")][-1]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A folder with the user's module, the exported modules (the transforms above and
    the gradient of every corpus function), the corpus modules they import from, the
    pickled calls; and what each call gives in-process."""
    folder = tmp_path_factory.mktemp("standalone")
    (folder / "standalone_user.py").write_text(USER)
    (folder / "standalone_steered.py").write_text(STEERED)
    for name in ("corpus.py", "corpus_control.py"):
        shutil.copy(HERE / name, folder / name)
    sys.path.insert(0, str(folder))
    try:
        user = importlib.import_module("standalone_user")
        steered = importlib.import_module("standalone_steered")
        calls, expected = [], {}
        for kind, transform, args, kwargs, cotangent, want in _cases(user, steered):
            text = export(transform)
            (folder / f"exported_{kind}.py").write_text(text)
            calls.append((kind, f"exported_{kind}", _function_name(text), args, kwargs,
                          cotangent))
            expected[kind] = want
        corpus = importlib.import_module("corpus")
        control = importlib.import_module("corpus_control")
        for i, (f, args, wrt) in enumerate(corpus.CORPUS + control.CORPUS):
            transform = grad(f, wrt=wrt)
            transform(*args)  # the code for these arguments' structures
            text = export(transform)
            kind = f"corpus_{i}_{f.__name__}"
            (folder / f"{kind}.py").write_text(text)
            generated = transform.generated_function
            calls.append((kind, kind, generated.__name__, args, {}, None))
            expected[kind] = generated(*args)
    finally:
        sys.path.remove(str(folder))
        for name in ("standalone_user", "standalone_steered", "corpus", "corpus_control"):
            sys.modules.pop(name, None)
    with open(folder / "cases.pkl", "wb") as file:
        pickle.dump(calls, file)
    (folder / "runner.py").write_text(RUNNER)
    return folder, expected


def _run(python, folder, *path, flags=()):
    """Run the runner with ``python`` (and ``flags``) and an environment naming no
    Python path; the results it pickled."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run([python, *flags, str(folder / "runner.py"), str(folder), *path],
                          capture_output=True, text=True, env=env, cwd=folder, timeout=300)
    assert done.returncode == 0, done.stderr
    with open(folder / "results.pkl", "rb") as file:
        return pickle.load(file)


def _same(got, want):
    if isinstance(want, (tuple, list)):
        assert type(got) is type(want) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w)
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want)
        for key in want:
            _same(got[key], want[key])
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def _check(results, expected):
    assert set(results) == set(expected)
    for kind, want in expected.items():
        try:
            _same(results[kind], want)
        except AssertionError as error:
            raise AssertionError(f"{kind}: {error}") from None


def test_exported_modules_run_isolated_with_numpy_alone(exported, tmp_path):
    folder, expected = exported
    numpy_only = tmp_path / "numpy_only"  # a path entry holding NumPy and nothing else
    numpy_only.mkdir()
    site = pathlib.Path(np.__file__).parent.parent
    for name in ("numpy", "numpy.libs"):
        if (site / name).exists():
            (numpy_only / name).symlink_to(site / name)
    results = _run(sys.executable, folder, str(numpy_only), flags=("-I", "-S"))
    _check(results, expected)


@pytest.fixture(scope="session")
def numpy_venv(tmp_path_factory):
    """The Python of a fresh virtual environment holding NumPy alone (about 20 s, once);
    skipped when pip cannot install NumPy."""
    root = tmp_path_factory.mktemp("numpy_venv")
    venv.create(root, with_pip=True, clear=True)
    python = str(root / ("Scripts" if os.name == "nt" else "bin") / "python")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run([python, "-m", "pip", "install", "-q", "numpy"],
                          capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0:
        pytest.skip(f"pip could not install NumPy into a fresh virtual environment "
                    f"(no network?): {done.stderr.strip()[-300:]}")
    return python


def test_exported_modules_run_in_a_fresh_venv_with_numpy_alone(exported, numpy_venv):
    folder, expected = exported
    results = _run(numpy_venv, folder, flags=("-I",))
    _check(results, expected)
