"""The command line: ``python -m autodiff_ast show|export|circuit FILE.py:FUNC ...``.

``show`` prints the generated code of a transform of ``FUNC``, ``export`` writes it as a
module that runs with NumPy alone (see ``export``), ``circuit`` draws the function's
circuit at example arguments (see ``circuit``).

``FILE.py`` is imported as a module named after the file (its folder first on
``sys.path``, as ``python FILE.py`` would have it), so that the compiler reads the
function's source and an exported module imports the file's globals by name. ``--args``
is a Python expression giving example arguments (a tuple for several), evaluated with
``np`` (NumPy) and the file's globals in scope: the generated code is then the code for
those arguments (dict, list and tuple parameters give code specialised to their
structure), and running it there checks them.

Errors go to stderr and end the command with a non-zero exit status: 1 for an error in
the user's code or its differentiation (an :class:`~autodiff_ast.errors.AutodiffError`,
printed with the user's file and line, or an exception raised by the user's code, with
its frames in the user's files), 2 for a command that cannot run (a usage error, a file or
function not found, an ``--args`` that does not evaluate).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import pathlib
import sys
import traceback

import numpy as np

from .api import grad, value_and_grad
from .errors import AutodiffError
from .export import export
from .runtime import zeros_like
from .transforms import HessianFunction, JacobianFunction, hessian, hvp, jacobian, jvp, vjp

MODES = {"grad": grad, "value_and_grad": value_and_grad, "jvp": jvp, "vjp": vjp,
         "hvp": hvp, "jacobian": jacobian, "hessian": hessian}
USAGE_ERROR, USER_ERROR = 2, 1
PACKAGE_DIR = pathlib.Path(__file__).resolve().parent


class CommandError(Exception):
    """The command cannot run as given; the message says why. ``status`` is the exit
    status."""

    def __init__(self, message, status=USAGE_ERROR):
        super().__init__(message)
        self.status = status


def main(argv=None):
    """Run the command line ``argv`` (default ``sys.argv[1:]``); the exit status."""
    options = parser().parse_args(argv)
    try:
        options.run(options)
    except CommandError as error:
        print(f"autodiff_ast {options.command}: {error}", file=sys.stderr)
        return error.status
    except AutodiffError as error:
        print(describe(error), file=sys.stderr)
        return USER_ERROR
    return 0


def parser():
    """The ``argparse`` parser of the three commands."""
    top = argparse.ArgumentParser(
        prog="python -m autodiff_ast",
        description="Show, export or draw the generated derivative code of a function in "
                    "a Python file.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    show = commands.add_parser(
        "show", help="print the generated code",
        description="Print the generated code of a transform of FUNC in FILE.py.")
    _common(show)
    show.set_defaults(run=run_show)
    exported = commands.add_parser(
        "export", help="write the generated code as a module that runs with NumPy alone",
        description="Write the generated code of a transform of FUNC in FILE.py as a "
                    "module that runs with NumPy alone (no autodiff_ast needed).")
    _common(exported)
    exported.add_argument("-o", "--output", metavar="OUT.py", default="-",
                          help="the file to write (default: print it)")
    exported.set_defaults(run=run_export)
    circuit = commands.add_parser(
        "circuit", help="draw the function's circuit at example arguments",
        description="Draw FUNC in FILE.py as a circuit of gates, each wire labelled with "
                    "its value and its gradient at the arguments --args.")
    circuit.add_argument("target", metavar="FILE.py:FUNC", help="the file and the function")
    circuit.add_argument("--wrt", metavar="PARAMS", type=wrt_option,
                         help="the parameters to differentiate: indices or names, "
                              "comma-separated (default: the first)")
    circuit.add_argument("--args", metavar="EXPR", required=True,
                         help="the arguments: a Python expression (np is NumPy; a tuple "
                              "for several arguments)")
    circuit.add_argument("-o", "--output", metavar="OUT.svg", required=True,
                         help="the drawing to write (.svg)")
    circuit.set_defaults(run=run_circuit)
    return top


def _common(command):
    command.add_argument("target", metavar="FILE.py:FUNC", help="the file and the function")
    command.add_argument("--wrt", metavar="PARAMS", type=wrt_option,
                         help="the parameters to differentiate: indices or names, "
                              "comma-separated, as in --wrt 0,1 or --wrt W,b (default: the "
                              "first; all of them for jvp)")
    command.add_argument("--mode", choices=list(MODES), default="grad",
                         help="the transform (default: grad)")
    command.add_argument("--args", metavar="EXPR",
                         help="example arguments to generate the code for: a Python "
                              "expression (np is NumPy, and the file's globals are in "
                              "scope; a tuple for several arguments)")


def wrt_option(text):
    """``--wrt`` as ``grad``'s ``wrt``: one index or name, or a tuple of several.

    >>> wrt_option("0,b"), wrt_option("x"), wrt_option("-1")
    ((0, 'b'), 'x', -1)
    """
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise argparse.ArgumentTypeError(f"expected indices or names separated by commas, "
                                         f"got {text!r}")
    parsed = tuple(int(item) if item.lstrip("-").isdigit() else item for item in items)
    for item in parsed:
        if isinstance(item, str) and not item.isidentifier():
            raise argparse.ArgumentTypeError(f"{item!r} is neither a parameter index nor a "
                                             f"parameter name")
    return parsed[0] if len(parsed) == 1 else parsed


# ----- the commands ----------------------------------------------------------------------


def run_show(options):
    transform = prepared(options)
    sys.stdout.write(code_of(transform))


def run_export(options):
    transform = prepared(options)
    text = export(transform)
    if options.output == "-":
        sys.stdout.write(text)
    else:
        write(options.output, pathlib.Path(options.output).write_text, text)


def run_circuit(options):
    from .circuit import circuit as draw

    function, namespace = load_target(options.target)
    args = example_arguments(options.args, namespace)
    keywords = {} if options.wrt is None else {"wrt": options.wrt}
    drawing = call_user(lambda: draw(function, *args, **keywords), function)
    write(options.output, drawing.save, options.output)


def write(path, save, *what):
    """``save(*what)`` that writes ``path``; an error writing it is the command's."""
    try:
        save(*what)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}") from None


