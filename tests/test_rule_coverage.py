"""Every registered derivative rule and every non-differentiable function has a sweep case."""

import importlib
import pathlib

from autodiff_ast.rules import NONDIFFERENTIABLE, RULES, registry


def _load_optional_rules():
    """Register the rules of the optional libraries too (``registry.LAZY_RULES``, loaded
    once the library is imported): the test dependencies install every one of them."""
    for trigger, _ in list(registry.LAZY_RULES):
        importlib.import_module(trigger)
    registry.load_lazy_rules()


def _swept():
    _load_optional_rules()
    covered = set()
    for path in sorted(pathlib.Path(__file__).parent.glob("test_rules_*.py")):
        module = importlib.import_module(path.stem)
        covered.update(c.primal for c in module.CASES)
    return covered


def _name(primal):
    return getattr(primal, "__name__", repr(primal))


def test_every_rule_has_a_sweep_case():
    covered = _swept()
    missing = sorted(_name(p) for p in RULES if p not in covered)
    assert not missing, f"rules without a sweep case in tests/test_rules_*.py: {missing}"


def test_every_nondifferentiable_function_has_a_sweep_case():
    covered = _swept()
    missing = sorted(_name(p) for p in NONDIFFERENTIABLE if p not in covered)
    assert not missing, f"non-differentiable functions without a case: {missing}"
