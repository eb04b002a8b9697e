def grad_index_2d(x, dout=1.0):
    _t1 = x[:, 0]
    _t2 = x[1, :]
    _t3 = _t1 * _t2
    out = np.sum(_t3) + x[1, 2]
    ensure_scalar(out, 'index_2d')
    # return np.sum(x[:, 0] * x[1, :]) + x[1, 2]
    dx = np.zeros_like(x)
    dx[1, 2] = dout
    d_t3 = np.full(np.shape(_t3), dout)
    dx[1, :] += unbroadcast(d_t3 * _t1, _t2)
    dx[:, 0] += unbroadcast(d_t3 * _t2, _t1)
    return dx
