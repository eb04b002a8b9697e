def grad_loss(W1, b1, W2, b2, X, y, reg, dout=1.0):
    h = np.tanh(X @ W1 + b1)
    scores = h @ W2 + b2
    _t4 = np.max(scores, axis=1, keepdims=True)
    scores_1 = scores - _t4
    _t5 = np.exp(scores_1)
    _t6 = np.sum(_t5, axis=1, keepdims=True)
    logp = scores_1 - np.log(_t6)
    _t10 = np.arange(X.shape[0])
    _t11 = logp[_t10, y]
    data_loss = -np.mean(_t11)
    out = data_loss + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    ensure_scalar(out, 'loss')
    # return data_loss + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    ddata_loss = dout
    d_t17 = dout * reg
    dW2 = 2 * d_t17 * W2
    dW1 = 2 * d_t17 * W1
    # data_loss = -np.mean(logp[np.arange(X.shape[0]), y])
    dlogp = np.zeros_like(logp)
    np.add.at(dlogp, (_t10, y), np.full(np.shape(_t11), -ddata_loss / np.size(_t11)))
    # logp = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    dscores_1 = unbroadcast(dlogp, scores_1)
    dscores_1 = dscores_1 + unbroadcast(-dlogp, _t6) / _t6 * _t5
    # scores = scores - np.max(scores, axis=1, keepdims=True)
    dscores = unbroadcast(dscores_1, scores)
    d_t4 = unbroadcast(-dscores_1, _t4)
    _r1 = scores == _t4
    dscores = dscores + d_t4 * _r1 / np.sum(_r1, axis=1, keepdims=True, dtype=np.result_type(d_t4))
    # scores = h @ W2 + b2
    db2 = unbroadcast(dscores, b2)
    dh = matmul_lhs(dscores, h, W2)
    dW2 += matmul_rhs(dscores, h, W2)
    # h = np.tanh(X @ W1 + b1)
    d_t2 = dh * (1 - h * h)
    db1 = unbroadcast(d_t2, b1)
    dW1 += matmul_rhs(d_t2, X, W1)
    return (out, (dW1, db1, dW2, db2))
