def grad_scalar_loop_with_branch(x, n, dout=1.0):
    # saved_t1: _t1 before each 'if s < 1.0:' changes it
    saved_t1 = []
    _t1 = None
    s = 0.0
    for i in range(n):
        saved_t1.append(_t1)
        _t1 = s < 1.0
        if _t1:
            s = s + x * x
        else:
            s = s * 0.5
    ensure_scalar(s, 'scalar_loop_with_branch')
    # for i in range(n):
    ds = dout
    dx = zeros_like(x)
    for i in reversed(range(n)):
        # if s < 1.0:
        if _t1:
            # s = s + x * x
            dx += 2 * ds * x
        else:
            # s = s * 0.5
            ds = ds * 0.5
        _t1 = saved_t1.pop()
    return dx
