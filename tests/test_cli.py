"""The command line, run as users run it (``python -m autodiff_ast ...`` in a subprocess)
on small files: the code it prints is the transform's code, exports import and compute
what the transform computes, errors name the user's file and line on stderr with a
non-zero exit status, and each command has its help."""

import pathlib
import subprocess
import sys
from xml.etree import ElementTree

import numpy as np
import pytest

import autodiff_ast
from autodiff_ast import grad, hessian, hvp, jvp, value_and_grad, vjp
from sweep import load_file

ROOT = pathlib.Path(autodiff_ast.__file__).resolve().parent.parent

TINY = '''\
import numpy as np


def f(x, y, z):
    q = x + y
    return q * z


def loss(params, X):
    return np.sum(np.tanh(X @ params["W"] + params["b"]) ** 2)


def vector(x):
    return x * 2.0


def mismatched(x):
    return np.sum(x @ np.ones(5))


def unsupported(x):
    try:
        y = x * 2.0
    except ValueError:
        y = x
    return y


def no_rule(x):
    return np.sum(np.frexp(x)[0] * x)
'''
TINY_LINES = TINY.splitlines()


def line_of(text):
    """The line number of ``text`` in ``TINY``."""
    return next(i for i, line in enumerate(TINY_LINES, 1) if text in line)


def run(*arguments, cwd, script=None):
    """``python -m autodiff_ast *arguments`` (or ``python -c script *arguments``) in
    ``cwd``, with this checkout's autodiff_ast importable."""
    command = [sys.executable, "-c", script] if script else [sys.executable, "-m",
                                                            "autodiff_ast"]
    return subprocess.run(command + list(arguments), capture_output=True, text=True, cwd=cwd,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                          timeout=120)


@pytest.fixture
def tiny(tmp_path):
    """The folder holding ``tiny.py`` and the module imported from it."""
    (tmp_path / "tiny.py").write_text(TINY)
    return tmp_path, load_file(tmp_path / "tiny.py")


