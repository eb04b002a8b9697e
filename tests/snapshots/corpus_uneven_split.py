def grad_uneven_split(x, dout=1.0):
    a, b = np.array_split(x, 2)
    # return np.sum(a) + np.sum(b ** 2)
    db = dout * 2 * b
    da = np.full(np.shape(a), dout)
    # a, b = np.array_split(x, 2)
    dx = np.concatenate((da, db), 0)
    return dx
