def grad_loss(Wx, Wh, b, Wy, by, x, y, reg, dout=1.0):
    # saved_h: h before each 'h = np.tanh(x[:, t] @ Wx + h @ Wh + b)' changes it
    saved_h = []
    h = np.zeros((x.shape[0], Wh.shape[0]))
    _t6 = x.shape[1]
    for t in range(_t6):
        _t7 = x[:, t]
        saved_h.append(h)
        h = np.tanh(_t7 @ Wx + h @ Wh + b)
    scores = h @ Wy + by
    _t13 = np.max(scores, axis=1, keepdims=True)
    scores_1 = scores - _t13
    _t14 = np.exp(scores_1)
    _t15 = np.sum(_t14, axis=1, keepdims=True)
    logp = scores_1 - np.log(_t15)
    _t19 = np.arange(x.shape[0])
    _t20 = logp[_t19, y]
    data_loss = -np.mean(_t20)
    out = data_loss + reg * (np.sum(Wx * Wx) + np.sum(Wh * Wh) + np.sum(Wy * Wy))
    ensure_scalar(out, 'loss')
    # return data_loss + reg * (np.sum(Wx * Wx) + np.sum(Wh * Wh) + np.sum(Wy * Wy))
    ddata_loss = dout
    d_t29 = dout * reg
    dWy = 2 * d_t29 * Wy
    dWh = 2 * d_t29 * Wh
    dWx = 2 * d_t29 * Wx
    # data_loss = -np.mean(logp[np.arange(x.shape[0]), y])
    dlogp = np.zeros_like(logp)
    np.add.at(dlogp, (_t19, y), np.full(np.shape(_t20), -ddata_loss / np.size(_t20)))
    # logp = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    dscores_1 = unbroadcast(dlogp, scores_1)
    dscores_1 = dscores_1 + unbroadcast(-dlogp, _t15) / _t15 * _t14
    # scores = scores - np.max(scores, axis=1, keepdims=True)
    dscores = unbroadcast(dscores_1, scores)
    d_t13 = unbroadcast(-dscores_1, _t13)
    _r1 = scores == _t13
    dscores = dscores + d_t13 * _r1 / np.sum(_r1, axis=1, keepdims=True, dtype=np.result_type(d_t13))
    # scores = h @ Wy + by
    dby = unbroadcast(dscores, by)
    dh = matmul_lhs(dscores, h, Wy)
    dWy += matmul_rhs(dscores, h, Wy)
    # for t in range(x.shape[1]):
    db = zeros_like(b)
    for t in reversed(range(_t6)):
        _t7 = x[:, t]
        # h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        d_t11 = dh * (1 - h * h)
        h = saved_h.pop()
        db += unbroadcast(d_t11, b)
        dh = matmul_lhs(d_t11, h, Wh)
        dWh += matmul_rhs(d_t11, h, Wh)
        dWx += matmul_rhs(d_t11, _t7, Wx)
    return (out, (dWx, dWh, db, dWy, dby))
