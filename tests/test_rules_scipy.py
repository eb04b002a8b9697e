"""Sweeps of the scipy.special rules (rules/scipy_special.py): the elementwise functions at
every shape, logsumexp/softmax/log_softmax at every form of ``axis`` and ``keepdims``
(and ``logsumexp``'s weights ``b``); and tests that the rules are found, lazily, for the
ways user code names the functions."""

import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.special
from scipy import special
from scipy.special import expit
from sweep import BINARY_SHAPES, binary, case, function_from_source, sweep_tests, unary, values

import autodiff_ast
from autodiff_ast.rules import registry
from autodiff_ast.testing import check_grads
from autodiff_ast.transforms import jvp

NS = {"special": special}
POSITIVE = (0.3, 4.0)
V1, V2, V3 = (4,), (3, 4), (2, 3, 4)

# (shape, arguments after x) of logsumexp, which takes axis and keepdims.
LSE_AXES = [
    ((), ""), (V1, ""), (V2, ""), (V3, ""),
    (V1, "axis=0"), (V1, "axis=-1, keepdims=True"), (V2, "keepdims=True"),
    (V2, "axis=0"), (V2, "axis=-1"), (V2, "1"), (V2, "axis=1, keepdims=True"),
    (V2, "axis=None, keepdims=True"), (V2, "axis=(0, 1)"),
    (V3, "axis=1"), (V3, "axis=-2, keepdims=False"), (V3, "axis=(0, 2)"),
    (V3, "axis=(-1, 0), keepdims=True"),
]
# (shape, arguments after x) of softmax and log_softmax, which take axis only.
SOFTMAX_AXES = [
    (V1, ""), (V2, ""), (V3, ""), (V1, "axis=0"), (V2, "axis=0"), (V2, "axis=-1"), (V2, "1"),
    (V2, "axis=None"), (V3, "axis=1"), (V3, "axis=-3"), (V3, "axis=(0, 2)"),
]


def _along_axes(primal, name, axes, domain=(-3.0, 3.0)):
    out = []
    for shape, arguments in axes:
        call = f"special.{name}(x, {arguments})" if arguments else f"special.{name}(x)"
        out.append(case(primal, call, x=values(shape, *domain), namespace=NS))
    return out


def _weighted_logsumexp_cases():
    """``b`` of ``a``'s shape, broadcast against it either way, and a scalar; ``b`` is
    differentiated too."""
    weights = (0.5, 2.0)
    return [
        case(special.logsumexp, "special.logsumexp(x, b=b)", x=values(V1),
             b=values(V1, *weights, seed=3), namespace=NS),
        case(special.logsumexp, "special.logsumexp(x, axis=1, b=b)", x=values(V2),
             b=values(V1, *weights, seed=3), namespace=NS),
        case(special.logsumexp, "special.logsumexp(x, axis=0, b=b, keepdims=True)",
             x=values(V2), b=values((3, 1), *weights, seed=4), namespace=NS),
        case(special.logsumexp, "special.logsumexp(x, 1, b)", x=values(V1),
             b=values(V2, *weights, seed=5), namespace=NS),
        case(special.logsumexp, "special.logsumexp(x, axis=(0, 2), b=b)", x=values(V3),
             b=2.5, namespace=NS),
        # an axis and keepdims known only at run time: the rule is called then
        case(special.logsumexp, "special.logsumexp(x, axis=axis, b=b, keepdims=keep)",
             x=values(V2), b=values(V1, *weights, seed=3), axis=1, keep=False, namespace=NS),
        case(special.logsumexp, "special.logsumexp(x, axis=axis, keepdims=keep)",
             x=values(V3), axis=(0, 2), keep=True, namespace=NS),
        case(special.logsumexp, "special.logsumexp(x, axis=axis)", x=values(V2), axis=None,
             namespace=NS),
        # only a differentiated, the weights data
        case(special.logsumexp, "special.logsumexp(x, axis=-1, b=b)", wrt=("x",), x=values(V2),
             b=values(V2, *weights, seed=6), namespace=NS),
    ]


def _xlogy_cases():
    cases = [case(special.xlogy, "special.xlogy(x, y)", wrt=("x", "y"), namespace=NS,
                  x=values(a, seed=1), y=values(b, 0.3, 2.0, seed=2)) for a, b in BINARY_SHAPES]
    # x = 0 exactly: xlogy is x * log(y) there too (linear in x), so both gradients are smooth.
    x = values(V2, seed=1)
    x[0, 1] = x[2, 3] = 0.0
    cases.append(case(special.xlogy, "special.xlogy(x, y)", x=x, y=values(V2, 0.3, 2.0),
                      namespace=NS))
    return cases


