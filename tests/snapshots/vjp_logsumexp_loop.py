def vjp_logsumexp_loop(x):
    # saved_t3: _t3 before each 'if x[i] > m:' changes it
    saved_t3 = []
    # saved_m: m before each 'm = x[i]' changes it
    saved_m = []
    # saved_t7: _t7 before each 's = s + np.exp(x[i] - m)' changes it
    saved_t7 = []
    # saved_s: s before each 's = s + np.exp(x[i] - m)' changes it
    saved_s = []
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
        _t5 = x[i]
        saved_t7.append(_t7)
        _t7 = np.exp(_t5 - m)
        saved_s.append(s)
        s = s + _t7
    _t9 = np.log(s)
    out = m + _t9

    def pullback(dout, _t3=_t3, _t7=_t7, m=m, s=s, saved_m=saved_m, saved_s=saved_s, saved_t3=saved_t3, saved_t7=saved_t7):
        saved_m = saved_m.copy()
        saved_s = saved_s.copy()
        saved_t3 = saved_t3.copy()
        saved_t7 = saved_t7.copy()
        # return m + np.log(s)
        dm = unbroadcast(dout, m)
        ds = unbroadcast(dout, _t9) / s
        # for i in range(len(x)):
        dx = zeros_like(x)
        for i in reversed(range(_t4)):
            _t5 = x[i]
            # s = s + np.exp(x[i] - m)
            d_t8 = ds
            s = saved_s.pop()
            ds = unbroadcast(d_t8, s)
            d_t6 = unbroadcast(d_t8, _t7) * _t7
            _t7 = saved_t7.pop()
            dm = dm + unbroadcast(-d_t6, m)
            dx[i] += unbroadcast(d_t6, _t5)
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
    return (out, pullback)
