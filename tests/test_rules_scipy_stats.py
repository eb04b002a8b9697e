"""Sweeps of the scipy.stats rules (rules/scipy_stats.py): each distribution's methods as
users call them (``stats.norm.logpdf(x, loc, scale)``), in the data and every parameter,
at broadcast shapes, against finite differences; and the errors for the parameters whose
CDF derivative has no closed form."""

import numpy as np
import pytest
import scipy.stats
from scipy import special, stats
from sweep import case, sweep_tests, values

import autodiff_ast
from autodiff_ast.rules.scipy_stats import precision_matrix
from autodiff_ast.testing import check_grads
from autodiff_ast.transforms import jvp

NS = {"stats": stats, "special": special}
V = (3,)
M = (2, 3)


def _located(method, data, scale=(0.5, 2.0), shape_parameters=(), keywords=False):
    """Cases of ``method(x, *shape_parameters, loc, scale)``: ``x`` a matrix, the
    parameters vectors and scalars broadcast against it, and defaults left out.
    ``data`` is the range of ``z = (x - loc) / scale``; ``shape_parameters`` are
    ``(name, low, high)``."""
    primal = eval(f"stats.{method}", NS)
    shapes = "".join(f"{name}, " for name, _, _ in shape_parameters)
    ranges = {name: (low, high) for name, low, high in shape_parameters}
    low, high = data
    out = []
    # x alone (loc 0, scale 1) at every shape
    for shape in ((), V, M):
        args = {"x": values(shape, low, high, seed=1)}
        args.update({n: values((), *r, seed=2 + i) for i, (n, r) in enumerate(ranges.items())})
        out.append(case(primal, f"stats.{method}(x, {shapes})".replace(", )", ")"),
                        namespace=NS, **args))
    # loc and scale broadcast: z in range by construction
    loc, s = values(V, -1.0, 1.0, seed=5), values((2, 1), *scale, seed=6)
    x = loc + s * values(M, low, high, seed=7)
    args = {"x": x}
    args.update({n: values(V, *r, seed=8 + i) for i, (n, r) in enumerate(ranges.items())})
    args.update(loc=loc, scale=s)
    call = f"stats.{method}(x, {shapes}loc=loc, scale=scale)" if keywords else \
        f"stats.{method}(x, {shapes}loc, scale)"
    out.append(case(primal, call, namespace=NS, **args))
    # scalar parameters, a vector of data
    x = 0.3 + 1.5 * values(V, low, high, seed=9)
    args = {"x": x}
    args.update({n: values((), *r, seed=10 + i) for i, (n, r) in enumerate(ranges.items())})
    args.update(loc=0.3, scale=1.5)
    out.append(case(primal, f"stats.{method}(x, {shapes}loc=loc, scale=scale)", namespace=NS,
                    **args))
    return out


def _without_shape_derivative(method, data, shape_parameters):
    """CDF cases differentiated in everything but the shape parameters."""
    cases = _located(method, data, shape_parameters=shape_parameters)
    names = {name for name, _, _ in shape_parameters}
    for c in cases:
        c.wrt = tuple(n for n in c.wrt if n not in names)
    return cases


GAMMA_A = [("a", 0.8, 3.0)]
DF = [("df", 1.5, 6.0)]
BETA_AB = [("a", 0.8, 3.0), ("b", 1.2, 4.0)]

