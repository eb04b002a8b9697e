def jvp_loss(Wx, Wh, b, Wy, by, x, y, reg, Wx_dot, Wh_dot):
    # h = np.zeros((x.shape[0], Wh.shape[0]))
    h = np.zeros((x.shape[0], Wh.shape[0]))
    h_dot = zeros_like(h)
    # for t in range(x.shape[1]):
    _t6 = x.shape[1]
    for t in range(_t6):
        # h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        _t7 = x[:, t]
        _t11 = _t7 @ Wx + h @ Wh + b
        _t11_dot = broadcast_like(_t7 @ Wx_dot + (h_dot @ Wh + h @ Wh_dot), _t11)
        h = np.tanh(_t11)
        h_dot = _t11_dot * (1 - h * h)
    # scores = h @ Wy + by
    scores = h @ Wy + by
    scores_dot = broadcast_like(h_dot @ Wy, scores)
    # scores = scores - np.max(scores, axis=1, keepdims=True)
    _t13 = np.max(scores, axis=1, keepdims=True)
    scores_1 = scores - _t13
    scores_1_dot = scores_dot + -np.mean(scores_dot, axis=1, keepdims=True, where=scores == _t13)
    # logp = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    _t14 = np.exp(scores_1)
    _t15 = np.sum(_t14, axis=1, keepdims=True)
    logp = scores_1 - np.log(_t15)
    logp_dot = scores_1_dot + -(np.sum(scores_1_dot * _t14, axis=1, keepdims=True) / _t15)
    # data_loss = -np.mean(logp[np.arange(x.shape[0]), y])
    _t19 = np.arange(x.shape[0])
    data_loss = -np.mean(logp[_t19, y])
    data_loss_dot = -np.mean(logp_dot[_t19, y])
    # return data_loss + reg * (np.sum(Wx * Wx) + np.sum(Wh * Wh) + np.sum(Wy * Wy))
    out = data_loss + reg * (np.sum(Wx * Wx) + np.sum(Wh * Wh) + np.sum(Wy * Wy))
    out_dot = data_loss_dot + (np.sum(2 * Wx_dot * Wx) + np.sum(2 * Wh_dot * Wh)) * reg
    return (out, out_dot)
