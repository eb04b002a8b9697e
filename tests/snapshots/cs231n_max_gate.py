def grad_max_gate(x, y, z, w, dout=1.0):
    out = 2 * (x * y + max(z, w))
    ensure_scalar(out, 'max_gate')
    # return 2 * (x * y + max(z, w))
    d_t3 = dout * 2
    dz = d_t3 if z > w else 0.5 * d_t3 if z == w else 0 * d_t3
    dw = d_t3 if w > z else 0.5 * d_t3 if z == w else 0 * d_t3
    dx = d_t3 * y
    dy = d_t3 * x
    return (dx, dy, dz, dw)
