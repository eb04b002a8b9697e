def grad_logistic_loss(w, b, X, y, dout=1.0):
    z = X @ w + b
    _t3 = -y * z
    # return np.mean(np.logaddexp(0.0, -y * z)) + 0.001 * np.sum(w * w)
    dw = 2 * (dout * 0.001) * w
    dz = unbroadcast(dout / np.size(_t3) * sigmoid(_t3) * -y, z)
    # z = X @ w + b
    db = unbroadcast(dz, b)
    dw += matmul_rhs(dz, X, w)
    return (dw, db)
