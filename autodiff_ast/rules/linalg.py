"""Rules of linear algebra: products (``dot``, ``inner``, ``outer``, ``tensordot``,
``einsum``, ``kron``, ``cross``), norms, and the functions of ``np.linalg`` that invert,
solve or decompose a matrix.

Where the formula depends on the ranks of the arguments, which the compiler cannot know,
the rule is one call to a helper of this module (``dot_lhs``, ``tensordot_rhs``,
``einsum_operand_adjoint``...) documented by what it returns. Functions of square
matrices accept stacks of them (``(..., n, n)``), so their rules transpose with
``np.swapaxes(x, -1, -2)`` rather than ``x.T``.

Only real arrays are differentiated. The rules of ``cholesky``, ``eigh`` and
``eigvalsh``, which read one triangle of a symmetric matrix, return the symmetric
gradient (the derivative for a symmetric change of the input); see their docstrings.

The helpers that gradient code calls have rules of their own (the last section), so
gradients can be differentiated again (``hessian``, ``grad(grad(f))``). Their adjoint
rules call only functions with rules, so higher derivatives work too, except through
the norms computed from singular values (``'nuc'``, the matrix 2-norms) or of an order
known at run time only (``np.inf``), which have first and second derivatives only.
"""

import ast
import string
from collections import Counter

import numpy as np

from ..errors import MissingRuleError
from ..runtime import matmul_lhs, matmul_rhs, unbroadcast, zeros_like
from .registry import adjoint, given, is_literal, multilinear, tangent


@adjoint(np.matmul, ast.MatMult)
def matmul(g, ans, x1, x2):
    """For matrices: ``g @ x2.T`` and ``x1.T @ g``; vectors and stacks of matrices too."""
    return matmul_lhs(g, x1, x2), matmul_rhs(g, x1, x2)


# ----- products ------------------------------------------------------------------------


def dot_lhs(g, a, b):
    """The adjoint of ``a`` in ``np.dot(a, b)`` given the result's adjoint ``g``.

    For matrices this is ``g @ b.T``, for two vectors ``g * b``. ``np.dot`` multiplies by
    a scalar and otherwise sums over the last axis of ``a`` and the second-to-last axis
    of ``b`` (its only axis if ``b`` is a vector), so the adjoint sums ``g`` against ``b``
    over all of ``b``'s other axes.

    >>> dot_lhs(np.ones((2, 4)), np.zeros((2, 3)), np.ones((3, 4))).shape
    (2, 3)
    >>> dot_lhs(np.ones((2, 5, 4)), np.zeros((2, 3)), np.ones((5, 3, 4))).shape
    (2, 3)
    """
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 0:
        return np.sum(g * b)
    if b_nd == 0:
        return g * b
    if a_nd == 1 and b_nd == 1:
        return g * b
    b_other = list(range(b_nd - 2)) + [b_nd - 1] if b_nd > 1 else []
    g_from_b = list(range(a_nd - 1, a_nd - 1 + len(b_other)))
    return np.tensordot(g, b, axes=(g_from_b, b_other))


def dot_rhs(g, a, b):
    """The adjoint of ``b`` in ``np.dot(a, b)`` given the result's adjoint ``g``.

    For matrices this is ``a.T @ g``; see :func:`dot_lhs` for the other shapes.

    >>> dot_rhs(np.ones((2, 4)), np.zeros((2, 3)), np.ones((3, 4))).shape
    (3, 4)
    >>> dot_rhs(np.ones((2, 5, 4)), np.zeros((2, 3)), np.ones((5, 3, 4))).shape
    (5, 3, 4)
    """
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if b_nd == 0:
        return np.sum(g * a)
    if a_nd == 0:
        return g * a
    if a_nd == 1 and b_nd == 1:
        return g * a
    a_other = list(range(a_nd - 1))
    summed = np.tensordot(a, g, axes=(a_other, a_other))  # axes: (b's contracted, b's others)
    return np.moveaxis(summed, 0, -2) if b_nd > 1 else summed


@adjoint(np.dot)
def dot(g, ans, a, b, out=None):
    """``np.dot`` of every rank: for matrices ``g @ b.T`` and ``a.T @ g``."""
    return dot_lhs(g, a, b), dot_rhs(g, a, b)


@adjoint(np.vdot)
def vdot(g, ans, a, b):
    """``np.vdot`` flattens both arguments (of equal size) and returns their dot product;
    real arguments only (for complex ones it conjugates ``a``)."""
    return np.reshape(g * b, np.shape(a)), np.reshape(g * a, np.shape(b))


def inner_lhs(g, a, b):
    """The adjoint of ``a`` in ``np.inner(a, b)`` given the result's adjoint ``g``.

    ``np.inner`` sums over the last axis of both arguments; its result's axes are the
    other axes of ``a`` followed by the other axes of ``b``. For two vectors the adjoint
    is ``g * b``, for matrices ``g @ b``.

    >>> inner_lhs(np.ones((2, 4)), np.zeros((2, 3)), np.ones((4, 3))).shape
    (2, 3)
    """
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if a_nd == 0:
        return np.sum(g * b)
    if b_nd == 0:
        return g * b
    if a_nd == 1 and b_nd == 1:
        return g * b
    b_other = list(range(b_nd - 1))
    return np.tensordot(g, b, axes=([a_nd - 1 + i for i in b_other], b_other))


def inner_rhs(g, a, b):
    """The adjoint of ``b`` in ``np.inner(a, b)`` given the result's adjoint ``g``: for
    matrices ``g.T @ a``; see :func:`inner_lhs`.

    >>> inner_rhs(np.ones((2, 4)), np.zeros((2, 3)), np.ones((4, 3))).shape
    (4, 3)
    """
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    if b_nd == 0:
        return np.sum(g * a)
    if a_nd == 0:
        return g * a
    if a_nd == 1 and b_nd == 1:
        return g * a
    a_other = list(range(a_nd - 1))
    return np.tensordot(g, a, axes=(a_other, a_other))


@adjoint(np.inner)
def inner(g, ans, a, b):
    """``np.inner`` of every rank: for vectors ``g * b`` and ``g * a``."""
    return inner_lhs(g, a, b), inner_rhs(g, a, b)


@adjoint(np.outer)
def outer(g, ans, a, b, out=None):
    """``np.outer`` flattens both arguments: ``ans[i, j] = a.flat[i] * b.flat[j]``."""
    return np.reshape(g @ np.ravel(b), np.shape(a)), np.reshape(np.ravel(a) @ g, np.shape(b))


def _tensordot_axes(a_nd, b_nd, axes):
    """The axes ``np.tensordot(a, b, axes)`` sums over, as two lists of non-negative
    axes paired in order: an int ``n`` means ``a``'s last ``n`` and ``b``'s first ``n``.

    >>> _tensordot_axes(3, 2, 1)
    ([2], [0])
    >>> _tensordot_axes(3, 2, ([0, -1], (1, 0)))
    ([0, 2], [1, 0])
    """
    if np.ndim(axes) == 0:
        n = int(axes)
        return list(range(a_nd - n, a_nd)), list(range(n))
    a_axes, b_axes = axes
    a_axes = [a_axes] if np.ndim(a_axes) == 0 else list(a_axes)
    b_axes = [b_axes] if np.ndim(b_axes) == 0 else list(b_axes)
    return [int(i) % a_nd for i in a_axes], [int(j) % b_nd for j in b_axes]


def tensordot_lhs(g, a, b, axes=2):
    """The adjoint of ``a`` in ``np.tensordot(a, b, axes)`` given the result's adjoint ``g``.

    The result's axes are ``a``'s free axes then ``b``'s; summing ``g`` against ``b`` over
    ``b``'s free axes leaves ``a``'s free axes and the summed ones, which are put back in
    ``a``'s order. For ``axes=1`` and matrices this is ``g @ b.T``.

    >>> tensordot_lhs(np.ones((2, 5)), np.zeros((2, 3, 4)), np.ones((4, 3, 5)),
    ...               axes=([1, 2], [1, 0])).shape
    (2, 3, 4)
    """
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    a_sum, b_sum = _tensordot_axes(a_nd, b_nd, axes)
    a_free = [i for i in range(a_nd) if i not in a_sum]
    b_free = [j for j in range(b_nd) if j not in b_sum]
    g_from_b = list(range(len(a_free), len(a_free) + len(b_free)))
    summed = np.tensordot(g, b, axes=(g_from_b, b_free))
    # summed's axes: a's free axes, then b's summed axes in increasing order, each the
    # partner of one of a's summed axes
    order = a_free + [a_sum[b_sum.index(j)] for j in sorted(b_sum)]
    return np.transpose(summed, np.argsort(order))