def test_show_prints_the_generated_gradient(tiny):
    folder, module = tiny
    done = run("show", "tiny.py:f", "--wrt", "0,1,2", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout == grad(module.f, wrt=(0, 1, 2)).source
    lines = done.stdout.splitlines()
    assert lines[0] == "def grad_f(x, y, z, dout=1.0):"
    for line in ("    q = x + y", "    # return q * z", "    dq = dout * z", "    dz = dout * q",
                 "    # q = x + y", "    dx = dq", "    dy = dq", "    return (dx, dy, dz)"):
        assert line in lines
    assert done.stderr == ""


def test_wrt_takes_names_and_a_single_one_gives_a_single_gradient(tiny):
    folder, module = tiny
    done = run("show", "tiny.py:f", "--wrt", "z", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout == grad(module.f, wrt="z").source
    assert done.stdout.splitlines()[-1] == "    return dz"


@pytest.mark.parametrize("mode", ["value_and_grad", "jvp", "vjp", "hvp", "jacobian",
                                  "hessian"])
def test_each_mode_prints_its_transforms_code(tiny, mode):
    folder, module = tiny
    done = run("show", "tiny.py:f", "--mode", mode, "--args", "(1.0, 2.0, 3.0)", cwd=folder)
    assert done.returncode == 0, done.stderr
    transform = {"value_and_grad": value_and_grad, "jvp": jvp, "vjp": vjp, "hvp": hvp,
                 "jacobian": jvp, "hessian": hessian}[mode](module.f)
    if mode == "jacobian":  # its columns run the forward-mode code of wrt's parameters
        transform = jvp(module.f, wrt=(0,))
    if mode in ("jacobian", "hessian"):  # the code its columns run, then the column loop
        code, columns = done.stdout.split("\n\n# The columns, each a run of the code above "
                                          "(tangent_code):\n")
        assert code == transform.source
        assert columns.startswith(f"def {mode}_f(x, y, z):\n")
        assert "tangent_code(x, y, z, x_dot=np.reshape(basis, np.shape(x)))" in columns
    else:
        assert done.stdout == transform.source


def test_args_give_the_code_for_a_dict_parameter(tiny):
    folder, module = tiny
    args = '({"W": np.ones((3, 2)), "b": np.zeros(2)}, np.ones((4, 3)))'
    done = run("show", "tiny.py:loss", "--args", args, cwd=folder)
    assert done.returncode == 0, done.stderr
    transform = grad(module.loss)
    transform({"W": np.ones((3, 2)), "b": np.zeros(2)}, np.ones((4, 3)))
    assert done.stdout == transform.source
    assert "    params_W = params['W']\n" in done.stdout
    assert done.stdout.endswith("    return {'W': dparams_W, 'b': dparams_b}\n")
    without = run("show", "tiny.py:loss", cwd=folder)  # params taken for an array
    assert without.returncode == 0 and without.stdout != done.stdout


def test_args_see_the_files_globals_and_a_single_value_is_one_argument(tiny):
    folder, module = tiny
    (folder / "tiny.py").write_text(TINY + "\nX0 = np.arange(3.0)\n")
    done = run("show", "tiny.py:vector", "--mode", "vjp", "--args", "X0", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert done.stdout == vjp(module.vector).source
    done = run("show", "tiny.py:vector", "--mode", "vjp", "--args", "(X0, X0)", cwd=folder)
    assert done.returncode == 1
    assert "TypeError: vjp_vector() takes 1 positional argument but 2 were given" \
        in done.stderr


def test_a_static_method_is_named_through_its_class(tmp_path):
    (tmp_path / "model.py").write_text(
        "import numpy as np\n\n\nclass Model:\n    @staticmethod\n    def loss(w, x):\n"
        "        return np.sum((w * x) ** 2)\n")
    done = run("show", "model.py:Model.loss", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == grad(load_file(tmp_path / "model.py").Model.loss).source
    assert done.stdout.startswith("def grad_loss(w, x, dout=1.0):\n")


def test_export_writes_a_module_that_computes_the_gradient(tiny):
    folder, module = tiny
    done = run("export", "tiny.py:f", "--wrt", "0,2", "--mode", "value_and_grad",
               "-o", "out.py", cwd=folder)
    assert done.returncode == 0, done.stderr
    text = (folder / "out.py").read_text()
    assert text.startswith("# Generated by autodiff_ast")
    assert "# Generated for: f(x, y, z); wrt: x, z; mode: value_and_grad.\n" in text
    exported = load_file(folder / "out.py")
    want = value_and_grad(module.f, wrt=(0, 2))(-2.0, 5.0, -4.0)
    got = exported.grad_f(-2.0, 5.0, -4.0)
    assert got == want == (-12.0, (-4.0, 3.0))
    printed = run("export", "tiny.py:f", "--wrt", "0,2", "--mode", "value_and_grad",
                  cwd=folder)
    assert printed.returncode == 0 and printed.stdout == text


def test_export_with_args_is_specialised_to_the_structures(tiny):
    folder, module = tiny
    args = '({"W": np.ones((3, 2)), "b": np.zeros(2)}, np.ones((4, 3)))'
    done = run("export", "tiny.py:loss", "--args", args, "-o", "out.py", cwd=folder)
    assert done.returncode == 0, done.stderr
    text = (folder / "out.py").read_text()
    assert "# Specialised for params = {'W': array, 'b': array}.\n" in text
    params = {"W": np.linspace(-1, 1, 6).reshape(3, 2), "b": np.array([0.1, -0.2])}
    X = np.linspace(0, 1, 12).reshape(4, 3)
    got = load_file(folder / "out.py").grad_loss(params, X)
    want = grad(module.loss)(params, X)
    assert list(got) == ["W", "b"]
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-13)


def test_an_unsupported_construct_is_shown_at_the_users_line_with_a_caret(tiny):
    folder, _ = tiny
    done = run("show", "tiny.py:unsupported", cwd=folder)
    assert done.returncode == 1
    assert done.stdout == ""
    path = folder / "tiny.py"
    assert f'File "{path}", line {line_of("try:")}\n    try:\n    ^^^^\n' in done.stderr
    assert "AutodiffSyntaxError: try statements are not supported" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_rule_names_the_function_and_the_users_line(tiny):
    folder, _ = tiny
    done = run("show", "tiny.py:no_rule", cwd=folder)
    assert done.returncode == 1
    assert done.stderr.startswith("MissingRuleError: no derivative rule for np.frexp")
    assert f'File "{folder / "tiny.py"}", line {line_of("np.frexp")}' in done.stderr
    assert "@autodiff_ast.adjoint(np.frexp)" in done.stderr
    assert "Traceback" not in done.stderr


def test_errors_at_the_example_arguments_name_the_users_function(tiny):
    folder, _ = tiny
    done = run("show", "tiny.py:vector", "--args", "np.ones(3)", cwd=folder)
    assert done.returncode == 1
    assert "NonScalarOutputError: vector returned an array of shape (3,)" in done.stderr
    assert f'File "{folder / "tiny.py"}", line {line_of("def vector")}, in vector' \
        in done.stderr
    done = run("show", "tiny.py:mismatched", "--args", "np.ones(3)", cwd=folder)
    assert done.returncode == 1
    assert f'File "{folder / "tiny.py"}", line {line_of("def mismatched")}, in mismatched' \
        in done.stderr
    assert "ValueError: matmul: Input operand 1 has a mismatch" in done.stderr
    assert "autodiff_ast/" not in done.stderr  # no frames of the compiler


def test_an_output_that_cannot_be_written_says_why(tiny):
    folder, _ = tiny
    done = run("export", "tiny.py:f", "-o", "no/such/folder/out.py", cwd=folder)
    assert (done.returncode, done.stderr) == (
        2, "autodiff_ast export: cannot write no/such/folder/out.py: No such file or "
           "directory\n")


def test_a_file_that_fails_to_import_shows_its_own_line(tmp_path):
    (tmp_path / "broken.py").write_text("import numpy as np\n\nSCALE = 1 / 0\n")
    done = run("show", "broken.py:f", cwd=tmp_path)
    assert done.returncode == 1
    assert f'File "{tmp_path / "broken.py"}", line 3, in <module>' in done.stderr
    assert "ZeroDivisionError: division by zero" in done.stderr
    (tmp_path / "typo.py").write_text("def f(x):\n    return x +\n")
    done = run("show", "typo.py:f", cwd=tmp_path)
    assert done.returncode == 1
    assert f'File "{tmp_path / "typo.py"}", line 2' in done.stderr
    assert "SyntaxError: invalid syntax" in done.stderr


@pytest.mark.parametrize("arguments, message", [
    (("show", "missing.py:f"), "autodiff_ast show: no such file: missing.py\n"),
    (("show", "tiny.py:g"), "autodiff_ast show: tiny.py has no function 'g'; its functions "
                            "are f, loss, mismatched, no_rule, unsupported, vector\n"),
    (("export", "tiny.py"), "autodiff_ast export: expected FILE.py:FUNC, got 'tiny.py'\n"),
    (("show", "tiny.py:f", "--args", "(1.0,"),
     "autodiff_ast show: --args is not a Python expression: '(' was never closed: "
     "'(1.0,'\n"),
    (("show", "tiny.py:f", "--args", "(w, 1.0)"),
     "autodiff_ast show: --args '(w, 1.0)' raised NameError: name 'w' is not defined\n"),
])
def test_a_command_that_cannot_run_says_why_with_status_2(tiny, arguments, message):
    folder, _ = tiny
    done = run(*arguments, cwd=folder)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


def test_bad_wrt_options(tiny):
    folder, _ = tiny
    done = run("show", "tiny.py:f", "--wrt", "0,,1", cwd=folder)
    assert done.returncode == 2
    assert "argument --wrt: expected indices or names separated by commas, got '0,,1'" \
        in done.stderr
    done = run("show", "tiny.py:f", "--wrt", "w", cwd=folder)
    assert done.returncode == 1
    assert done.stderr == ("WrtError: grad: f has no parameter named 'w'; its parameters "
                           "are x, y, z\n")
    done = run("show", "tiny.py:f", "--mode", "newton", cwd=folder)
    assert done.returncode == 2 and "argument --mode: invalid choice: 'newton'" in done.stderr


def test_circuit_draws_the_function_at_the_arguments(tiny):
    folder, _ = tiny
    done = run("circuit", "tiny.py:f", "--args", "(-2.0, 5.0, -4.0)", "--wrt", "x,z",
               "-o", "f.svg", cwd=folder)
    assert done.returncode == 0, done.stderr
    svg = ElementTree.parse(folder / "f.svg").getroot()
    labels = {g.get("id"): [t.text for t in g.iter("{http://www.w3.org/2000/svg}text")]
              for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("id")}
    assert labels["edge-z-to-gate-2"] == ["-4.00", "3.00"]  # z's value over its gradient
    assert labels["edge-x-to-gate-1"] == ["-2.00", "-4.00"]
    assert labels["edge-out-to-output"] == ["-12.00", "1.00"]
    done = run("circuit", "tiny.py:f", "-o", "f.svg", cwd=folder)
    assert done.returncode == 2
    assert "the following arguments are required: --args" in done.stderr


@pytest.mark.parametrize("command, options", [
    ("show", ["--wrt PARAMS", "--mode {grad,value_and_grad,jvp,vjp,hvp,jacobian,hessian}",
              "--args EXPR"]),
    ("export", ["--wrt PARAMS", "--args EXPR", "--output OUT.py", "-o"]),
    ("circuit", ["--wrt PARAMS", "--args EXPR", "--output OUT.svg", "-o"]),
])
def test_each_command_has_help(tmp_path, command, options):
    done = run(command, "--help", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    text = " ".join(done.stdout.split())
    assert text.startswith(f"usage: python -m autodiff_ast {command} [-h]")
    assert "FILE.py:FUNC" in text
    for option in options:
        assert " ".join(option.split()) in text, option


def test_the_program_lists_its_commands(tmp_path):
    done = run("--help", cwd=tmp_path)
    assert done.returncode == 0
    for command in ("show", "export", "circuit"):
        assert f"    {command} " in done.stdout
    done = run(cwd=tmp_path)
    assert done.returncode == 2 and "the following arguments are required: COMMAND" \
        in done.stderr
