def grad_early_return_in_loop(x, threshold, dout=1.0):
    # saved_i: i before each 'for i in range(len(x)):' changes it
    saved_i = []
    # saved_t6: _t6 before each 's = s + x[i]' changes it
    saved_t6 = []
    # saved_s: s before each 's = s + x[i]' changes it
    saved_s = []
    # saved_t8: _t8 before each 'if s > threshold:' changes it
    saved_t8 = []
    # saved_out: out before each 'return s * 2.0' changes it
    saved_out = []
    _t6 = None
    _t8 = None
    i = None
    out = None
    _returned = False
    s = 0.0
    _range1 = range(len(x))
    _k1 = 0
    _t2 = _k1 < len(_range1)
    if _t2:
        _t2 = not _returned
    _n1 = 0
    while _t2:
        _n1 = _n1 + 1
        saved_i.append(i)
        i = _range1[_k1]
        _k1 = _k1 + 1
        saved_t6.append(_t6)
        _t6 = x[i]
        saved_s.append(s)
        s = s + _t6
        saved_t8.append(_t8)
        _t8 = s > threshold
        if _t8:
            saved_out.append(out)
            out = s * 2.0
            _returned = True
        _t2 = _k1 < len(_range1)
        if _t2:
            _t2 = not _returned
    _t11 = not _returned
    if _t11:
        saved_out_1 = out
        out = s
    ensure_scalar(out, 'early_return_in_loop')
    # return s
    if _t11:
        # return s
        ds = dout
        out = saved_out_1
        dout_1 = zeros_like(out)
    else:
        dout_1 = dout
        ds = zeros_like(s)
    # for i in range(len(x)):
    dx = zeros_like(x)
    for _step1 in range(_n1):
        # if s > threshold:
        if _t8:
            # return s * 2.0
            ds = ds + dout_1 * 2.0
            out = saved_out.pop()
            dout_1 = zeros_like(out)
        _t8 = saved_t8.pop()
        # s = s + x[i]
        d_t7 = ds
        s = saved_s.pop()
        ds = unbroadcast(d_t7, s)
        np.add.at(dx, i, unbroadcast(d_t7, _t6))
        _t6 = saved_t6.pop()
        i = saved_i.pop()
    return dx