def _polygamma_cases():
    cases = []
    for n in (0, 1, 2):
        cases += unary(special.polygamma, f"special.polygamma({n}, x)", domain=(0.5, 3.0),
                       namespace=NS)
    # the orders as an integer array broadcast against x
    cases.append(case(special.polygamma, "special.polygamma(n, x)", n=np.array([0, 1, 2]),
                      x=values((2, 3), 0.5, 3.0), namespace=NS))
    return cases


def _bessel_cases():
    cases = []
    for name, domain in [("i0", (-2.0, 2.0)), ("i1", (-2.0, 2.0)), ("j0", (-3.0, 3.0)),
                         ("j1", (-3.0, 3.0)), ("y0", (0.5, 3.0)), ("y1", (0.5, 3.0))]:
        cases += unary(getattr(special, name), f"special.{name}(x)", domain=domain,
                       namespace=NS)
    for name, domain in [("iv", (0.3, 3.0)), ("ive", (0.3, 3.0)), ("jv", (0.3, 3.0)),
                         ("yv", (0.5, 3.0)), ("kv", (0.3, 3.0)), ("kve", (0.3, 3.0))]:
        primal = getattr(special, name)
        for order in ("0", "1", "2.5"):
            cases += unary(primal, f"special.{name}({order}, x)", domain=domain, namespace=NS)
        # an array of orders (data) broadcast against the argument
        cases.append(case(primal, f"special.{name}(v, x)", wrt=("x",), v=np.array([0.0, 1.5, 3.0]),
                          x=values((2, 3), *domain), namespace=NS))
    negative = values((2, 3), -3.0, -0.3)  # integer orders are defined for x < 0
    cases.append(case(special.iv, "special.iv(2, x)", x=negative, namespace=NS))
    cases.append(case(special.ive, "special.ive(1, x)", x=negative, namespace=NS))
    return cases


def _incomplete_cases():
    return [
        *unary(special.gammainc, "special.gammainc(2.5, x)", domain=POSITIVE, namespace=NS),
        *unary(special.gammaincc, "special.gammaincc(0.7, x)", domain=POSITIVE, namespace=NS),
        case(special.gammainc, "special.gammainc(a, x)", wrt=("x",), a=values((3, 1), 0.5, 3.0),
             x=values((4,), 0.3, 4.0), namespace=NS),
        case(special.gammaincc, "special.gammaincc(a, x)", wrt=("x",), a=values((3,), 0.5, 3.0),
             x=values((2, 3), 0.3, 4.0), namespace=NS),
        *unary(special.betainc, "special.betainc(2.0, 3.5, x)", domain=(0.05, 0.95),
               namespace=NS),
        *unary(special.betainc, "special.betainc(0.8, 1.5, x)", domain=(0.1, 0.9),
               namespace=NS),
        case(special.betainc, "special.betainc(a, b, x)", wrt=("x",), a=values((3,), 0.5, 3.0),
             b=values((2, 1), 0.5, 3.0), x=values((2, 3), 0.1, 0.9), namespace=NS),
    ]


def _gamma_beta_cases():
    return [
        *unary(special.gamma, "special.gamma(x)", domain=(0.3, 4.0), namespace=NS),
        *unary(special.gamma, "special.gamma(x)", domain=(-0.9, -0.1), namespace=NS),
        *binary(special.beta, "special.beta(x, y)", domain=(0.5, 3.0), namespace=NS),
        *binary(special.betaln, "special.betaln(x, y)", domain=(0.5, 3.0), namespace=NS),
        case(special.multigammaln, "special.multigammaln(x, 3)", x=2.5, namespace=NS),
        case(special.multigammaln, "special.multigammaln(x, 1)", x=values((3,), 0.5, 3.0),
             namespace=NS),
        case(special.multigammaln, "special.multigammaln(x, 4)", x=values((2, 3), 2.0, 5.0),
             namespace=NS),
    ]