def tensordot_rhs(g, a, b, axes=2):
    """The adjoint of ``b`` in ``np.tensordot(a, b, axes)``; see :func:`tensordot_lhs`.
    For ``axes=1`` and matrices this is ``a.T @ g``.

    >>> tensordot_rhs(np.ones((2, 5)), np.zeros((2, 3, 4)), np.ones((4, 3, 5)),
    ...               axes=([1, 2], [1, 0])).shape
    (4, 3, 5)
    """
    a_nd, b_nd = np.ndim(a), np.ndim(b)
    a_sum, b_sum = _tensordot_axes(a_nd, b_nd, axes)
    a_free = [i for i in range(a_nd) if i not in a_sum]
    b_free = [j for j in range(b_nd) if j not in b_sum]
    summed = np.tensordot(a, g, axes=(a_free, list(range(len(a_free)))))
    order = [b_sum[a_sum.index(i)] for i in sorted(a_sum)] + b_free
    return np.transpose(summed, np.argsort(order))


@adjoint(np.tensordot)
def tensordot(g, ans, a, b, axes=2):
    """``axes`` is an int or a pair of axis sequences, as for ``np.tensordot``."""
    return tensordot_lhs(g, a, b, axes), tensordot_rhs(g, a, b, axes)


_INTERLEAVED = ("the derivative of np.einsum needs the subscripts as a string such as "
                "'ij,jk->ik', or the sublists written out in the call (np.einsum(a, [0, 1], b, "
                "[1, 2])): sublists held in variables are not supported")


def _einsum_subscripts(subscripts, ndims):
    """``([subscripts of each operand], subscripts of the result)`` of an einsum, with
    spaces dropped, ``...`` spelled out with letters the subscripts do not use, and an
    implicit result made explicit (the ellipsis axes, then the letters used once, sorted).

    >>> _einsum_subscripts('ij,jk', [2, 2])
    (['ij', 'jk'], 'ik')
    >>> _einsum_subscripts('...ij,...jk->...ik', [3, 2])
    (['Aij', 'jk'], 'Aik')
    """
    if not isinstance(subscripts, str):
        raise MissingRuleError(_INTERLEAVED)
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    inputs = inputs.split(",")
    used = set(subscripts)
    spare = [c for c in string.ascii_uppercase + string.ascii_lowercase if c not in used]
    ellipsis_nd = max([nd - len(s.replace("...", "")) for s, nd in zip(inputs, ndims)
                       if "..." in s], default=0)
    ellipsis = "".join(spare[:ellipsis_nd])
    spelled = []
    for s, nd in zip(inputs, ndims):
        if "..." in s:
            own = nd - len(s.replace("...", ""))
            s = s.replace("...", ellipsis[ellipsis_nd - own:])
        spelled.append(s)
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        counts = Counter("".join(inputs).replace(".", ""))
        output = ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1))
    return spelled, output


def einsum_operand_adjoint(g, subscripts, operands, i):
    """The adjoint of ``operands[i]`` in ``np.einsum(subscripts, *operands)`` given the
    result's adjoint ``g``.

    It is itself an einsum: ``g`` and the other operands, summed into the operand's
    subscripts. For ``'ij,jk->ik'`` it is ``np.einsum('ik,jk->ij', g, b)`` (``g @ b.T``)
    for the first operand. A letter only this operand has (``j`` of ``'ij->i'``) is
    broadcast, and a repeated letter (``'ii->i'``) puts the adjoint on the diagonal and
    zeros elsewhere.

    >>> a, b = np.ones((2, 3)), np.full((3, 4), 2.0)
    >>> einsum_operand_adjoint(np.ones((2, 4)), 'ij,jk->ik', (a, b), 0)
    array([[8., 8., 8.],
           [8., 8., 8.]])
    >>> einsum_operand_adjoint(np.array([1.0, 2.0]), 'ii->i', (np.zeros((2, 2)),), 0)
    array([[1., 0.],
           [0., 2.]])
    """
    inputs, output = _einsum_subscripts(subscripts, [np.ndim(x) for x in operands])
    mine, shape = inputs[i], np.shape(operands[i])
    others = inputs[:i] + inputs[i + 1:]
    known = set(output).union(*others)
    letters = "".join(dict.fromkeys(mine))  # each letter once, in order
    found = "".join(c for c in letters if c in known)
    result = np.einsum(",".join([output] + others) + "->" + found,
                       g, *operands[:i], *operands[i + 1:])
    size = dict(zip(mine, shape))
    broadcast = tuple(k for k, c in enumerate(found) if size[c] == 1 and result.shape[k] != 1)
    if broadcast:  # a length-1 axis of this operand broadcast against the others
        result = np.sum(result, axis=broadcast, keepdims=True)
    if found != letters:
        missing = [k for k, c in enumerate(letters) if c not in known]
        result = np.broadcast_to(np.expand_dims(result, missing), [size[c] for c in letters])
    if letters != mine:
        full = np.zeros(shape, dtype=result.dtype)
        np.einsum(mine + "->" + letters, full)[...] = result  # a writable view of the diagonal
        result = full
    return result


@adjoint(np.einsum)
def einsum(g, ans, subscripts, operand0, operand1=None, operand2=None, operand3=None,
           operand4=None, operand5=None, operand6=None, operand7=None, *, out=None,
           optimize=False, dtype=None, order="K", casting="safe"):
    """One to 8 operands, with the subscripts as a string (``'ij,jk->ik'``, implicit
    results and ``...`` included); see :func:`einsum_operand_adjoint`. A rule's
    signature is fixed, so it stops at 8 operands; a call with more is reported."""
    if not isinstance(subscripts, str):
        raise MissingRuleError(_INTERLEAVED)
    # every return has 9 items: a rule called at run time is read by its first return
    if not given(operand1):
        return (None, einsum_operand_adjoint(g, subscripts, (operand0,), 0), None, None, None, None,
                None, None, None)
    if not given(operand2):
        return (None, einsum_operand_adjoint(g, subscripts, (operand0, operand1), 0),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1), 1), None, None, None,
                None, None, None)
    if not given(operand3):
        return (None, einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2), 0),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2), 1),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2), 2), None,
                None, None, None, None)
    if not given(operand4):
        return (None,
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3), 0),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3), 1),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3), 2),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3), 3),
                None, None, None, None)
    if not given(operand5):
        return (None,
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4), 0),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4), 1),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4), 2),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4), 3),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4), 4),
                None, None, None)
    if not given(operand6):
        return (None,
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5), 0),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5), 1),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5), 2),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5), 3),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5), 4),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5), 5),
                None, None)
    if not given(operand7):
        return (None,
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5, operand6), 0),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5, operand6), 1),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5, operand6), 2),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5, operand6), 3),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5, operand6), 4),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5, operand6), 5),
                einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3,
                                                       operand4, operand5, operand6), 6),
                None)
    return (None,
            einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3, operand4,
                                                   operand5, operand6, operand7), 0),
            einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3, operand4,
                                                   operand5, operand6, operand7), 1),
            einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3, operand4,
                                                   operand5, operand6, operand7), 2),
            einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3, operand4,
                                                   operand5, operand6, operand7), 3),
            einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3, operand4,
                                                   operand5, operand6, operand7), 4),
            einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3, operand4,
                                                   operand5, operand6, operand7), 5),
            einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3, operand4,
                                                   operand5, operand6, operand7), 6),
            einsum_operand_adjoint(g, subscripts, (operand0, operand1, operand2, operand3, operand4,
                                                   operand5, operand6, operand7), 7))


def _kron_blocks(g, a, b):
    """``(g, a, b)`` reshaped so that ``g[i0, k0, i1, k1, ...] = a[i0, i1, ...] *
    b[k0, k1, ...]``: ``np.kron`` of arguments of equal rank (the smaller one gets
    leading axes of length 1)."""
    nd = max(np.ndim(a), np.ndim(b))
    a_shape = (1,) * (nd - np.ndim(a)) + np.shape(a)
    b_shape = (1,) * (nd - np.ndim(b)) + np.shape(b)
    interleaved = [n for pair in zip(a_shape, b_shape) for n in pair]
    return np.reshape(g, interleaved), np.reshape(a, a_shape), np.reshape(b, b_shape)


