"""The examples run and do what they say."""

import sys

from sweep import load_example



def test_digits_network_trains_to_high_accuracy(capsys, monkeypatch):
    digits = load_example("train_digits")
    monkeypatch.setattr(sys, "argv", ["train_digits.py", "--epochs", "10"])
    accuracy = digits.main()
    printed = capsys.readouterr().out
    assert "def grad_loss(W1, b1, W2, b2, X, y, reg, dout=1.0):" in printed
    marker = "largest relative error against finite differences: "
    error = float(printed.split(marker)[1].split()[0])
    assert error < 1e-5
    assert accuracy > 0.95