CASES = [
    *_located("norm.logpdf", (-2.0, 2.0)),
    *_located("norm.pdf", (-2.0, 2.0), keywords=True),
    *_located("norm.cdf", (-2.0, 2.0)),
    *_located("norm.logcdf", (-3.0, 2.0)),
    case(stats.norm.logcdf, "stats.norm.logcdf(x)", x=values(V, -30.0, -20.0), rtol=1e-4,
         namespace=NS),  # far in the lower tail
    *_located("expon.logpdf", (0.1, 3.0)),
    *_located("expon.pdf", (0.1, 3.0)),
    *_located("expon.cdf", (0.1, 3.0)),
    *_located("expon.logcdf", (0.1, 3.0)),
    *_located("gamma.logpdf", (0.2, 4.0), shape_parameters=GAMMA_A),
    *_located("gamma.pdf", (0.2, 4.0), shape_parameters=GAMMA_A, keywords=True),
    *_without_shape_derivative("gamma.cdf", (0.2, 4.0), GAMMA_A),
    *_without_shape_derivative("gamma.logcdf", (0.2, 4.0), GAMMA_A),
    *_located("chi2.logpdf", (0.2, 5.0), shape_parameters=DF),
    *_located("chi2.pdf", (0.2, 5.0), shape_parameters=DF),
    *_without_shape_derivative("chi2.cdf", (0.2, 5.0), DF),
    *_without_shape_derivative("chi2.logcdf", (0.2, 5.0), DF),
    *_located("t.logpdf", (-3.0, 3.0), shape_parameters=DF),
    *_located("t.pdf", (-3.0, 3.0), shape_parameters=DF, keywords=True),
    *_without_shape_derivative("t.cdf", (-3.0, 3.0), DF),
    *_without_shape_derivative("t.logcdf", (-3.0, 3.0), DF),
    *_located("beta.logpdf", (0.1, 0.9), shape_parameters=BETA_AB),
    *_located("beta.pdf", (0.1, 0.9), shape_parameters=BETA_AB),
    *_without_shape_derivative("beta.cdf", (0.1, 0.9), BETA_AB),
    *_without_shape_derivative("beta.logcdf", (0.1, 0.9), BETA_AB),
    case(stats.poisson.logpmf, "stats.poisson.logpmf(k, mu)", k=np.array([0, 1, 3, 7]),
         mu=values((4,), 0.5, 5.0), namespace=NS),
    case(stats.poisson.logpmf, "stats.poisson.logpmf(k, mu, loc=1)", k=np.array([[1], [4]]),
         mu=values(V, 0.5, 5.0), namespace=NS),
    case(stats.poisson.logpmf, "stats.poisson.logpmf(2, mu)", mu=2.5, namespace=NS),
    case(stats.poisson.pmf, "stats.poisson.pmf(k, mu)", k=np.array([0, 1, 3, 7]),
         mu=values((4,), 0.5, 5.0), namespace=NS),
    case(stats.poisson.pmf, "stats.poisson.pmf(k, mu)", k=np.array([[0], [2]]),
         mu=values(V, 0.5, 5.0), namespace=NS),
]

def _dirichlet_cases():
    """``x`` on the simplex through a softmax of ``z`` (finite differences in ``x`` itself
    would leave it, which SciPy refuses)."""
    alpha = values((4,), 0.5, 3.0, seed=20)
    cases = []
    for method in ("logpdf", "pdf"):
        primal = getattr(stats.dirichlet, method)
        cases += [
            case(primal, f"stats.dirichlet.{method}(special.softmax(z), alpha)",
                 z=values((4,), seed=21), alpha=alpha, namespace=NS),
            case(primal, f"stats.dirichlet.{method}(special.softmax(z, axis=0), alpha)",
                 z=values((4, 3), seed=22), alpha=alpha, namespace=NS),
            case(primal, f"stats.dirichlet.{method}(x, alpha)", wrt=("alpha",),
                 x=np.array([0.1, 0.2, 0.3, 0.4]), alpha=alpha, namespace=NS),
        ]
    return cases


def _multivariate_normal_cases():
    """``cov`` symmetric positive definite through ``c @ c.T + I`` (SciPy reads one
    triangle)."""
    c, mean = values((3, 3), seed=23), values((3,), seed=24)
    cases = []
    for method in ("logpdf", "pdf"):
        primal = getattr(stats.multivariate_normal, method)
        call = f"stats.multivariate_normal.{method}"
        cases += [
            case(primal, f"{call}(x, mean, c @ c.T + np.eye(3))", x=values((3,), seed=25),
                 mean=mean, c=c, namespace=NS),
            case(primal, f"{call}(x, mean=mean, cov=c @ c.T + np.eye(3))",
                 x=values((5, 3), seed=26), mean=mean, c=c, namespace=NS),
            case(primal, f"{call}(x, cov=c @ c.T + np.eye(3))", x=values((4, 3), seed=27), c=c,
                 namespace=NS),
            case(primal, f"{call}(x, mean, cov)", wrt=("x", "mean"), x=values((2, 3), seed=28),
                 mean=mean, cov=c @ c.T + np.eye(3), namespace=NS),
        ]
    return cases


CASES += [
    *_dirichlet_cases(),
    *_multivariate_normal_cases(),
    # the helper the multivariate normal's rules call (so that they are differentiable again)
    case(precision_matrix, "precision_matrix(c @ c.T + np.eye(3))", c=values((3, 3), seed=29),
         namespace={"precision_matrix": precision_matrix}),
]

