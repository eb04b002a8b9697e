def grad_squared_norm(W, x, dout=1.0):
    q = W @ x
    # return np.sum(q ** 2)
    dq = dout * 2 * q
    # q = W @ x
    dW = matmul_lhs(dq, W, x)
    dx = matmul_rhs(dq, W, x)
    return (dW, dx)
