def grad_logsumexp_loop(x, dout=1.0):
    # saved_t3: _t3 before each 'if x[i] > m:' changes it
    saved_t3 = []
    # saved_m: m before each 'm = x[i]' changes it
    saved_m = []
    # saved_t7: _t7 before each 's = s + np.exp(x[i] - m)' changes it
    saved_t7 = []
    _t3 = None
    _t7 = None
    m = x[0]
    _t1 = len(x)
    for i in range(1, _t1):
        saved_t3.append(_t3)
        _t3 = x[i] > m
        if _t3:
            saved_m.append(m)
            m = x[i]
    s = 0.0
    _t4 = len(x)
    for i in range(_t4):
        saved_t7.append(_t7)
        _t7 = np.exp(x[i] - m)
        s = s + _t7
    out = m + np.log(s)
    ensure_scalar(out, 'logsumexp_loop')
    # return m + np.log(s)
    dm = unbroadcast(dout, m)
    ds = dout / s
    # for i in range(len(x)):
    dx = zeros_like(x)
    for i in reversed(range(_t4)):
        # s = s + np.exp(x[i] - m)
        d_t6 = ds * _t7
        _t7 = saved_t7.pop()
        dm = dm + unbroadcast(-d_t6, m)
        dx[i] += d_t6
    # for i in range(1, len(x)):
    for i in reversed(range(1, _t1)):
        # if x[i] > m:
        if _t3:
            # m = x[i]
            dx[i] += dm
            m = saved_m.pop()
            dm = zeros_like(m)
        _t3 = saved_t3.pop()
    # m = x[0]
    dx[0] += dm
    return dx