def prepared(options):
    """The transform ``--mode`` of the target (``--wrt`` given), run at ``--args`` when
    given, so that its generated code is the code for those arguments."""
    function, namespace = load_target(options.target)
    transform = make(options.mode, function, options.wrt)
    if options.args is not None:
        args = example_arguments(options.args, namespace)
        call_user(lambda: run_at(options.mode, transform, args, function, options.wrt),
                  function)
    return transform


def make(mode, function, wrt):
    """``MODES[mode](function, wrt=wrt)`` (``wrt`` left to its default when ``None``)."""
    return MODES[mode](function) if wrt is None else MODES[mode](function, wrt=wrt)


def run_at(mode, transform, args, function, wrt):
    """Call ``transform`` at the example arguments ``args`` (zero tangents and vectors
    for the forward-mode transforms)."""
    if mode == "jvp":
        return transform(args, [zeros_like(args[i]) for i in wrt_indices(function, wrt, args)])
    if mode == "hvp":
        indices = wrt_indices(function, 0 if wrt is None else wrt, args)
        return transform(args, [zeros_like(args[i]) for i in indices])
    return transform(*args)


def wrt_indices(function, wrt, args):
    """The positions of the parameters ``wrt`` names (``None``: every argument given)."""
    if wrt is None:
        return range(len(args))
    names = list(inspect.signature(function).parameters)
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    found = [names.index(item) if isinstance(item, str) and item in names else item
             for item in items]
    return [i for i in found if isinstance(i, int) and -len(args) <= i < len(args)]


def code_of(transform):
    """The text of the generated code ``transform`` runs: ``.source``; for a Jacobian or
    Hessian, the tangent code its columns run and the column loop (as ``export`` writes
    them)."""
    if not isinstance(transform, (JacobianFunction, HessianFunction)):
        return transform.source
    columns = transform.code_for_transforms()
    tangent_code = columns.__globals__["tangent_code"]
    return (inspect.getsource(tangent_code) + "\n\n# The columns, each a run of the code "
            "above (tangent_code):\n" + inspect.getsource(columns))


# ----- the user's file, arguments and errors ---------------------------------------------


