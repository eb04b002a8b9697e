def grad_loss(params, X, y, reg, dout=1.0):
    params_W1 = params['W1']
    params_b1 = params['b1']
    params_W2 = params['W2']
    params_b2 = params['b2']
    _t3 = np.tanh(X @ params_W1 + params_b1)
    h = _t3
    scores_1 = h @ params_W2 + params_b2
    _t6 = np.max(scores_1, axis=1, keepdims=True)
    saved_scores_1 = scores_1
    scores_1 = scores_1 - _t6
    _t8 = np.exp(scores_1)
    _t9 = np.sum(_t8, axis=1, keepdims=True)
    logp = scores_1 - np.log(_t9)
    _t14 = np.arange(X.shape[0])
    _t15 = logp[_t14, y]
    data_loss = -np.mean(_t15)
    out = data_loss + reg * (np.sum(params_W1 ** 2) + np.sum(params_W2 ** 2))
    ensure_scalar(out, 'loss')
    # return data_loss + weight_decay(params, reg)
    ddata_loss = dout
    # return reg * (np.sum(params['W1'] ** 2) + np.sum(params['W2'] ** 2))
    d_t21 = dout * reg
    dparams_W2 = d_t21 * 2 * params_W2
    dparams_W1 = d_t21 * 2 * params_W1
    # data_loss = -np.mean(logp[np.arange(X.shape[0]), y])
    dlogp = np.zeros_like(logp)
    np.add.at(dlogp, (_t14, y), np.full(np.shape(_t15), -ddata_loss / np.size(_t15)))
    # return scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    dscores_1 = unbroadcast(dlogp, scores_1)
    dscores_1 = dscores_1 + unbroadcast(-dlogp, _t9) / _t9 * _t8
    # scores = scores - np.max(scores, axis=1, keepdims=True)
    d_t7 = dscores_1
    scores_1 = saved_scores_1
    dscores_1 = unbroadcast(d_t7, scores_1)
    d_t6 = unbroadcast(-d_t7, _t6)
    _r1 = scores_1 == _t6
    dscores_1 = dscores_1 + d_t6 * _r1 / np.sum(_r1, axis=1, keepdims=True, dtype=np.result_type(d_t6))
    # return x @ W + b
    dparams_b2 = unbroadcast(dscores_1, params_b2)
    dh = matmul_lhs(dscores_1, h, params_W2)
    dparams_W2 += matmul_rhs(dscores_1, h, params_W2)
    # return np.tanh(dense(params['W1'], params['b1'], x))
    d_t2 = dh * (1 - _t3 * _t3)
    # return x @ W + b
    dparams_b1 = unbroadcast(d_t2, params_b1)
    dparams_W1 += matmul_rhs(d_t2, X, params_W1)
    return (out, {'W1': dparams_W1, 'b1': dparams_b1, 'W2': dparams_W2, 'b2': dparams_b2})
