"""Golden data for gradient penalties (a gradient of a gradient): tests/RawGan.Tests/Golden/data/penalties.bin.

A small discriminator, conv(1->4, k4 s2 p1, bias) -> LeakyReLU(0.2) -> flatten -> linear(64 -> 1), on x [3, 1, 8, 8].
Recorded: the first-order gradient of sum(D(x)) in x, then with create_graph=True the gradients in D's weights of
  r1 = sum over the batch of |grad D(x_i)|^2 (R1 before its gamma/2 and mean), and
  gp = mean over the batch of (|grad D(x_i)| - 1)^2 (WGAN-GP's penalty before lambda).
Run with /usr/bin/python3 (torch 1.13): python3 tools/golden/make_penalty_golden.py
"""

import os

import torch
import torch.nn.functional as F

from golden_format import GoldenWriter

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "tests", "RawGan.Tests", "Golden", "data")


def main():
    torch.manual_seed(20261204)
    x = torch.randn(3, 1, 8, 8)
    cw = torch.randn(4, 1, 4, 4) * 0.5
    cb = torch.randn(4) * 0.1
    lw = torch.randn(1, 64) * 0.2
    lb = torch.randn(1) * 0.1
    g = GoldenWriter("penalties")
    for name, t in [("x", x), ("conv_weight", cw), ("conv_bias", cb), ("linear_weight", lw), ("linear_bias", lb)]:
        g.add(name, t)
    params = [t.requires_grad_() for t in (cw, cb, lw, lb)]

    def d(inp):
        h = F.leaky_relu(F.conv2d(inp, cw, cb, stride=2, padding=1), 0.2)
        return F.linear(h.flatten(1), lw, lb).reshape(-1)

    for penalty in ("r1", "gp"):
        xi = x.clone().requires_grad_()
        (dx,) = torch.autograd.grad(d(xi).sum(), xi, create_graph=True)
        norms = dx.flatten(1).pow(2).sum(1)
        value = norms.sum() if penalty == "r1" else (norms.sqrt() - 1).pow(2).mean()
        if penalty == "r1":
            g.add("dx", dx)
        g.add(penalty, value)
        # The linear bias does not reach the gradient in x: it gets no gradient (None in PyTorch, null in RawGan).
        for name, grad in zip(("conv_weight", "conv_bias", "linear_weight"), torch.autograd.grad(value, params[:3])):
            g.add(f"{penalty}_d{name}", grad)
    path = g.save(OUT)
    print(f"{os.path.relpath(path, REPO)}: {len(g.tensors)} tensors, {os.path.getsize(path)} bytes; torch {torch.__version__}")


if __name__ == "__main__":
    main()
