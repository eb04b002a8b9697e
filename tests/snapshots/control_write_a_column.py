def grad_write_a_column(x, c, dout=1.0):
    # saved_t3: _t3 before each 'y[:, k] = y[:, k] * c[k]' changes it
    saved_t3 = []
    # saved_t5: _t5 before each 'y[:, k] = y[:, k] * c[k]' changes it
    saved_t5 = []
    _t3 = None
    _t5 = None
    y = x * 1.0
    _t2 = y.shape[1]
    for k in range(_t2):
        saved_t3.append(_t3)
        _t3 = y[:, k].copy()
        _t4 = c[k]
        saved_t5.append(_t5)
        _t5 = _t3 * _t4
        y[:, k] = _t5
    # return np.sum(np.sin(y))
    dy = dout * np.cos(y)
    # for k in range(y.shape[1]):
    dc = zeros_like(c)
    for k in reversed(range(_t2)):
        _t4 = c[k]
        # y[:, k] = y[:, k] * c[k]
        d_t5 = unbroadcast(dy[:, k].copy(), _t5)
        dy[:, k] = 0.0
        _t5 = saved_t5.pop()
        dc[k] += unbroadcast(d_t5 * _t3, _t4)
        dy[:, k] += unbroadcast(d_t5 * _t4, _t3)
        _t3 = saved_t3.pop()
    # y = x * 1.0
    dx = dy
    return (dx, dc)