def kron_lhs(g, a, b):
    """The adjoint of ``a`` in ``np.kron(a, b)``: each block of ``g`` summed against ``b``.

    >>> kron_lhs(np.ones((4, 6)), np.zeros((2, 3)), np.ones((2, 2)))
    array([[4., 4., 4.],
           [4., 4., 4.]])
    """
    blocks, _, b_ = _kron_blocks(g, a, b)
    nd = np.ndim(b_)
    summed = np.tensordot(blocks, b_, axes=(list(range(1, 2 * nd, 2)), list(range(nd))))
    return np.reshape(summed, np.shape(a))


def kron_rhs(g, a, b):
    """The adjoint of ``b`` in ``np.kron(a, b)``: the blocks of ``g`` weighted by ``a``
    and added.

    >>> kron_rhs(np.ones((4, 6)), np.ones((2, 3)), np.zeros((2, 2)))
    array([[6., 6.],
           [6., 6.]])
    """
    blocks, a_, _ = _kron_blocks(g, a, b)
    nd = np.ndim(a_)
    summed = np.tensordot(a_, blocks, axes=(list(range(nd)), list(range(0, 2 * nd, 2))))
    return np.reshape(summed, np.shape(b))


@adjoint(np.kron)
def kron(g, ans, a, b):
    return kron_lhs(g, a, b), kron_rhs(g, a, b)


