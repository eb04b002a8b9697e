"""Type aliases for the public API's annotations (``py.typed``; checked by mypy in CI).

Only annotations read these names: nothing here runs when the compiler does.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, TypeVar, Union

Function = Callable[..., Any]
"""A Python function to differentiate (or a transform's generated code)."""

Wrt = Union[int, str, Sequence[Union[int, str]]]
"""Which parameters to differentiate: an index or a name gives one result, a tuple (or
list) of them a tuple."""

RuleFunction = TypeVar("RuleFunction", bound=Callable[..., Any])
"""A derivative rule, returned unchanged by the decorators that register it."""

Value = TypeVar("Value")
"""A value passed through unchanged (``stop_gradient`` and the gradient hooks)."""
