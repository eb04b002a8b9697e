"""Aim a bouncing ball by gradient descent through its simulation.

A ball is thrown from the ground with launch velocity (vx, vy). In flight it feels
gravity and quadratic air drag (acceleration -g e_y - k |v| v); when it reaches the
floor it bounces, losing part of its vertical speed (coefficient of restitution e). The
motion is integrated with semi-implicit Euler in a ``for`` loop over the time steps,
with an ``if`` for the bounce. The loss is the squared distance between the ball and a
target at the end of the simulation: the target can only be reached after a bounce, so
this is a bank shot.

``autodiff_ast.grad`` turns the simulation into a gradient function (the time loop runs
again, reversed, through the bounces it recorded) whose source this script prints and
checks against central finite differences; plain gradient descent on (vx, vy) then finds
the launch velocity that puts the ball on the target.

Run:  python examples/projectile.py [--iterations 100]
"""

import argparse
import time

import numpy as np

from autodiff_ast import grad

GRAVITY = 9.81


def loss(vx, vy, target_x, target_y, steps, dt, drag, restitution):
    """Squared distance between the ball, launched from the origin with velocity (vx, vy)
    and simulated for ``steps`` steps of ``dt`` seconds, and the target."""
    x = 0.0
    y = 0.0
    for step in range(steps):
        speed = np.sqrt(vx * vx + vy * vy)
        vx = vx - dt * drag * speed * vx
        vy = vy - dt * (GRAVITY + drag * speed * vy)
        x = x + dt * vx
        y = y + dt * vy
        if y < 0.0:                   # the ball went through the floor: bounce
            y = -restitution * y
            vy = -restitution * vy
    return (x - target_x) ** 2 + (y - target_y) ** 2


def simulate(vx, vy, steps, dt, drag, restitution):
    """The same simulation, returning the final position and the number of bounces."""
    x = y = 0.0
    bounces = 0
    for _ in range(steps):
        speed = np.sqrt(vx * vx + vy * vy)
        vx = vx - dt * drag * speed * vx
        vy = vy - dt * (GRAVITY + drag * speed * vy)
        x = x + dt * vx
        y = y + dt * vy
        if y < 0.0:
            y = -restitution * y
            vy = -restitution * vy
            bounces += 1
    return x, y, bounces


def finite_difference_check(gradient, velocity, world, step=1e-6):
    """Largest relative error between the generated gradient and central differences."""
    analytic = gradient(*velocity, *world)
    worst = 0.0
    for i in range(2):
        up, down = list(velocity), list(velocity)
        up[i] += step
        down[i] -= step
        numeric = (loss(*up, *world) - loss(*down, *world)) / (2 * step)
        print(f"  d/d{'xy'[i]}-velocity: generated {analytic[i]: .10f}  finite differences "
              f"{numeric: .10f}")
        worst = max(worst, abs(numeric - analytic[i]) / max(1e-8, abs(numeric) + abs(analytic[i])))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.2)
    options = parser.parse_args()

    target = (9.0, 1.0)
    steps, dt, drag, restitution = 200, 0.01, 0.05, 0.8
    world = (*target, steps, dt, drag, restitution)
    velocity = np.array([4.0, 8.0])

    gradient = grad(loss, wrt=(0, 1))
    start = time.perf_counter()
    source = gradient.source
    print(f"# generated in {1e3 * (time.perf_counter() - start):.1f} ms:")
    print(source)

    print(f"gradient at the initial launch velocity {velocity}:")
    error = finite_difference_check(gradient, velocity, world)
    print(f"largest relative error against finite differences: {error:.2e}\n")

    start = time.perf_counter()
    for iteration in range(options.iterations + 1):
        value = loss(*velocity, *world)
        if iteration % 10 == 0:
            x, y, bounces = simulate(*velocity, steps, dt, drag, restitution)
            print(f"iteration {iteration:3d}  launch velocity "
                  f"({velocity[0]:.4f}, {velocity[1]:.4f})  ball at ({x:.4f}, {y:.4f}) "
                  f"after {bounces} bounce(s)  miss {np.sqrt(value):.2e}")
        if iteration < options.iterations:
            velocity = velocity - options.lr * np.array(gradient(*velocity, *world))
    print(f"optimised in {time.perf_counter() - start:.2f} s")
    miss = float(np.sqrt(loss(*velocity, *world)))
    print(f"final launch velocity ({velocity[0]:.6f}, {velocity[1]:.6f}) m/s, "
          f"final miss distance {miss:.2e} m")
    return miss


if __name__ == "__main__":
    main()
