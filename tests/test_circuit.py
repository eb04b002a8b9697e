"""Circuit diagrams: the SVG text of a function's circuit carries each value and gradient
on the wire of that value, for both layouts (Graphviz's dot where installed, and the
pure-Python one), with the values the CS231n notes give for their figures."""

import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from sweep import load_example

import autodiff_ast
from autodiff_ast import AutodiffError, NonScalarOutputError, circuit, value_and_grad
from autodiff_ast.circuit import CircuitError, DrawingError, NodeKind
from autodiff_ast.circuit.draw import GRADIENT_COLOR, VALUE_COLOR

lecture = load_example("cs231n_lecture4")
SVG = "{http://www.w3.org/2000/svg}"
LAYOUTS = ["python", pytest.param("dot", marks=pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"))]
NEURON_ARGS = (2.0, -3.0, -3.0, -1.0, -2.0)


def wire_labels(svg, name, target):
    """``(value, gradient)`` written on the wire of ``name`` into node ``target`` of the
    SVG text (the gradient is ``None`` when the wire has none)."""
    root = ET.fromstring(svg.encode())
    groups = [g for g in root.iter(SVG + "g") if g.get("id") == f"edge-{name}-to-{target}"]
    assert len(groups) == 1, f"no single wire edge-{name}-to-{target}"
    texts = {t.get("fill"): (t.text or "").strip() for t in groups[0].iter(SVG + "text")}
    return texts.get(VALUE_COLOR), texts.get(GRADIENT_COLOR)


def gate_of(drawing, label):
    [node] = [n for n in drawing.nodes if n.label == label and n.kind is NodeKind.GATE]
    return node.id


@pytest.mark.parametrize("layout", LAYOUTS)
def test_add_multiply_reads_like_the_notes(layout):
    drawing = circuit(lecture.add_multiply, -2.0, 5.0, -4.0, wrt=(0, 1, 2))
    svg = drawing.svg(layout)
    add, multiply = gate_of(drawing, "+"), gate_of(drawing, "*")
    assert wire_labels(svg, "x", add) == ("-2.00", "-4.00")
    assert wire_labels(svg, "y", add) == ("5.00", "-4.00")
    assert wire_labels(svg, "q", multiply) == ("3.00", "-4.00")
    assert wire_labels(svg, "z", multiply) == ("-4.00", "3.00")
    assert wire_labels(svg, "out", "output") == ("-12.00", "1.00")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_sigmoid_neuron_gate_by_gate_reads_like_the_notes(layout):
    drawing = circuit(lecture.sigmoid_neuron_gates, *NEURON_ARGS, wrt=(0, 1, 2, 3, 4))
    gates = [n.label for n in drawing.nodes if n.kind is NodeKind.GATE]
    assert gates == ["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]
    svg = drawing.svg(layout)
    by_name = {e.name: e for e in drawing.edges}
    expected = {"w0": ("2.00", "-0.20"), "x0": ("-1.00", "0.39"), "w1": ("-3.00", "-0.39"),
                "x1": ("-2.00", "-0.59"), "w2": ("-3.00", "0.20"), "d": ("1.00", "0.20"),
                "e": ("-1.00", "-0.20"), "f": ("0.37", "-0.53"), "g": ("1.37", "-0.53"),
                "out": ("0.73", "1.00")}
    for name, labels in expected.items():
        assert wire_labels(svg, name, by_name[name].target) == labels, name
    # the same numbers as the gradient transform gives, value beside gradients
    value, grads = value_and_grad(lecture.sigmoid_neuron_gates, wrt=(0, 1, 2, 3, 4))(
        *NEURON_ARGS)
    assert by_name["out"].value == f"{value:.2f}"
    assert [by_name[n].gradient for n in ("w0", "w1", "w2", "x0", "x1")] == [
        f"{g:.2f}" for g in grads]


def test_python_layout_puts_the_value_above_the_wire_and_the_gradient_below():
    svg = circuit(lecture.add_multiply, -2.0, 5.0, -4.0, wrt=(0, 1, 2)).svg("python")
    root = ET.fromstring(svg)
    for group in root.iter(SVG + "g"):
        if group.get("class") != "edge":
            continue
        line = group.find(SVG + "polyline").get("points").split()
        (x0, y0), (x1, y1) = (map(float, p.split(",")) for p in line[:2])
        assert y0 == y1  # a wire starts level, under its labels
        value = group.find(f"{SVG}text[@class='value']")
        gradient = group.find(f"{SVG}text[@class='gradient']")
        assert x0 <= float(value.get("x")) <= x1 and float(value.get("y")) < y0
        assert x0 <= float(gradient.get("x")) <= x1 and float(gradient.get("y")) > y0


def test_the_sigmoid_written_as_one_expression_is_one_gate():
    drawing = circuit(lecture.sigmoid_neuron, *NEURON_ARGS, wrt=(0, 1, 2, 3, 4))
    [sigmoid] = [e for e in drawing.edges if e.target == "output"]
    assert (sigmoid.value, sigmoid.gradient) == ("0.73", "1.00")
    assert [e.gradient for e in drawing.wires("dot")] == ["0.20"]
    assert "sigmoid" in [n.label for n in drawing.nodes]


def test_arrays_show_their_values_or_shape_and_mean():
    W, x = np.array([[0.1, 0.5], [-0.3, 0.8]]), np.array([0.2, 0.4])
    drawing = circuit(lecture.squared_norm, W, x, wrt=(0, 1))
    [(w_wire)] = drawing.wires("W")
    assert (w_wire.value, w_wire.gradient) == ("(2, 2) mean 0.28", "(2, 2) mean 0.14")
    [x_wire] = drawing.wires("x")
    assert (x_wire.value, x_wire.gradient) == ("[0.20, 0.40]", "[-0.11, 0.64]")
    [q_wire] = drawing.wires("q")  # q = W @ x = [0.22, 0.26]; dq = 2 q
    assert (q_wire.value, q_wire.gradient) == ("[0.22, 0.26]", "[0.44, 0.52]")


def helper(a, b):
    c = a * b
    return np.tanh(c)


def calls_helper(x, y):
    q = helper(x, y) + 1
    return q * x


def test_an_inlined_callee_gets_a_box_around_its_lines():
    drawing = circuit(calls_helper, 1.0, 2.0, wrt=(0, 1))
    [box] = [g for g in drawing.groups if g.callee == "helper"]
    inside = [n.label for n in drawing.nodes if box.id in n.groups]
    assert inside == ["*", "tanh"]
    lines = {g.label for g in drawing.groups if g.parent == box.id}
    assert lines == {f"line {helper.__code__.co_firstlineno + 1}: c = a * b",
                     f"line {helper.__code__.co_firstlineno + 2}: return np.tanh(c)"}
    for layout in ("python",) + (("dot",) if shutil.which("dot") else ()):
        root = ET.fromstring(drawing.svg(layout).encode())
        assert f"group-{box.id}" in {g.get("id") for g in root.iter(SVG + "g")}


def test_collapsing_a_callee_draws_it_as_one_node_with_the_wires_that_cross_it():
    drawing = circuit(calls_helper, 1.0, 2.0, wrt=(0, 1)).collapse("helper")
    [node] = [n for n in drawing.nodes if n.kind is NodeKind.COLLAPSED]
    assert node.label == "helper"
    into = sorted((e.name, e.value, e.gradient) for e in drawing.edges if e.target == node.id)
    t = np.tanh(2.0)  # x = 1, y = 2; f = (tanh(x y) + 1) x
    dc = (1 - t * t) * 1.0
    assert into == [("x", "1.00", f"{t + 1 + dc * 2.0:.2f}"), ("y", "2.00", f"{dc:.2f}")]
    [out] = [e for e in drawing.edges if e.source == node.id]
    assert (out.value, out.gradient) == (f"{t:.2f}", "1.00")
    assert not [g for g in drawing.groups if g.callee == "helper" or g.parent]
    assert "collapsed-" in drawing.svg("python")


def test_collapsing_a_line_and_an_unknown_target():
    line = calls_helper.__code__.co_firstlineno + 2  # return q * x
    drawing = circuit(calls_helper, 1.0, 2.0, wrt=(0, 1)).collapse(line)
    assert [n.label for n in drawing.nodes if n.kind is NodeKind.COLLAPSED] == [
        f"line {line}: return q * x"]
    assert circuit(calls_helper, 1.0, 2.0, wrt=(0, 1), collapse=[line]).nodes == drawing.nodes
    with pytest.raises(CircuitError, match="nothing to collapse for 'nowhere'.*helper"):
        drawing.collapse("nowhere")


def test_a_value_the_output_does_not_depend_on_through_wrt_has_no_gradient():
    def scaled(x, y):
        return np.sum(x * np.exp(y))

    x, y = np.array([0.1, 0.2]), np.array([0.0, 1.0])
    drawing = circuit(scaled, x, y, wrt=0)
    [y_wire] = drawing.wires("y")
    assert (y_wire.value, y_wire.gradient) == ("[0.00, 1.00]", None)
    [x_wire] = drawing.wires("x")
    assert x_wire.gradient == "[1.00, 2.72]"  # d/dx sum(x e^y) = e^y
    assert wire_labels(drawing.svg("python"), "y", y_wire.target) == ("[0.00, 1.00]", None)


WEIGHTS = np.array([[1.0, 2.0], [3.0, 4.0]])


def reads_global_data(x, *, scale=2.0):
    return np.sum(WEIGHTS @ x) * scale


def test_global_data_and_keyword_only_parameters_are_drawn_as_values():
    drawing = circuit(reads_global_data, np.array([1.0, -1.0]))
    assert {n.label for n in drawing.nodes if n.kind is NodeKind.DATA} == {"WEIGHTS"}
    [data] = drawing.wires("WEIGHTS")
    assert (data.value, data.gradient) == ("(2, 2) mean 2.50", None)
    [x] = drawing.wires("x")
    assert x.gradient == "[8.00, 12.00]"  # scale * column sums of WEIGHTS
    [out] = [e for e in drawing.edges if e.target == "output"]
    assert out.value == "-4.00"  # 2 * ((1 - 2) + (3 - 4))


def loops(x):
    s = 0.0
    for i in range(3):
        s = s + x
    return s


def test_a_loop_is_a_located_error():
    with pytest.raises(CircuitError, match=r"cannot draw a loop \(for\)[\s\S]*"
                                           r"test_circuit.py\", line \d+[\s\S]*for i in"):
        circuit(loops, 1.0)
    assert issubclass(CircuitError, AutodiffError)


def test_wrt_names_or_indexes_the_arguments():
    with pytest.raises(CircuitError, match=r"wrt=5 must name or index the 3 arguments "
                                           r"given \(x, y, z\)"):
        circuit(lecture.add_multiply, 1.0, 2.0, 3.0, wrt=5)
    by_name = circuit(lecture.add_multiply, -2.0, 5.0, -4.0, wrt=("z", -3))
    assert [(e.name, e.value, e.gradient) for e in by_name.edges] == [
        ("x", "-2.00", "-4.00"), ("y", "5.00", None), ("q", "3.00", "-4.00"),
        ("z", "-4.00", "3.00"), ("out", "-12.00", "1.00")]


def doubled(x):
    return x * 2.0


def test_a_non_scalar_output_is_an_error_saying_so():
    with pytest.raises(NonScalarOutputError, match=r"circuit: .*shape \(2,\)[\s\S]*"
                                                   r"draw the reduced output"):
        circuit(doubled, np.ones(2))


def test_save_writes_svg_and_needs_dot_for_png(tmp_path, monkeypatch):
    drawing = circuit(lecture.add_multiply, -2.0, 5.0, -4.0, wrt=(0, 1, 2))
    path = drawing.save(tmp_path / "f.svg", layout="python")
    text = path.read_text()
    assert text == drawing.svg("python") and wire_labels(text, "z", gate_of(drawing, "*")) \
        == ("-4.00", "3.00")
    assert f'label=<<font color="{VALUE_COLOR}">-12.00</font>' in drawing.save(
        tmp_path / "f.dot").read_text()
    with pytest.raises(CircuitError, match=r"cannot save as .*\.gif"):
        drawing.save(tmp_path / "f.gif")
    if shutil.which("dot"):
        assert drawing.save(tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert drawing.save(tmp_path / "f.pdf").read_bytes()[:5] == b"%PDF-"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(DrawingError, match="needs Graphviz's dot program"):
        drawing.save(tmp_path / "g.png")
    # without dot, "auto" (and Jupyter) use the Python layout
    assert drawing._repr_svg_() == drawing.svg("python")


def test_the_example_writes_the_figures(tmp_path):
    written = lecture.draw_figures(tmp_path)
    assert {p.rsplit("/", 1)[-1] for p in map(str, written)} >= {
        "add_multiply.svg", "sigmoid_neuron.svg", "sigmoid_gate.svg"}
    svg = (tmp_path / "sigmoid_neuron.svg").read_text()
    drawing = circuit(lecture.sigmoid_neuron_gates, *NEURON_ARGS, wrt=(0, 1, 2, 3, 4))
    assert wire_labels(svg, "f", gate_of(drawing, "+1")) == ("0.37", "-0.53")


def test_circuit_is_exported():
    assert autodiff_ast.circuit is circuit and "Circuit" in autodiff_ast.__all__