@adjoint(np.cross, broadcasts=True)
def cross(g, ans, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Of 3-vectors (and stacks of them): ``g . (a x b) = a . (b x g) = b . (g x a)``.
    Each adjoint is a cross product laid out like its argument. ``axis``, unless it is
    None, overrides ``axisa``, ``axisb`` and ``axisc`` (as in NumPy); where it is known
    only at run time the choice is an expression, so that the rule still inlines."""
    if is_literal(axis):
        return np.cross(b, g, axis=axis), np.cross(g, a, axis=axis)
    if given(axis):
        return (np.cross(b, g, axisa=axisb if axis is None else axis,
                         axisb=axisc if axis is None else axis,
                         axisc=axisa if axis is None else axis),
                np.cross(g, a, axisa=axisc if axis is None else axis,
                         axisb=axisa if axis is None else axis,
                         axisc=axisb if axis is None else axis))
    if axisa == -1 and axisb == -1 and axisc == -1:
        return np.cross(b, g), np.cross(g, a)
    return (np.cross(b, g, axisa=axisb, axisb=axisc, axisc=axisa),
            np.cross(g, a, axisa=axisc, axisb=axisa, axisc=axisb))


# ----- norms ---------------------------------------------------------------------------


def _split_ties(hit, axis):
    """``hit`` (where an extremum is reached) as weights that add up to 1 over ``axis``."""
    return hit / np.sum(hit, axis=axis, keepdims=True)


def norm_input_adjoint(g, ans, x, ord=None, axis=None, keepdims=False):
    """The adjoint of ``x`` in ``np.linalg.norm(x, ord, axis, keepdims)`` given the
    result's adjoint ``g``.

    Vector norms: ``None`` and 2 give ``g * x / ans``; 1 gives ``g * sign(x)``; ``inf``
    and ``-inf`` give ``g * sign(x)`` where ``|x|`` reaches the extremum, shared equally
    between ties; 0 (a count) gives zero; another ``p`` gives
    ``g * sign(x) * (|x| / ans) ** (p - 1)``. Matrix norms: ``'fro'`` and ``None`` give
    ``g * x / ans``; ``'nuc'`` gives ``g * u @ vt`` of the SVD; 2 and -2 give the outer
    product of the singular vectors of the largest (smallest) singular value; 1, -1,
    ``inf`` and ``-inf`` give ``g * sign(x)`` on the column (row) whose absolute sum is
    the extremum, shared between ties.

    Where the norm is 0 (at ``x = 0``) the gradient is 0, a subgradient; so is the sign
    of an element that is 0.

    >>> norm_input_adjoint(1.0, 5.0, np.array([3.0, -4.0]), ord=1)
    array([ 1., -1.])
    >>> norm_input_adjoint(1.0, 0.0, np.zeros(2))
    array([0., 0.])
    """
    x, axes, g, ans, safe, kind = _norm_parts(g, ans, x, ord, axis, keepdims)
    if kind == "quadratic":
        return g * x / safe
    if len(axes) == 1:
        if ord == 1:
            return g * np.sign(x)
        if ord == np.inf or ord == -np.inf:
            return g * np.sign(x) * _split_ties((np.abs(x) == ans).astype(x.dtype), axes)
        if ord == 0:
            return np.zeros_like(x * g)
        return g * np.sign(x) * (np.abs(x) / safe) ** (ord - 1)
    # a matrix norm over two axes: work on them as the last two
    rows, cols = axes
    m = np.moveaxis(x, (rows, cols), (-2, -1))
    gm = np.moveaxis(g * (ans != 0), (rows, cols), (-2, -1))  # 0 where the norm is 0
    if isinstance(ord, str) and ord == "nuc":
        u, _, vt = np.linalg.svd(m, full_matrices=False)
        gx = gm * (u @ vt)
    elif ord == 2 or ord == -2:
        u, _, vt = np.linalg.svd(m, full_matrices=False)
        k = 0 if ord == 2 else -1
        gx = gm * (u[..., :, k, None] @ vt[..., None, k, :])
    else:  # 1: the largest absolute column sum (summed along the rows); inf: row sum
        along, across = (-2, -1) if ord in (1, -1) else (-1, -2)
        sums = np.sum(np.abs(m), axis=along, keepdims=True)
        extreme = (np.max if ord > 0 else np.min)(sums, axis=across, keepdims=True)
        gx = gm * np.sign(m) * _split_ties((sums == extreme).astype(m.dtype), across)
    return np.moveaxis(gx, (-2, -1), (rows, cols))


@adjoint(np.linalg.norm)
def norm(g, ans, x, ord=None, axis=None, keepdims=False):
    """The 2-norm and the Frobenius norm give ``g * x / ans``; other orders, see
    :func:`norm_input_adjoint`. At ``x = 0`` the gradient is 0 (a subgradient)."""
    if not given(ord):
        if axis is None or keepdims:
            return g * x / np.where(ans == 0, 1, ans)
        return np.expand_dims(g / np.where(ans == 0, 1, ans), axis) * x
    return norm_input_adjoint(g, ans, x, ord, axis, keepdims)


# ----- inverses, determinants and solvers ---------------------------------------------


@adjoint(np.linalg.inv)
def inv(g, ans, a):
    """``d inv(a) = -inv(a) @ da @ inv(a)``, so the adjoint is ``-inv(a).T @ g @ inv(a).T``."""
    inv_t = np.swapaxes(ans, -1, -2)
    return -inv_t @ g @ inv_t


@adjoint(np.linalg.det)
def det(g, ans, a):
    """``d det(a) = det(a) * trace(inv(a) @ da)``: the adjoint is ``g * ans * inv(a).T``
    (``a`` must be invertible)."""
    return (g * ans)[..., None, None] * np.swapaxes(np.linalg.inv(a), -1, -2)


@adjoint(np.linalg.slogdet, outputs=2)
def slogdet(g, ans, a):
    """The sign has no gradient; ``d log|det(a)| = trace(inv(a) @ da)``."""
    return np.expand_dims(g[1], (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2)


@adjoint(np.linalg.solve)
def solve(g, ans, a, b):
    """``ans = solve(a, b)`` satisfies ``a @ ans = b``: ``b``'s adjoint is
    ``solve(a.T, g)``, and ``a``'s is minus that of ``a`` in the product ``a @ ans``
    (``-outer(gb, ans)`` for a vector ``b``, ``-gb @ ans.T`` for a matrix)."""
    gb = np.linalg.solve(np.swapaxes(a, -1, -2), g)
    return -matmul_lhs(gb, a, ans), gb


@adjoint(np.linalg.pinv)
def pinv(g, ans, a, rcond=None, hermitian=False, *, rtol=None):
    """The derivative of the pseudo-inverse ``p`` where the rank of ``a`` does not change
    (a full-rank ``a``): ``dp = -p da p + p p.T da.T (1 - a p) + (1 - p a) da.T p.T p``.
    Where small singular values are cut off the gradient is that of the cut matrix."""
    p_t = np.swapaxes(ans, -1, -2)
    g_t = np.swapaxes(g, -1, -2)
    return (-p_t @ g @ p_t + (g_t - a @ (ans @ g_t)) @ ans @ p_t
            + p_t @ ans @ (g_t - g_t @ ans @ a))


@adjoint(np.linalg.matrix_power)
def matrix_power(g, ans, a, n):
    """``n`` is usually a literal: 0, 1 and 2 are written out, other powers (and an ``n``
    known at run time only) call :func:`matrix_power_input_adjoint`, which has rules of
    its own, so the gradient can be differentiated again."""
    if is_literal(n) and n == 0:
        return np.zeros_like(g)
    if is_literal(n) and n == 1:
        return g
    if is_literal(n) and n == 2:
        a_t = np.swapaxes(a, -1, -2)
        return g @ a_t + a_t @ g
    return matrix_power_input_adjoint(g, a, n)


def matrix_power_input_adjoint(g, a, n):
    """The adjoint of ``a`` in ``np.linalg.matrix_power(a, n)`` given the result's adjoint
    ``g``: ``sum(a.T ** k @ g @ a.T ** (n - 1 - k) for k in range(n))`` for ``n > 0``; a
    negative ``n`` is the power ``-n`` of ``inv(a)``.

    >>> matrix_power_input_adjoint(np.ones((2, 2)), 2 * np.eye(2), 3)
    array([[12., 12.],
           [12., 12.]])
    """
    if n == 0:
        return np.zeros_like(a * g)
    m = abs(n)
    base = np.linalg.inv(a) if n < 0 else np.asarray(a)
    base_t = np.swapaxes(base, -1, -2)
    dtype = np.result_type(base_t, g)
    powers = [np.broadcast_to(np.eye(base.shape[-1], dtype=dtype), base.shape)]
    for _ in range(1, m):
        powers.append(powers[-1] @ base_t)  # powers[k] = base.T ** k
    total = sum(powers[k] @ g @ powers[m - 1 - k] for k in range(m))
    if n < 0:  # d inv(a) = -inv(a) @ da @ inv(a)
        return -base_t @ total @ base_t
    return total


# ----- decompositions ------------------------------------------------------------------


@adjoint(np.linalg.cholesky)
def cholesky(g, ans, a, *, upper=False):
    """For ``a = l @ l.T``: ``a``'s adjoint is ``s = inv(l).T @ phi(l.T @ g) @ inv(l)``,
    with ``phi`` keeping the lower triangle and halving the diagonal, made symmetric.

    NumPy reads only one triangle of ``a``; the gradient returned is the symmetric one
    (the derivative for a symmetric change of ``a``), as is usual: use it through a
    symmetric matrix such as ``x @ x.T`` or ``(x + x.T) / 2``."""
    if upper:  # ans = l.T
        l_inv_t = np.linalg.inv(ans)
        lower_t_g = ans @ np.swapaxes(g, -1, -2)
    else:
        l_inv_t = np.swapaxes(np.linalg.inv(ans), -1, -2)
        lower_t_g = np.swapaxes(ans, -1, -2) @ g
    phi = 0.5 * (np.tril(lower_t_g) + np.tril(lower_t_g, -1))
    s = l_inv_t @ phi @ np.swapaxes(l_inv_t, -1, -2)
    return 0.5 * (s + np.swapaxes(s, -1, -2))


def eigh_input_adjoint(g_w, g_v, w, v):
    """The adjoint of ``a`` in ``w, v = np.linalg.eigh(a)`` given the adjoints of the
    eigenvalues ``w`` and eigenvectors ``v`` (``0.0`` for an unused one).

    ``v @ (diag(g_w) + f * (v.T @ g_v)) @ v.T`` with ``f[i, j] = 1 / (w[j] - w[i])`` off
    the diagonal, made symmetric. Where two eigenvalues are equal their eigenvectors are
    not unique and the pair contributes nothing (``f`` is taken as 0 there).

    >>> w, v = np.linalg.eigh(np.diag([1.0, 2.0]))
    >>> eigh_input_adjoint(np.array([1.0, 0.0]), 0.0, w, v)
    array([[1., 0.],
           [0., 0.]])
    """
    v_t = np.swapaxes(v, -1, -2)
    if np.ndim(g_v) == 0:  # eigenvectors unused
        middle = np.zeros_like(v * g_v)
    else:
        gaps = w[..., None, :] - w[..., :, None]  # gaps[..., i, j] = w[j] - w[i]
        middle = (v_t @ g_v) / np.where(gaps == 0, np.inf, gaps)
    if np.ndim(g_w) != 0:
        np.einsum("...ii->...i", middle)[...] += g_w  # the diagonal
    adjoint_a = v @ middle @ v_t
    return 0.5 * (adjoint_a + np.swapaxes(adjoint_a, -1, -2))


@adjoint(np.linalg.eigh, outputs=2)
def eigh(g, ans, a, UPLO="L"):
    """Symmetric ``a`` with distinct eigenvalues; like :func:`cholesky`, the gradient is
    the symmetric one. See :func:`eigh_input_adjoint`."""
    return eigh_input_adjoint(g[0], g[1], ans[0], ans[1])


@adjoint(np.linalg.eigvalsh)
def eigvalsh(g, ans, a, UPLO="L"):
    """``v @ diag(g) @ v.T`` with ``v`` the eigenvectors (``np.linalg.eigh(a, UPLO)``,
    computed again), for stacks of matrices too: the eigenvalue part of :func:`eigh`'s
    rule. It is symmetric, the gradient for a symmetric change of ``a``, as for ``eigh``.
    Where eigenvalues are equal they are not differentiable one by one; the result then
    depends on the eigenvectors LAPACK picks, except for a ``g`` equal on them (a sum of
    eigenvalues, such as the trace), whose gradient is exact. Written with functions that
    have rules (``eigh``'s above all), so it can be differentiated again."""
    v = np.linalg.eigh(a, UPLO)[1]
    return (v * np.expand_dims(g, -2)) @ np.swapaxes(v, -1, -2)


# ----- forward mode: products are linear in each factor -------------------------------

multilinear(np.matmul, ast.MatMult, np.dot, np.vdot, np.inner, np.outer, np.tensordot, np.kron,
            np.cross)
# "subscripts" too: a string is never differentiated, and in the sublist form held in
# variables (np.einsum(a, s, b, t), which desugar cannot rewrite) it is the first operand
multilinear(np.einsum, params=("subscripts",) + tuple(f"operand{k}" for k in range(8)))

# The others have explicit tangent rules: norms, inverses, solvers, decompositions.


def norm_input_tangent(g, ans, x, ord=None, axis=None, keepdims=False):
    """The tangent of ``np.linalg.norm(x, ord, axis, keepdims)`` given ``x``'s tangent
    ``g``: the norm's gradient (:func:`norm_input_adjoint` for an adjoint of ones) times
    ``g``, summed over the norm's axes. Where the norm is not differentiable the tangent
    is the one of the subgradient the adjoint rule picks: 0 where the norm is 0, 0 for an
    element that is 0 under ``ord=1``, the extremum shared between ties for ``inf``.

    >>> float(norm_input_tangent(np.array([1.0, 0.5]), 7.0, np.array([3.0, -4.0]), ord=1))
    0.5
    >>> float(norm_input_tangent(np.ones((2, 2)), 0.0, np.zeros((2, 2)), ord='nuc'))
    0.0
    """
    gradient = norm_input_adjoint(np.ones_like(ans), ans, x, ord, axis, keepdims)
    return np.sum(gradient * g, axis=axis, keepdims=keepdims)


@tangent(np.linalg.norm)
def norm_tangent(g, ans, x, ord=None, axis=None, keepdims=False):
    """The 2-norm and the Frobenius norm: ``sum(x * g) / ans`` over the norm's axes;
    other orders, see :func:`norm_input_tangent`. At ``x = 0`` the tangent is 0, as the
    gradient is (the norm has no derivative there)."""
    if not given(ord):
        if not given(axis) and not given(keepdims):
            return np.sum(x * g) / np.where(ans == 0, 1, ans)
        return np.sum(x * g, axis=axis, keepdims=keepdims) / np.where(ans == 0, 1, ans)
    return norm_input_tangent(g, ans, x, ord, axis, keepdims)


@tangent(np.linalg.inv)
def inv_tangent(g, ans, a):
    """``d inv(a) = -inv(a) @ da @ inv(a)``."""
    return -ans @ g @ ans


@tangent(np.linalg.det)
def det_tangent(g, ans, a):
    """``d det(a) = det(a) * trace(inv(a) @ da)`` (``a`` must be invertible, as for the
    gradient)."""
    return ans * np.trace(np.linalg.solve(a, g), axis1=-2, axis2=-1)


@tangent(np.linalg.slogdet, outputs=2)
def slogdet_tangent(g, ans, a):
    """The sign is constant (its tangent is zeros); ``d log|det(a)| = trace(inv(a) @ da)``."""
    return np.zeros_like(ans[0]), np.trace(np.linalg.solve(a, g), axis1=-2, axis2=-1)


@tangent(np.linalg.solve)
def solve_tangent(g, ans, a, b):
    """``a @ ans = b``, so ``da @ ans + a @ d ans = db``: ``d ans = solve(a, db - da @
    ans)``, one solve per differentiated argument (a vector ``b`` and its ``ans`` are
    multiplied as vectors)."""
    return -np.linalg.solve(a, g[0] @ ans), np.linalg.solve(a, g[1])


@tangent(np.linalg.pinv)
def pinv_tangent(g, ans, a, rcond=None, hermitian=False, *, rtol=None):
    """Where the rank of ``a`` does not change (a full-rank ``a``): ``dp = -p da p
    + p p.T da.T (1 - a p) + (1 - p a) da.T p.T p``. Where small singular values are cut
    off it is the tangent of the cut matrix, as for the gradient."""
    p_t = np.swapaxes(ans, -1, -2)
    g_t = np.swapaxes(g, -1, -2)
    return (-ans @ g @ ans + ans @ p_t @ (g_t - g_t @ a @ ans)
            + (g_t - ans @ (a @ g_t)) @ p_t @ ans)


@tangent(np.linalg.matrix_power)
def matrix_power_tangent(g, ans, a, n):
    """``n`` is usually a literal: 0, 1 and 2 are written out, other powers (and an ``n``
    known at run time only) call :func:`matrix_power_input_tangent`."""
    if is_literal(n) and n == 0:
        return np.zeros_like(ans)
    if is_literal(n) and n == 1:
        return g
    if is_literal(n) and n == 2:
        return g @ a + a @ g
    return matrix_power_input_tangent(g, a, n)


def matrix_power_input_tangent(g, a, n):
    """The tangent of ``np.linalg.matrix_power(a, n)`` given ``a``'s tangent ``g``:
    ``sum(a ** k @ g @ a ** (n - 1 - k) for k in range(n))`` for ``n > 0``, built up
    power by power; a negative ``n`` is the power ``-n`` of ``inv(a)``, whose tangent
    is ``-inv(a) @ g @ inv(a)``.

    >>> matrix_power_input_tangent(np.ones((2, 2)), 2 * np.eye(2), 3)
    array([[12., 12.],
           [12., 12.]])
    """
    if n == 0:
        return np.zeros_like(a * g)
    if n < 0:
        base = np.linalg.inv(a)
        base_dot = -base @ g @ base
    else:
        base, base_dot = np.asarray(a), g
    power, total = base, base_dot  # base ** k and its tangent
    for _ in range(1, abs(n)):
        total = total @ base + power @ base_dot
        power = power @ base
    return total


@tangent(np.linalg.cholesky)
def cholesky_tangent(g, ans, a, *, upper=False):
    """For ``a = l @ l.T``: ``dl = l @ phi(inv(l) @ da @ inv(l).T)``, with ``phi`` keeping
    the lower triangle and halving the diagonal.

    Like the gradient, the tangent is the one for a symmetric change of ``a``: ``da`` is
    taken as its symmetric part ``(g + g.T) / 2`` (NumPy reads one triangle only), so the
    two rules agree."""
    if upper:  # ans = l.T
        lower = np.swapaxes(ans, -1, -2)
    else:
        lower = ans
    m = np.linalg.solve(lower, np.swapaxes(np.linalg.solve(lower, g), -1, -2))
    # phi of the symmetric part of m (inv(l) @ g.T @ inv(l).T), lower triangle
    dl = lower @ (0.5 * (np.tril(m) + np.tril(np.swapaxes(m, -1, -2), -1)))
    if upper:
        return np.swapaxes(dl, -1, -2)
    return dl


@tangent(np.linalg.eigh, outputs=2)
def eigh_tangent(g, ans, a, UPLO="L"):
    """For ``a = v @ diag(w) @ v.T`` and ``m = v.T @ da @ v``: ``dw = diag(m)`` and
    ``dv = v @ (f * m)`` with ``f[i, j] = 1 / (w[j] - w[i])`` off the diagonal.

    Like the gradient, the tangent is the one for a symmetric change of ``a`` (``da`` is
    taken as ``(g + g.T) / 2``), and where two eigenvalues are equal their eigenvectors
    are not unique and the pair contributes nothing (``f`` is taken as 0 there)."""
    m = np.swapaxes(ans[1], -1, -2) @ g @ ans[1]
    gaps = ans[0][..., None, :] - ans[0][..., :, None]  # gaps[..., i, j] = w[j] - w[i]
    return (np.diagonal(m, axis1=-2, axis2=-1).copy(),
            ans[1] @ (0.5 * (m + np.swapaxes(m, -1, -2)) / np.where(gaps == 0, np.inf, gaps)))


@tangent(np.linalg.eigvalsh)
def eigvalsh_tangent(g, ans, a, UPLO="L"):
    """``dw = diag(v.T @ da @ v)``, for stacks of matrices too: the eigenvalue part of
    :func:`eigh_tangent`. It reads ``da`` through ``v.T @ da @ v``'s diagonal, which is
    that of its symmetric part, so it is the tangent for a symmetric change of ``a``, as
    the gradient is."""
    v = np.linalg.eigh(a, UPLO)[1]
    return np.sum(v * (g @ v), axis=-2)


# ----- second order: rules of the helpers that gradient code calls ---------------------
#
# ``hessian`` runs forward mode over generated gradient code and ``grad(grad(f))`` reverse
# mode over it, so the helpers above that gradient code calls need rules too. The rules of
# each family close on themselves (an adjoint rule calls only functions that have rules,
# and those call the same ones), so that derivatives of any order are available:
#
# * a product helper (``dot_lhs`` and the like) is the adjoint of one factor of a product:
#   linear in ``g`` and in the other factor, the factor it stands for read for its shape
#   only. Its adjoint is the forward product for ``g`` (``<d, dot_lhs(g, a, b)> =
#   <np.dot(d, b), g>``) and the other factor's helper for the other factor.
# * ``einsum_operand_adjoint`` is linear in ``g`` and in every other operand: its adjoint
#   is ``np.einsum`` (for ``g``) and itself (for the other operands).
# * ``matrix_power_input_adjoint(g, a, n)`` is the Frechet derivative of the ``n``-th
#   power at ``a.T`` along ``g``; its derivative in ``a`` is the upper right block of the
#   same function of the block matrix ``[[a.T, g], [0, a.T]]``.
# * ``eigh_input_adjoint`` and ``norm_input_adjoint`` are linear in the adjoints and
#   nonlinear in the forward results (``w, v``; ``ans, x``), which are differentiated as
#   independent arguments (the chain rule through ``eigh`` and ``norm`` does the rest).


@adjoint(dot_lhs)
def dot_lhs_(d, ans, g, a, b):
    """``<d, dot_lhs(g, a, b)> = <np.dot(d, b), g>``: for ``g`` the product with ``d`` in
    ``a``'s place, for ``b`` the adjoint of ``b`` in that product."""
    return unbroadcast(np.dot(d, b), g), None, dot_rhs(g, d, b)


@adjoint(dot_rhs)
def dot_rhs_(d, ans, g, a, b):
    """``<d, dot_rhs(g, a, b)> = <np.dot(a, d), g>``; see :func:`dot_lhs_`."""
    return unbroadcast(np.dot(a, d), g), dot_lhs(g, a, d), None


@adjoint(inner_lhs)
def inner_lhs_(d, ans, g, a, b):
    """``<d, inner_lhs(g, a, b)> = <np.inner(d, b), g>``."""
    return unbroadcast(np.inner(d, b), g), None, inner_rhs(g, d, b)


@adjoint(inner_rhs)
def inner_rhs_(d, ans, g, a, b):
    """``<d, inner_rhs(g, a, b)> = <np.inner(a, d), g>``."""
    return unbroadcast(np.inner(a, d), g), inner_lhs(g, a, d), None


@adjoint(tensordot_lhs)
def tensordot_lhs_(d, ans, g, a, b, axes=2):
    """``<d, tensordot_lhs(g, a, b, axes)> = <np.tensordot(d, b, axes), g>``."""
    return unbroadcast(np.tensordot(d, b, axes), g), None, tensordot_rhs(g, d, b, axes), None


@adjoint(tensordot_rhs)
def tensordot_rhs_(d, ans, g, a, b, axes=2):
    """``<d, tensordot_rhs(g, a, b, axes)> = <np.tensordot(a, d, axes), g>``."""
    return unbroadcast(np.tensordot(a, d, axes), g), tensordot_lhs(g, a, d, axes), None, None


@adjoint(kron_lhs)
def kron_lhs_(d, ans, g, a, b):
    """``<d, kron_lhs(g, a, b)> = <np.kron(d, b), g>``."""
    return unbroadcast(np.kron(d, b), g), None, kron_rhs(g, d, b)


@adjoint(kron_rhs)
def kron_rhs_(d, ans, g, a, b):
    """``<d, kron_rhs(g, a, b)> = <np.kron(a, d), g>``."""
    return unbroadcast(np.kron(a, d), g), kron_lhs(g, a, d), None


# each is linear in g and in the factor it does not stand for (never in that one, which
# is read for its shape only)
multilinear(dot_lhs, inner_lhs, kron_lhs, tensordot_lhs, params=("g", "b"))
multilinear(dot_rhs, inner_rhs, kron_rhs, tensordot_rhs, params=("g", "a"))


def einsum_replaced(subscripts, operands, i, d):
    """``np.einsum(subscripts, *operands)`` with ``d`` in operand ``i``'s place.

    >>> float(einsum_replaced('i,i,i,i->', [np.ones(2)] * 4, 1, np.arange(2.0)))
    1.0
    """
    return np.einsum(subscripts, *operands[:i], d, *operands[i + 1:])


def einsum_replaced_adjoints(g, subscripts, operands, i, d):
    """The adjoints of ``operands`` in ``<g, einsum_replaced(subscripts, operands, i,
    d)>``: zeros for operand ``i`` (read for its shape only), each other's adjoint in
    that einsum.

    >>> [float(x[0]) for x in einsum_replaced_adjoints(1.0, 'i,i,i,i->', [np.ones(2)] * 4, 1,
    ...                                                 np.arange(2.0))]
    [0.0, 0.0, 0.0, 0.0]
    """
    replaced = tuple(operands[:i]) + (d,) + tuple(operands[i + 1:])
    return tuple(zeros_like(operands[j]) if j == i
                 else einsum_operand_adjoint(g, subscripts, replaced, j)
                 for j in range(len(operands)))


def einsum_replaced_tangents(g, subscripts, operands, i, tangents):
    """The tangent of ``einsum_operand_adjoint(g, subscripts, operands, i)`` from the
    other operands' ``tangents``: one einsum adjoint per other operand, with that
    operand replaced by its tangent.

    >>> float(einsum_replaced_tangents(1.0, 'i,i,i,i->', [np.ones(2)] * 4, 0,
    ...                                [np.ones(2)] * 4)[0])
    3.0
    """
    total = 0.0
    for j in range(len(operands)):
        if j != i:
            replaced = tuple(operands[:j]) + (tangents[j],) + tuple(operands[j + 1:])
            total = total + einsum_operand_adjoint(g, subscripts, replaced, i)
    return total


@adjoint(einsum_operand_adjoint)
def einsum_operand_adjoint_(d, ans, g, subscripts, operands, i):
    """``<d, einsum_operand_adjoint(g, s, operands, i)>`` is ``<g, np.einsum(s, ...)>``
    with ``d`` in operand ``i``'s place: for ``g`` that einsum, for another operand ``j``
    its adjoint in that einsum, ``einsum_operand_adjoint(g, s, (..., d, ...), j)``.
    Operand ``i`` is read for its shape only (zeros). One to three operands; with a
    literal ``i`` and a display of the operands (as gradient code has them) the rule is
    written out. More than three operands: the same, through :func:`einsum_replaced`
    and :func:`einsum_replaced_adjoints`."""
    if len(operands) > 3:
        return (einsum_replaced(subscripts, operands, i, d), None,
                einsum_replaced_adjoints(g, subscripts, operands, i, d), None)
    if len(operands) == 1:
        return np.einsum(subscripts, d), None, (zeros_like(operands[0]),), None
    if len(operands) == 2:
        if i == 0:
            return (np.einsum(subscripts, d, operands[1]), None,
                    (zeros_like(operands[0]),
                     einsum_operand_adjoint(g, subscripts, (d, operands[1]), 1)), None)
        return (np.einsum(subscripts, operands[0], d), None,
                (einsum_operand_adjoint(g, subscripts, (operands[0], d), 0),
                 zeros_like(operands[1])), None)
    if i == 0:
        return (np.einsum(subscripts, d, operands[1], operands[2]), None,
                (zeros_like(operands[0]),
                 einsum_operand_adjoint(g, subscripts, (d, operands[1], operands[2]), 1),
                 einsum_operand_adjoint(g, subscripts, (d, operands[1], operands[2]), 2)), None)
    if i == 1:
        return (np.einsum(subscripts, operands[0], d, operands[2]), None,
                (einsum_operand_adjoint(g, subscripts, (operands[0], d, operands[2]), 0),
                 zeros_like(operands[1]),
                 einsum_operand_adjoint(g, subscripts, (operands[0], d, operands[2]), 2)), None)
    return (np.einsum(subscripts, operands[0], operands[1], d), None,
            (einsum_operand_adjoint(g, subscripts, (operands[0], operands[1], d), 0),
             einsum_operand_adjoint(g, subscripts, (operands[0], operands[1], d), 1),
             zeros_like(operands[2])), None)


@tangent(einsum_operand_adjoint)
def einsum_operand_adjoint_tangent(t, ans, g, subscripts, operands, i):
    """Linear in ``g`` and in each operand but the ``i``-th (read for its shape only):
    one term for ``g``'s tangent ``t[0]`` and one per other operand's (in ``t[2]``)."""
    if len(operands) > 3:
        return (einsum_operand_adjoint(t[0], subscripts, operands, i), None,
                einsum_replaced_tangents(g, subscripts, operands, i, t[2]), None)
    if len(operands) == 1:
        return einsum_operand_adjoint(t[0], subscripts, operands, i), None, zeros_like(ans), None
    if len(operands) == 2:
        if i == 0:
            return (einsum_operand_adjoint(t[0], subscripts, operands, i), None,
                    einsum_operand_adjoint(g, subscripts, (operands[0], t[2][1]), 0), None)
        return (einsum_operand_adjoint(t[0], subscripts, operands, i), None,
                einsum_operand_adjoint(g, subscripts, (t[2][0], operands[1]), 1), None)
    if i == 0:
        return (einsum_operand_adjoint(t[0], subscripts, operands, i), None,
                einsum_operand_adjoint(g, subscripts, (operands[0], t[2][1], operands[2]), 0)
                + einsum_operand_adjoint(g, subscripts, (operands[0], operands[1], t[2][2]), 0),
                None)
    if i == 1:
        return (einsum_operand_adjoint(t[0], subscripts, operands, i), None,
                einsum_operand_adjoint(g, subscripts, (t[2][0], operands[1], operands[2]), 1)
                + einsum_operand_adjoint(g, subscripts, (operands[0], operands[1], t[2][2]), 1),
                None)
    return (einsum_operand_adjoint(t[0], subscripts, operands, i), None,
            einsum_operand_adjoint(g, subscripts, (t[2][0], operands[1], operands[2]), 2)
            + einsum_operand_adjoint(g, subscripts, (operands[0], t[2][1], operands[2]), 2),
            None)


def _blocks(top_left, top_right, bottom_left, bottom_right):
    """The (stacks of) block matrices ``[[top_left, top_right], [bottom_left,
    bottom_right]]``."""
    return np.concatenate([np.concatenate([top_left, top_right], axis=-1),
                           np.concatenate([bottom_left, bottom_right], axis=-1)], axis=-2)


@adjoint(matrix_power_input_adjoint)
def matrix_power_input_adjoint_(d, ans, g, a, n):
    """With ``L(y, e)`` the derivative of the ``n``-th power at ``y`` along ``e``,
    ``ans = L(a.T, g)``, whose adjoint in ``g`` is ``L(a, d)`` and whose derivative in
    ``a`` is the upper right block of ``L(z, [[da.T, 0], [0, da.T]])`` for ``z = [[a.T, g],
    [0, a.T]]``; the adjoint of that is read off ``L(z.T, [[0, d], [0, 0]])`` (the sum of
    its diagonal blocks, transposed). Every ``L`` is this helper again."""
    a_t = np.swapaxes(a, -1, -2)
    zero = np.zeros_like(g)
    m = np.shape(a)[-1]
    z = np.concatenate([np.concatenate([a_t, g], axis=-1),
                        np.concatenate([zero, a_t], axis=-1)], axis=-2)
    e = np.concatenate([np.concatenate([zero, d], axis=-1),
                        np.concatenate([zero, zero], axis=-1)], axis=-2)
    k = matrix_power_input_adjoint(e, z, n)
    return (matrix_power_input_adjoint(d, a_t, n),
            np.swapaxes(k[..., :m, :m] + k[..., m:, m:], -1, -2), None)


def matrix_power_input_adjoint_a_tangent(a_dot, g, a, n):
    """The derivative of ``matrix_power_input_adjoint(g, a, n)`` in ``a`` along ``a_dot``:
    the upper right block of the tangent of the power of ``[[a.T, g], [0, a.T]]`` along
    ``[[a_dot.T, 0], [0, a_dot.T]]``.

    >>> float(matrix_power_input_adjoint_a_tangent(np.ones((1, 1)), np.ones((1, 1)),
    ...                                             2 * np.ones((1, 1)), 3)[0, 0])
    12.0
    """
    a_t, e_t = np.swapaxes(a, -1, -2), np.swapaxes(a_dot, -1, -2)
    zero = np.zeros(np.broadcast_shapes(np.shape(a), np.shape(g), np.shape(a_dot)),
                    dtype=np.result_type(a, g, a_dot))
    m = np.shape(a)[-1]
    total = matrix_power_input_tangent(_blocks(e_t + zero, zero, zero, e_t + zero),
                                       _blocks(a_t + zero, g + zero, zero, a_t + zero), n)
    return total[..., :m, m:]


@tangent(matrix_power_input_adjoint)
def matrix_power_input_adjoint_tangent(t, ans, g, a, n):
    """Linear in ``g``; in ``a`` see :func:`matrix_power_input_adjoint_a_tangent`."""
    return (matrix_power_input_adjoint(t[0], a, n),
            matrix_power_input_adjoint_a_tangent(t[1], g, a, n), None)


@adjoint(eigh_input_adjoint)
def eigh_input_adjoint_(d, ans, g_w, g_v, w, v):
    """``ans = sym(v @ m @ v.T)`` with ``m = diag(g_w) + f * c``, ``c = v.T @ g_v`` and
    ``f[i, j] = 1 / (w[j] - w[i])`` (0 where equal), ``sym(k) = (k + k.T) / 2``. With
    ``s = sym(d)`` and ``p = v.T @ s @ v``: ``g_w`` gets ``diag(p)``, ``g_v`` gets ``v @ (f
    * p)``, ``w`` gets the sums of ``q = p * c * f ** 2`` along rows less those along
    columns (``df = -f ** 2 * (dw[j] - dw[i])``), and ``v`` gets ``s @ v @ (m + m.T) + g_v
    @ (f * p).T``. Exact where the eigenvalues are distinct; the adjoints are arrays (as
    gradient code passes them)."""
    v_t = np.swapaxes(v, -1, -2)
    gaps = w[..., None, :] - w[..., :, None]
    f = 1 / np.where(gaps == 0, np.inf, gaps)
    s = 0.5 * (d + np.swapaxes(d, -1, -2))
    p = v_t @ s @ v
    c = v_t @ g_v
    fc = f * c
    fp = f * p
    q = p * c * f * f
    sv = s @ v
    return (np.diagonal(p, axis1=-2, axis2=-1), v @ fp,
            np.sum(q, axis=-1) - np.sum(q, axis=-2),
            sv @ (fc + np.swapaxes(fc, -1, -2)) + 2 * sv * np.expand_dims(g_w, -2)
            + g_v @ np.swapaxes(fp, -1, -2))


def eigh_input_adjoint_w_tangent(w_dot, g_v, w, v):
    """The derivative of ``eigh_input_adjoint(g_w, g_v, w, v)`` in ``w`` along ``w_dot``:
    ``sym(v @ (df * (v.T @ g_v)) @ v.T)`` with ``df[i, j] = -(w_dot[j] - w_dot[i]) /
    (w[j] - w[i]) ** 2`` (0 where the eigenvalues are equal).

    >>> eigh_input_adjoint_w_tangent(np.array([0.0, 1.0]), np.array([[0.0, 2.0], [0.0, 0.0]]),
    ...                              np.array([1.0, 2.0]), np.eye(2))
    array([[ 0., -1.],
           [-1.,  0.]])
    """
    v_t = np.swapaxes(v, -1, -2)
    gaps = w[..., None, :] - w[..., :, None]
    f = 1 / np.where(gaps == 0, np.inf, gaps)
    f_dot = -f * f * (w_dot[..., None, :] - w_dot[..., :, None])
    k = v @ (f_dot * (v_t @ g_v)) @ v_t
    return 0.5 * (k + np.swapaxes(k, -1, -2))


def eigh_input_adjoint_v_tangent(v_dot, g_w, g_v, w, v):
    """The derivative of ``eigh_input_adjoint(g_w, g_v, w, v)`` in ``v`` along ``v_dot``:
    ``sym(v_dot @ m @ v.T + v @ m @ v_dot.T + v @ (f * (v_dot.T @ g_v)) @ v.T)`` with
    ``m = diag(g_w) + f * (v.T @ g_v)`` (see :func:`eigh_input_adjoint_`).

    >>> eigh_input_adjoint_v_tangent(np.eye(2), np.array([1.0, 0.0]), np.zeros((2, 2)),
    ...                              np.array([1.0, 2.0]), np.eye(2))
    array([[2., 0.],
           [0., 0.]])
    """
    v_t = np.swapaxes(v, -1, -2)
    gaps = w[..., None, :] - w[..., :, None]
    f = 1 / np.where(gaps == 0, np.inf, gaps)
    fc = f * (v_t @ g_v)
    g_row = np.expand_dims(g_w, -2)  # times g_row: times diag(g_w) on the right
    k = ((v_dot @ fc + v_dot * g_row) @ v_t + (v @ fc + v * g_row) @ np.swapaxes(v_dot, -1, -2)
         + v @ (f * (np.swapaxes(v_dot, -1, -2) @ g_v)) @ v_t)
    return 0.5 * (k + np.swapaxes(k, -1, -2))


@tangent(eigh_input_adjoint)
def eigh_input_adjoint_tangent(t, ans, g_w, g_v, w, v):
    """Linear in ``g_w`` and ``g_v``; in ``w`` and ``v`` see
    :func:`eigh_input_adjoint_w_tangent` and :func:`eigh_input_adjoint_v_tangent`."""
    return (eigh_input_adjoint(t[0], 0.0, w, v), eigh_input_adjoint(0.0, t[1], w, v),
            eigh_input_adjoint_w_tangent(t[2], g_v, w, v),
            eigh_input_adjoint_v_tangent(t[3], g_w, g_v, w, v))


def _norm_parts(g, ans, x, ord, axis, keepdims):
    """``(x, axes, g, ans, safe, kind)`` of ``norm_input_adjoint(g, ans, x, ord, axis,
    keepdims)``: ``g`` and ``ans`` with the norm's axes kept (length 1), ``safe`` is
    ``ans`` with 1 for 0, and ``kind`` says how the gradient depends on ``x`` and ``ans``:
    ``'quadratic'`` (``g * x / ans``), ``'power'`` (``g * sign(x) * (|x| / ans) ** (p -
    1)``), ``'singular'`` (through the singular vectors: ``'nuc'``, matrix 2 and -2) or
    ``'flat'`` (piecewise constant: vector 0, 1 and +-inf, matrix +-1 and +-inf)."""
    x = np.asarray(x)
    if axis is None:
        axes = tuple(range(x.ndim))
    elif np.ndim(axis) == 0:
        axes = (int(axis) % x.ndim,)
    else:
        axes = tuple(int(i) % x.ndim for i in axis)
    if not keepdims:
        g, ans = np.expand_dims(g, axes), np.expand_dims(ans, axes)
    safe = np.where(ans == 0, 1, ans)
    if ord is None or (isinstance(ord, str) and ord == "fro") or (len(axes) == 1 and ord == 2):
        kind = "quadratic"
    elif len(axes) == 1:
        kind = "flat" if ord in (0, 1, np.inf, -np.inf) else "power"
    elif (isinstance(ord, str) and ord == "nuc") or ord in (2, -2):
        kind = "singular"
    elif ord in (1, -1, np.inf, -np.inf):
        kind = "flat"
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    return x, axes, g, ans, safe, kind


def _singular_vectors_tangent(m, e, ord):
    """The derivative along ``e`` of the gradient of a matrix norm of (stacks of) ``m``
    that depends on the singular values only: ``u @ vt`` for ``'nuc'``, the outer product
    of the first (``2``) or last (``-2``) singular vectors. With ``m = u s vt`` (thin),
    ``c = u.T @ e @ v`` and ``w`` the weights of the singular values (1 each for
    ``'nuc'``) this is ``u @ x @ vt + (1 - u u.T) e v diag(w / s) vt + u diag(w / s) u.T
    e (1 - v vt)`` with ``x[i, j] = (c[i, j] (s[j] w[j] - s[i] w[i]) + c[j, i] (s[i]
    w[j] - s[j] w[i])) / (s[j] ** 2 - s[i] ** 2)`` (for ``'nuc'``: ``(c - c.T)[i, j] /
    (s[i] + s[j])``). It is the Hessian of a sum of singular values, so symmetric."""
    u, s, vt = np.linalg.svd(m, full_matrices=False)
    u_t, v = np.swapaxes(u, -1, -2), np.swapaxes(vt, -1, -2)
    c = u_t @ e @ v
    c_t = np.swapaxes(c, -1, -2)
    s_i, s_j = s[..., :, None], s[..., None, :]
    if isinstance(ord, str):  # 'nuc'
        weights = np.ones_like(s)
        total = s_i + s_j
        middle = (c - c_t) / np.where(total == 0, np.inf, total)
    else:
        weights = np.zeros_like(s)
        weights[..., 0 if ord > 0 else -1] = 1
        w_i, w_j = weights[..., :, None], weights[..., None, :]
        gaps = s_j * s_j - s_i * s_i
        middle = (c * (s_j * w_j - s_i * w_i) + c_t * (s_i * w_j - s_j * w_i)) / np.where(
            gaps == 0, np.inf, gaps)
    scaled = np.where(weights == 0, 0, weights / np.where(s == 0, 1, s))[..., None, :]
    return (u @ middle @ vt + (e - u @ (u_t @ e)) @ (v * scaled) @ vt
            + (u * scaled) @ u_t @ (e - (e @ v) @ vt))


def norm_input_adjoint_x_tangent(v, g, ans, x, ord=None, axis=None, keepdims=False):
    """The derivative of ``norm_input_adjoint(g, ans, x, ord, axis, keepdims)`` in ``x``
    along ``v`` (``ans`` held): ``g * v / ans`` for the 2-norm and the Frobenius norm,
    ``(p - 1) g / ans (|x| / ans) ** (p - 2) v`` for another vector ``p``, 0 where the
    gradient is piecewise constant, and for ``'nuc'`` and the matrix 2-norms ``g`` times
    the derivative of the singular vectors' product. The map ``v -> ...`` is symmetric, so
    it is also the adjoint in ``x``.

    >>> norm_input_adjoint_x_tangent(np.array([1.0, 0.0]), 2.0, 5.0, np.array([3.0, 4.0]))
    array([0.4, 0. ])
    """
    x, axes, g, ans, safe, kind = _norm_parts(g, ans, x, ord, axis, keepdims)
    if kind == "quadratic":
        return g * v / safe
    if kind == "power":
        return (ord - 1) * g / safe * (np.abs(x) / safe) ** (ord - 2) * v
    if kind == "flat":
        return np.zeros_like(x * g * v)
    rows, cols = axes
    m = np.moveaxis(x, (rows, cols), (-2, -1))
    e = np.moveaxis(np.broadcast_to(v, x.shape), (rows, cols), (-2, -1))
    gm = np.moveaxis(g * (ans != 0), (rows, cols), (-2, -1))
    return np.moveaxis(gm * _singular_vectors_tangent(m, e, ord), (-2, -1), (rows, cols))


def _norm_ans_partial(g, ans, x, ord, axis, keepdims):
    """``(d norm_input_adjoint / d ans, axes)``, the first of ``x``'s shape: ``-g * x /
    ans ** 2`` (2-norm, Frobenius), ``-(p - 1) g sign(x) (|x| / ans) ** (p - 1) / ans``
    (vector ``p``), 0 for the others and where ``ans`` is 0."""
    x, axes, g, ans, safe, kind = _norm_parts(g, ans, x, ord, axis, keepdims)
    if kind == "quadratic":
        return -g * x / (safe * safe) * (ans != 0), axes
    if kind == "power":
        power = (np.abs(x) / safe) ** (ord - 1)
        return (1 - ord) * g * np.sign(x) * power / safe * (ans != 0), axes
    return np.zeros_like(x * g), axes


def norm_input_adjoint_ans_tangent(t, g, ans, x, ord=None, axis=None, keepdims=False):
    """The derivative of ``norm_input_adjoint(g, ans, x, ord, axis, keepdims)`` in ``ans``
    along ``t`` (``ans``'s shape); see :func:`_norm_ans_partial`.

    >>> norm_input_adjoint_ans_tangent(1.0, 2.0, 5.0, np.array([3.0, 4.0]))
    array([-0.24, -0.32])
    """
    partial, axes = _norm_ans_partial(g, ans, x, ord, axis, keepdims)
    return partial * (t if keepdims else np.expand_dims(t, axes))


def norm_input_adjoint_ans_adjoint(d, g, ans, x, ord=None, axis=None, keepdims=False):
    """The adjoint of ``ans`` in ``norm_input_adjoint(g, ans, x, ord, axis, keepdims)``
    given the result's adjoint ``d`` (``x``'s shape), of ``ans``'s shape.

    >>> float(norm_input_adjoint_ans_adjoint(np.ones(2), 2.0, 5.0, np.array([3.0, 4.0])))
    -0.56
    """
    partial, axes = _norm_ans_partial(g, ans, x, ord, axis, keepdims)
    return np.sum(partial * d, axis=axes, keepdims=keepdims)


@adjoint(norm_input_adjoint)
def norm_input_adjoint_(d, res, g, ans, x, ord=None, axis=None, keepdims=False):
    """Linear in ``g``: its adjoint is ``sum(d * gradient)`` over the norm's axes. ``ans``
    and ``x`` are differentiated as independent arguments. Where ``ord``, ``axis`` and
    ``keepdims`` are literals the common cases are written out with NumPy functions (so
    that they can be differentiated again): the 2-norm and the Frobenius norm (``res = g *
    x / ans``), a vector ``p``-norm (``g * sign(x) * (|x| / ans) ** (p - 1)``) and the
    orders whose gradient is piecewise constant (0 and 1). The others (``inf``, ``'nuc'``,
    the matrix 2-norms, an order only known at run time) call helpers:
    :func:`norm_input_tangent`, :func:`norm_input_adjoint_ans_adjoint` and
    :func:`norm_input_adjoint_x_tangent` (symmetric, so its own adjoint)."""
    if ord is None or (isinstance(ord, str) and ord == "fro") or (is_literal(axis) and ord == 2):
        safe = np.where(ans == 0, 1, ans)
        dot = np.sum(d * x, axis=axis, keepdims=keepdims)
        if axis is None or keepdims:
            return (dot / safe, np.where(ans == 0, 0, -g * dot / (safe * safe)), g / safe * d,
                    None, None, None)
        return (dot / safe, np.where(ans == 0, 0, -g * dot / (safe * safe)),
                np.expand_dims(g / safe, axis) * d, None, None, None)
    if ord in (0, 1) or (isinstance(axis, tuple) and ord == -1):
        return (np.sum(d * norm_input_adjoint(np.ones_like(ans), ans, x, ord, axis, keepdims),
                       axis=axis, keepdims=keepdims), None, None, None, None, None)
    if is_literal(ord) and abs(ord) < 1e308 and (ord not in (-2, -1, 2) or is_literal(axis)):
        safe = np.where(ans == 0, 1, ans)
        if axis is None or keepdims:
            kept_safe = safe
            kept_g = g
        else:
            kept_safe = np.expand_dims(safe, axis)
            kept_g = np.expand_dims(g, axis)
        ratio = np.abs(x) / kept_safe
        dot = np.sum(d * np.sign(x) * ratio ** (ord - 1), axis=axis, keepdims=keepdims)
        return (dot, np.where(ans == 0, 0, -(ord - 1) * g * dot / safe),
                (ord - 1) * kept_g / kept_safe * ratio ** (ord - 2) * d, None, None, None)
    return (norm_input_tangent(d, ans, x, ord, axis, keepdims),
            norm_input_adjoint_ans_adjoint(d, g, ans, x, ord, axis, keepdims),
            norm_input_adjoint_x_tangent(d, g, ans, x, ord, axis, keepdims), None, None, None)


@tangent(norm_input_adjoint)
def norm_input_adjoint_tangent(t, res, g, ans, x, ord=None, axis=None, keepdims=False):
    """Linear in ``g``; in ``ans`` and ``x`` see :func:`norm_input_adjoint_ans_tangent`
    and :func:`norm_input_adjoint_x_tangent`."""
    return (norm_input_adjoint(t[0], ans, x, ord, axis, keepdims),
            norm_input_adjoint_ans_tangent(t[1], g, ans, x, ord, axis, keepdims),
            norm_input_adjoint_x_tangent(t[2], g, ans, x, ord, axis, keepdims), None, None, None)