CASES = [
    *unary(special.erfinv, "special.erfinv(x)", domain=(-0.95, 0.95), namespace=NS),
    *unary(special.erfcinv, "special.erfcinv(x)", domain=(0.05, 1.95), namespace=NS),
    *unary(special.ndtr, "special.ndtr(x)", domain=(-3.0, 3.0), namespace=NS),
    *unary(special.log_ndtr, "special.log_ndtr(x)", domain=(-3.0, 3.0), namespace=NS),
    case(special.log_ndtr, "special.log_ndtr(x)", x=values((3,), -40.0, -30.0), rtol=1e-4,
         namespace=NS),  # far in the lower tail, where ndtr underflows
    *unary(special.ndtri, "special.ndtri(x)", domain=(0.05, 0.95), namespace=NS),
    *_gamma_beta_cases(),
    *_incomplete_cases(),
    *unary(special.entr, "special.entr(x)", domain=(0.1, 3.0), namespace=NS),
    *binary(special.rel_entr, "special.rel_entr(x, y)", domain=(0.2, 2.0), namespace=NS),
    *binary(special.kl_div, "special.kl_div(x, y)", domain=(0.2, 2.0), namespace=NS),
    *_bessel_cases(),
    *unary(special.expit, "special.expit(x)", domain=(-4.0, 4.0), namespace=NS),
    *unary(special.logit, "special.logit(x)", domain=(0.05, 0.95), namespace=NS),
    *unary(special.erf, "special.erf(x)", namespace=NS),
    *unary(special.erfc, "special.erfc(x)", namespace=NS),
    *unary(special.gammaln, "special.gammaln(x)", domain=POSITIVE, namespace=NS),
    *unary(special.gammaln, "special.gammaln(x)", domain=(-0.9, -0.1), namespace=NS),
    *unary(special.digamma, "special.digamma(x)", domain=POSITIVE, namespace=NS),
    *unary(special.psi, "special.psi(x)", domain=(0.5, 2.0), shapes=[(3,)], namespace=NS),
    *_polygamma_cases(),
    *_xlogy_cases(),
    *_along_axes(special.logsumexp, "logsumexp", LSE_AXES),
    case(special.logsumexp, "special.logsumexp(x, axis=1)", x=values(V2, 700.0, 710.0),
         namespace=NS),  # no overflow: exp(x - ans)
    *_weighted_logsumexp_cases(),
    *_along_axes(special.softmax, "softmax", SOFTMAX_AXES),
    *_along_axes(special.log_softmax, "log_softmax", SOFTMAX_AXES),
    # composed as in a classifier's loss
    case(special.log_softmax, "-special.log_softmax(x @ v, axis=1)[np.arange(3), [0, 2, 1]]",
         x=values(V2), v=values((4, 3), seed=8), namespace=NS),
    case(special.xlogy, "special.xlogy(p, special.softmax(x, axis=-1))", wrt=("x",),
         p=np.array([[0.0, 0.5, 0.5, 0.0], [1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]]),
         x=values(V2), namespace=NS),
]

test_gradient, test_float32, test_tangent = sweep_tests(CASES)


# ----- how user code names the functions ------------------------------------------------

def sigmoid_loss(x):  # expit: a name imported from scipy.special
    return np.sum(expit(x) ** 2)


def sigmoid_loss_qualified(x):
    return np.sum(scipy.special.expit(x) ** 2)


@pytest.mark.parametrize("f", [sigmoid_loss, sigmoid_loss_qualified])
def test_rules_found_for_imported_and_qualified_names(f):
    check_grads(f, values(V2, -3.0, 3.0))


def _code(source):
    """The generated source without its comments (which quote the user's lines)."""
    return "\n".join(line for line in source.splitlines() if not line.strip().startswith("#"))


def test_expit_adjoint_reuses_the_forward_value():
    code = _code(autodiff_ast.grad(sigmoid_loss).source)
    # expit is computed once, kept in a name, and the adjoint is g * s * (1 - s)
    assert "_t1 = expit(x)" in code
    assert "_t1 * (1 - _t1)" in code
    assert code.count("expit(") == 1


def test_logsumexp_adjoint_reuses_the_forward_value():
    def f(x):
        return np.sum(special.logsumexp(x, axis=1))

    code = _code(autodiff_ast.grad(f).source)
    assert "np.exp(x - np.expand_dims(_t1, 1))" in code
    assert code.count("logsumexp(") == 1


def test_second_derivative_of_digamma_through_polygamma():
    """The gradient of digamma calls polygamma, which has a rule: the generated gradient
    can itself be differentiated."""
    def f(x):
        return np.sum(special.digamma(x) * 2.0)

    first = autodiff_ast.grad(f)
    assert "polygamma(1, x)" in first.source
    grad_f = function_from_source("grad_f", first.source, {
        k: v for k, v in first.generated_function.__globals__.items() if not k.startswith("__")})

    def g(x):
        return np.sum(grad_f(x))

    x = values(V1, 0.5, 3.0)
    np.testing.assert_allclose(autodiff_ast.grad(g)(x), 2 * special.polygamma(2, x), rtol=1e-10)
    check_grads(g, x)


