def grad_add_multiply(x, y, z, dout=1.0):
    q = x + y
    out = q * z
    ensure_scalar(out, 'add_multiply')
    # return q * z
    dq = dout * z
    dz = dout * q
    # q = x + y
    dx = dq
    dy = dq
    return (dx, dy, dz)
