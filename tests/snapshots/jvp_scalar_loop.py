def jvp_scalar_loop_with_branch(x, n, x_dot):
    # s = 0.0
    s = 0.0
    s_dot = 0.0
    for i in range(n):
        # if s < 1.0:
        _t1 = s < 1.0
        if _t1:
            # s = s + x * x
            s = s + x * x
            s_dot = s_dot + 2 * x_dot * x
        else:
            # s = s * 0.5
            s = s * 0.5
            s_dot = s_dot * 0.5
    return (s, s_dot)
