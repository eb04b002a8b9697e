def grad_list_accumulator_stack(x, W, dout=1.0):
    # saved_h: h before each 'h = np.tanh(W @ h)' changes it
    saved_h = []
    out = []
    h = x
    for i in range(3):
        saved_h.append(h)
        h = np.tanh(W @ h)
        out.append(h)
    # return np.sum(np.stack(out) ** 2)
    dout_1 = list(dout * 2 * np.stack(out))
    # for i in range(3):
    dW = zeros_like(W)
    dh = zeros_like(h)
    for i in reversed(range(3)):
        # out.append(h)
        dh = dh + dout_1.pop()
        # h = np.tanh(W @ h)
        d_t1 = dh * (1 - h * h)
        h = saved_h.pop()
        dW += matmul_lhs(d_t1, W, h)
        dh = matmul_rhs(d_t1, W, h)
    # h = x
    dx = dh
    return (dx, dW)
