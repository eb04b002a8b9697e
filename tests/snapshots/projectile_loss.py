def grad_loss(vx, vy, target_x, target_y, steps, dt, drag, restitution, dout=1.0):
    # saved_speed: speed before each 'speed = np.sqrt(vx * vx + vy * vy)' changes it
    saved_speed = []
    # saved_t5: _t5 before each 'vx = vx - dt * drag * speed * vx' changes it
    saved_t5 = []
    # saved_vx: vx before each 'vx = vx - dt * drag * speed * vx' changes it
    saved_vx = []
    # saved_t8: _t8 before each 'vy = vy - dt * (GRAVITY + drag * speed * vy)' changes it
    saved_t8 = []
    # saved_vy: vy before each 'vy = vy - dt * (GRAVITY + drag * speed * vy)' changes it
    saved_vy = []
    # saved_t17: _t17 before each 'if y < 0.0:                   # the ball went through the floor: bounce' changes it
    saved_t17 = []
    _t17 = None
    _t5 = None
    _t8 = None
    speed = None
    x = 0.0
    y = 0.0
    for step in range(steps):
        saved_speed.append(speed)
        speed = np.sqrt(vx * vx + vy * vy)
        _t4 = dt * drag
        saved_t5.append(_t5)
        _t5 = _t4 * speed
        saved_vx.append(vx)
        vx = vx - _t5 * vx
        saved_t8.append(_t8)
        _t8 = drag * speed
        saved_vy.append(vy)
        vy = vy - dt * (GRAVITY + _t8 * vy)
        x = x + dt * vx
        y = y + dt * vy
        saved_t17.append(_t17)
        _t17 = y < 0.0
        if _t17:
            _t18 = -restitution
            y = _t18 * y
            _t20 = -restitution
            vy = _t20 * vy
    _t22 = x - target_x
    _t24 = y - target_y
    out = _t22 ** 2 + _t24 ** 2
    ensure_scalar(out, 'loss')
    # return (x - target_x) ** 2 + (y - target_y) ** 2
    dy = dout * 2 * _t24
    dx = dout * 2 * _t22
    # for step in range(steps):
    dvx = zeros_like(vx)
    dvy = zeros_like(vy)
    for step in reversed(range(steps)):
        # if y < 0.0:                   # the ball went through the floor: bounce
        if _t17:
            # vy = -restitution * vy
            dvy = dvy * _t20
            # y = -restitution * y
            dy = dy * _t18
        _t17 = saved_t17.pop()
        # y = y + dt * vy
        dvy += dy * dt
        # x = x + dt * vx
        dvx += dx * dt
        # vy = vy - dt * (GRAVITY + drag * speed * vy)
        vy = saved_vy.pop()
        d_t10 = -dvy * dt
        dvy = dvy + d_t10 * _t8
        dspeed = d_t10 * vy * drag
        _t8 = saved_t8.pop()
        # vx = vx - dt * drag * speed * vx
        vx = saved_vx.pop()
        d_t6 = -dvx
        dvx = dvx + d_t6 * _t5
        dspeed += d_t6 * vx * _t4
        _t5 = saved_t5.pop()
        # speed = np.sqrt(vx * vx + vy * vy)
        d_t3 = dspeed / (2 * speed)
        speed = saved_speed.pop()
        dvy += 2 * d_t3 * vy
        dvx += 2 * d_t3 * vx
    return (dvx, dvy)
