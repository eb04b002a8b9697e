"""The examples run and do what they say."""

import importlib.util
import pathlib
import sys

EXAMPLES = pathlib.Path(__file__).parent.parent / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_digits_network_trains_to_high_accuracy(capsys, monkeypatch):
    digits = _load("train_digits")
    monkeypatch.setattr(sys, "argv", ["train_digits.py", "--epochs", "10"])
    accuracy = digits.main()
    printed = capsys.readouterr().out
    assert "def grad_loss(W1, b1, W2, b2, X, y, reg, dout=1.0):" in printed
    marker = "largest relative error against finite differences: "
    error = float(printed.split(marker)[1].split()[0])
    assert error < 1e-5
    assert accuracy > 0.95