def test_xlogy_at_zero():
    """At x = 0: d/dx = log(y); d/dy = 0, also where y = 0 too (not nan)."""
    def f(x, y):
        return np.sum(special.xlogy(x, y))

    x, y = np.array([0.0, 0.0, 1.0]), np.array([0.5, 0.0, 2.0])
    with np.errstate(divide="ignore"):
        dx, dy = autodiff_ast.grad(f, wrt=(0, 1))(x, y)
        np.testing.assert_array_equal(dx, np.log(y))
    np.testing.assert_array_equal(dy, [0.0, 0.0, 0.5])


def test_logsumexp_return_sign_is_reported():
    def f(x):
        return special.logsumexp(x, return_sign=True)[0]

    with pytest.raises(autodiff_ast.errors.AutodiffError, match="return_sign"):
        autodiff_ast.grad(f)(values(V1))


def test_rules_load_lazily(tmp_path):
    """Importing autodiff_ast does not import SciPy; the rules are registered the first
    time a lookup misses once scipy.special is imported."""
    script = textwrap.dedent("""
        import sys
        import numpy as np
        import autodiff_ast
        from autodiff_ast.rules import registry
        assert "scipy" not in sys.modules, "autodiff_ast imported scipy"
        assert registry.lookup(np.exp) is not None
        assert "autodiff_ast.rules.scipy_special" not in sys.modules
        from scipy.special import expit

        def f(x):
            return np.sum(expit(x))

        x = np.array([0.0, 1.0])
        s = expit(x)
        generation = registry.GENERATION[0]
        np.testing.assert_allclose(autodiff_ast.grad(f)(x), s * (1 - s))
        assert "autodiff_ast.rules.scipy_special" in sys.modules
        # the rules of every library in use are loaded, and those of the others are not
        assert all(trigger not in sys.modules for trigger, _ in registry.LAZY_RULES)
        assert "scipy.stats" not in sys.modules
        assert "autodiff_ast.rules.scipy_stats" not in sys.modules
        assert registry.GENERATION[0] == generation  # nothing generated before is stale
    """)
    path = tmp_path / "lazy.py"  # a file: autodiff_ast reads f's source
    path.write_text(script)
    root = str(pathlib.Path(__file__).parent.parent)  # the autodiff_ast under test
    subprocess.run([sys.executable, str(path)], check=True, env={**os.environ, "PYTHONPATH": root})


def test_lookup_loads_the_rules_on_a_miss_only():
    registry.load_lazy_rules()  # scipy.special is imported here
    assert registry.lookup(special.expit) is not None
    assert registry.tangent_lookup(special.softmax) is not None
    assert registry.is_elementwise(special.erf)
    assert not registry.is_nondifferentiable(special.erf)


# ----- orders and shapes without a derivative -------------------------------------------

def bessel_in_order(v, x):
    return np.sum(special.jv(v, x))


def incomplete_gamma_in_shape(a, x):
    return special.gammainc(a, x)


def incomplete_beta_in_b(a, b, x):
    return special.betainc(a, b, x)


@pytest.mark.parametrize("f, args, wrt, what", [
    (bessel_in_order, (1.5, np.array([0.5, 1.0])), 0, "the order v of scipy.special.jv"),
    (incomplete_gamma_in_shape, (2.0, 1.5), 0, "the shape a of scipy.special.gammainc"),
    (incomplete_beta_in_b, (2.0, 3.0, 0.4), 1, "the shape b of scipy.special.betainc"),
])
def test_differentiating_an_order_or_shape_without_a_closed_form_is_an_error(f, args, wrt, what):
    with pytest.raises(autodiff_ast.AutodiffError, match=f"no derivative rule for {what}"):
        autodiff_ast.grad(f, wrt=wrt)(*args)
    with pytest.raises(autodiff_ast.AutodiffError, match=f"no derivative rule for {what}"):
        jvp(f, wrt=wrt)(list(args), [1.0])


def test_the_argument_is_differentiated_beside_a_constant_order():
    """Only the differentiated argument's term runs: x's gradient beside a data order."""
    v, x = 1.5, np.array([0.5, 1.0])
    dx = check_grads(bessel_in_order, v, x, wrt=1)
    np.testing.assert_allclose(dx, 0.5 * (special.jv(0.5, x) - special.jv(2.5, x)))