# No float32 sweep: scipy.stats computes in float64 whatever its input's dtype (the value
# itself is float64), so a float32 gradient is not what the primal gives either.
test_gradient, _, test_tangent = sweep_tests(CASES, float32=[])


# ----- as users write them, against known values ----------------------------------------

def gaussian_negative_log_likelihood(mu, sigma, data):
    return -np.sum(scipy.stats.norm.logpdf(data, mu, sigma))


def test_gaussian_likelihood_gradient_is_the_textbook_one():
    data = values((20,), -1.0, 3.0, seed=30)
    mu, sigma = 0.7, 1.3
    dmu, dsigma = check_grads(gaussian_negative_log_likelihood, mu, sigma, data, wrt=(0, 1))
    np.testing.assert_allclose(dmu, -np.sum(data - mu) / sigma ** 2, rtol=1e-10)
    np.testing.assert_allclose(dsigma, len(data) / sigma - np.sum((data - mu) ** 2) / sigma ** 3,
                               rtol=1e-10)
    value, _ = autodiff_ast.value_and_grad(gaussian_negative_log_likelihood)(mu, sigma, data)
    np.testing.assert_allclose(value, -np.sum(stats.norm.logpdf(data, mu, sigma)), rtol=1e-12)


def poisson_log_likelihood(rate, counts):
    return np.sum(stats.poisson.logpmf(counts, rate))


def test_poisson_rate_gradient():
    counts = np.array([0, 2, 5, 1])
    value, drate = autodiff_ast.value_and_grad(poisson_log_likelihood)(1.5, counts)
    np.testing.assert_allclose(value, np.sum(stats.poisson.logpmf(counts, 1.5)), rtol=1e-12)
    np.testing.assert_allclose(drate, np.sum(counts) / 1.5 - len(counts), rtol=1e-12)


def gamma_cdf_in_shape(a, x):
    return np.sum(stats.gamma.cdf(x, a))


def t_cdf_in_df(df, x):
    return np.sum(stats.t.logcdf(x, df))


def beta_cdf_in_b(b, x):
    return np.sum(stats.beta.cdf(x, 2.0, b))


def poisson_in_count(k, mu):
    return stats.poisson.pmf(k, mu)


@pytest.mark.parametrize("f, args, what", [
    (gamma_cdf_in_shape, (2.0, np.array([0.5, 1.5])), "the shape a of scipy.stats.gamma.cdf"),
    (t_cdf_in_df, (3.0, np.array([0.5, -1.5])),
     "the degrees of freedom df of scipy.stats.t.logcdf"),
    (beta_cdf_in_b, (3.0, np.array([0.2, 0.6])), "the shape b of scipy.stats.beta.cdf"),
    (poisson_in_count, (2.0, 1.5), "the count k of scipy.stats.poisson.pmf: it is a count"),
])
def test_cdf_shape_parameters_without_a_closed_form_are_errors(f, args, what):
    with pytest.raises(autodiff_ast.AutodiffError, match=f"no derivative rule for {what}"):
        autodiff_ast.grad(f)(*args)
    with pytest.raises(autodiff_ast.AutodiffError, match=f"no derivative rule for {what}"):
        jvp(f, wrt=0)(list(args), [1.0])


def mvn_cdf(mean, x):
    return stats.multivariate_normal.cdf(x, mean)


def test_methods_without_rules_are_missing_rule_errors():
    with pytest.raises(autodiff_ast.AutodiffError, match="no derivative rule for .*cdf"):
        autodiff_ast.grad(mvn_cdf)(np.zeros(2), np.ones(2))


def test_rules_are_keyed_by_the_bound_method():
    """Each attribute access makes a new bound method; equal ones find the same rule."""
    from autodiff_ast.rules import registry
    first, second = stats.norm.logpdf, scipy.stats.norm.logpdf
    assert first is not second
    assert registry.lookup(first) is registry.lookup(second) is not None
    assert registry.lookup(stats.t.logpdf) is not registry.lookup(stats.norm.logpdf)


def mvn_with_scalar_cov(mean, x):
    return stats.multivariate_normal.logpdf(x, mean, 2.0)


def test_a_covariance_that_is_not_a_matrix_is_an_input_error():
    with pytest.raises(autodiff_ast.AutodiffError, match=r"needs cov as a \(d, d\) matrix"):
        autodiff_ast.grad(mvn_with_scalar_cov)(np.zeros(2), np.ones(2))
