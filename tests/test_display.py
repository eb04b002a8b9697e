"""Transforms show their generated code in Jupyter (``_repr_html_``): highlighted by
Pygments when it is installed, an escaped ``<pre>`` otherwise; a circuit shows its SVG."""

import html
import re
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from autodiff_ast import circuit, grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from autodiff_ast.display import code_html

SVG = "http://www.w3.org/2000/svg"


def f(x, y):
    return np.sum(np.tanh(x) * y)


def missing_rule(x):
    quotient, remainder = np.divmod(x, 2.0)
    return quotient + remainder


def text_of(markup):
    """The text an HTML fragment shows."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


TRANSFORMS = [grad(f), value_and_grad(f, wrt=(0, 1)), vjp(f), jvp(f), jacobian(f),
              hessian(f), hvp(f)]


@pytest.mark.parametrize("transform", TRANSFORMS, ids=repr)
def test_each_transform_shows_its_code_under_its_name(transform):
    shown = transform._repr_html_()
    # (Pygments ends its block with a newline of its own)
    assert text_of(shown).rstrip("\n") == (repr(transform) + transform.source).rstrip("\n")


def test_code_is_highlighted_by_pygments_when_installed():
    pytest.importorskip("pygments")
    shown = grad(f)._repr_html_()
    assert re.search(r'<span style="[^"]*">def</span>', shown)  # inline styles: no CSS


def test_without_pygments_the_code_is_an_escaped_pre(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygments", None)  # import pygments fails
    transform = grad(lambda x: x < 1.0 and x * 2.0)
    shown = transform._repr_html_()
    assert "<span" not in shown and "&lt;" in shown
    assert shown.endswith(f"<pre>{html.escape(transform.source)}</pre></div>")


def test_an_error_while_generating_is_shown_not_raised():
    shown = grad(missing_rule)._repr_html_()
    assert "no derivative rule for np.divmod" in text_of(shown)
    assert code_html(grad(missing_rule), highlight=False).count("<pre") == 1


def test_a_circuit_shows_its_svg():
    drawing = circuit(f, np.array([0.5, -1.0]), np.array([2.0, 3.0]), wrt=(0, 1))
    svg = drawing._repr_svg_()
    assert svg.lstrip().startswith(("<svg", "<?xml")) and "</svg>" in svg
    [y_wire] = drawing.wires("y")
    assert (y_wire.value, y_wire.gradient) == ("[2.00, 3.00]", "[0.46, -0.76]")  # tanh(x)
    shown = {t.text for t in ET.fromstring(svg.encode()).iter(f"{{{SVG}}}text")}
    assert "[0.46, -0.76]" in shown
