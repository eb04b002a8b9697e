"""The control-flow examples run and do what they say: the RNN over digit rows and the
bouncing ball aimed through its simulation."""

import sys

from sweep import load_example



def _finite_difference_error(printed):
    return float(printed.split("largest relative error against finite differences: ")[1].split()[0])


def test_rnn_reads_digit_rows_and_trains_to_high_accuracy(capsys, monkeypatch):
    rnn = load_example("rnn_digits")
    monkeypatch.setattr(sys, "argv", ["rnn_digits.py", "--epochs", "5"])
    accuracy = rnn.main()
    printed = capsys.readouterr().out
    assert "def grad_loss(Wx, Wh, b, Wy, by, x, y, reg, dout=1.0):" in printed
    assert "reversed(range(" in printed
    assert _finite_difference_error(printed) < 1e-5
    assert accuracy > 0.85


def test_projectile_is_aimed_through_its_simulation(capsys, monkeypatch):
    projectile = load_example("projectile")
    monkeypatch.setattr(sys, "argv", ["projectile.py", "--iterations", "60"])
    miss = projectile.main()
    printed = capsys.readouterr().out
    assert ("def grad_loss(vx, vy, target_x, target_y, steps, dt, drag, restitution, "
            "dout=1.0):") in printed
    assert "reversed(range(" in printed
    assert "# if y < 0.0:" in printed   # the bounce is replayed in the reverse sweep
    assert _finite_difference_error(printed) < 1e-5
    assert miss < 1e-6
