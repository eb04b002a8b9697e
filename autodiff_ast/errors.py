"""Errors raised by the compiler and by generated code.

Every error derives from :class:`AutodiffError`. Errors about the user's source are
:class:`AutodiffSyntaxError` (also a ``SyntaxError``), so Python prints them with the
user's file, line and a caret under the construct, exactly like a real syntax error.
"""

from __future__ import annotations


class AutodiffError(Exception):
    """Base class of every error autodiff_ast raises."""


class AutodiffSyntaxError(AutodiffError, SyntaxError):
    """A construct in the user's function that cannot be differentiated (yet).

    Carries ``filename``, ``lineno``, ``offset``, ``end_lineno``, ``end_offset`` and
    ``text`` like a ``SyntaxError``, so tracebacks show the user's line with a caret.
    """

    def __init__(self, msg: str, filename: str | None, lineno: int | None, offset: int | None,
                 text: str | None, end_lineno: int | None = None,
                 end_offset: int | None = None) -> None:
        super().__init__(msg, (filename, lineno, offset, text, end_lineno, end_offset))


class MissingRuleError(AutodiffError):
    """An active value flows into a function that has no derivative rule."""


class NonScalarOutputError(AutodiffError, ValueError):
    """``grad`` was asked for the gradient of a function whose output is not a scalar."""


class SourceUnavailableError(AutodiffError):
    """The function's Python source cannot be read (REPL, ``exec``, C function)."""


class InputError(AutodiffError, TypeError):
    """A differentiated argument of a kind that cannot be differentiated (complex
    numbers, masked arrays with a mask)."""


class WrtError(AutodiffError, ValueError):
    """``wrt`` names a parameter that does not exist or cannot be differentiated."""


class NonFiniteError(AutodiffError, FloatingPointError):
    """A transform made with ``check_finite=True`` met a NaN or an infinity: raised at the
    first statement of the generated code whose value is not finite, naming the user's
    line it comes from, the generated statement, and whether the value was born there
    (its operands were finite) or carried in (which operand already was not)."""


def located(cls, message, ctx, node):
    """Build ``cls(message)`` pointing at ``node`` of the user's source described by ``ctx``.

    ``cls`` is :class:`AutodiffSyntaxError` (a caret in the traceback) or any other
    :class:`AutodiffError`, whose message then gains the file, line and a caret line.
    """
    filename, lineno, offset, text, end_lineno, end_offset = ctx.location(node)
    if issubclass(cls, SyntaxError):
        return cls(message, filename, lineno, offset, text, end_lineno, end_offset)
    return cls(message + where(filename, lineno, offset, text, end_lineno, end_offset))


def where(filename, lineno, offset, text, end_lineno=None, end_offset=None):
    """The lines that an error message ends with to point at a place in a file (the
    fields of ``Context.location``): the file and line, then the line's text and a caret
    under the construct."""
    caret = ""
    if text:
        width = max(1, (end_offset - offset) if end_lineno == lineno and end_offset else 1)
        caret = f"\n    {text.rstrip()}\n    {' ' * (offset - 1)}{'^' * width}"
    return f'\n  File "{filename}", line {lineno}{caret}'