def load_target(target):
    """``(function, the file's globals)`` for ``FILE.py:FUNC`` (``FUNC`` may be dotted:
    ``Class.method``)."""
    path_text, colon, name = target.rpartition(":")
    if not colon or not path_text or not name:
        raise CommandError(f"expected FILE.py:FUNC, got {target!r}")
    path = pathlib.Path(path_text)
    if not path.is_file():
        raise CommandError(f"no such file: {path_text}")
    module = load_module(path)
    value = module
    for part in name.split("."):
        if not hasattr(value, part):
            functions = sorted(k for k, v in vars(module).items()
                               if inspect.isfunction(v) and v.__module__ == module.__name__)
            raise CommandError(f"{path_text} has no function {name!r}" + (
                f"; its functions are {', '.join(functions)}" if functions else ""))
        value = getattr(value, part)
    if not callable(value):
        raise CommandError(f"{path_text}:{name} is a {type(value).__name__}, not a function")
    return value, vars(module)


def load_module(path):
    """Import the Python file ``path`` as the module named after it (its folder first on
    ``sys.path``); a name already taken by another module gets a private name instead."""
    path = path.resolve()
    name = path.stem
    taken = sys.modules.get(name)
    if taken is not None and getattr(taken, "__file__", None) != str(path):
        name = f"autodiff_ast_cli_{name}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CommandError(f"cannot import {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        del sys.modules[name]
        raise CommandError("".join(traceback.format_exception_only(type(error), error))
                           .rstrip(), USER_ERROR) from None
    except Exception as error:
        del sys.modules[name]
        raise CommandError(f"importing {path} raised an error:\n{user_traceback(error)}",
                           USER_ERROR) from None
    return module


def example_arguments(expression, namespace):
    """The arguments ``--args`` gives: a tuple of them, or a single value as a tuple."""
    scope = dict(namespace)
    scope.setdefault("np", np)
    try:
        value = eval(compile(expression, "--args", "eval"), scope)
    except SyntaxError as error:
        raise CommandError(f"--args is not a Python expression: {error.msg}: "
                           f"{expression!r}") from None
    except Exception as error:
        raise CommandError(f"--args {expression!r} raised "
                           f"{type(error).__name__}: {error}") from None
    return value if isinstance(value, tuple) else (value,)


def call_user(run, function):
    """``run()``, which runs the user's code (and its generated code) at ``--args``: an
    exception it raises becomes a :class:`CommandError` naming the user's function, its
    file and line, and showing the frames of the user's files. Errors about the user's
    source (which name their line themselves) pass through."""
    try:
        return run()
    except AutodiffError as error:
        if isinstance(error, SyntaxError) or 'File "' in str(error):
            raise
        raise CommandError(f"{describe(error)}\n{where(function)}", USER_ERROR) from None
    except Exception as error:
        raise CommandError(f"running {getattr(function, '__qualname__', 'the function')} at "
                           f"--args raised an error:\n{where(function)}\n"
                           f"{user_traceback(error)}", USER_ERROR) from None


def where(function):
    """``File "...", line n, in f``: where the user's ``function`` is defined."""
    try:
        filename = inspect.getsourcefile(function)
        line = inspect.getsourcelines(function)[1]
    except (OSError, TypeError):
        return f"  in {getattr(function, '__qualname__', 'the function')}"
    return f'  File "{filename}", line {line}, in {function.__qualname__}'


def user_traceback(error):
    """The traceback of ``error`` without the frames of autodiff_ast and of importlib:
    the lines of the user's files (and of generated code) that led to it."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if not _internal(frame.filename)]
    text = "".join(traceback.format_list(frames))
    return text + "".join(traceback.format_exception_only(type(error), error)).rstrip()


def _internal(filename):
    if filename.startswith("<frozen importlib"):
        return True
    try:
        return pathlib.Path(filename).resolve().is_relative_to(PACKAGE_DIR)
    except (OSError, ValueError):
        return False


def describe(error):
    """An :class:`AutodiffError` as the command prints it: a syntax error as Python
    prints one (the user's file, line and a caret), any other by its name and message
    (which names the user's file and line where it is about the user's code)."""
    if isinstance(error, SyntaxError):
        return "".join(traceback.format_exception_only(type(error), error)).rstrip()
    return f"{type(error).__name__}: {error}"
