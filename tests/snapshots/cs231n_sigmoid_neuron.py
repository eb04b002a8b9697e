def grad_sigmoid_neuron(w0, w1, w2, x0, x1, dout=1.0):
    dot = w0 * x0 + w1 * x1 + w2
    out = sigmoid(dot)
    ensure_scalar(out, 'sigmoid_neuron')
    # return 1 / (1 + np.exp(-dot))
    ddot = dout * out * (1 - out)
    # dot = w0 * x0 + w1 * x1 + w2
    dw2 = ddot
    dw1 = ddot * x1
    dx1 = ddot * w1
    dw0 = ddot * x0
    dx0 = ddot * w0
    return (dw0, dw1, dw2, dx0, dx1)
