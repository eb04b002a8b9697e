def grad_augmented(x, y, dout=1.0):
    s = x * 1.0
    s_1 = s + y
    s_2 = s_1 * 2.0
    s_3 = s_2 - x
    s_4 = s_3 / 3.0
    # return np.sum(s)
    ds_5 = np.full(np.shape(s_3), dout)
    # s **= 2
    ds_4 = ds_5 * 2 * s_4
    # s /= 3.0
    ds_3 = ds_4 / 3.0
    # s -= x
    ds_2 = unbroadcast(ds_3, s_1)
    dx = unbroadcast(-ds_3, x)
    # s *= 2.0
    ds_1 = ds_2 * 2.0
    # s += y
    ds = unbroadcast(ds_1, x)
    dy = unbroadcast(ds_1, y)
    # s = x * 1.0
    dx = dx + ds
    return (dx, dy)
