#!/usr/bin/python3
"""Writes the golden files of the stabilisers from PyTorch (CPU, float32): spectral norm and the hinge loss.

Regenerate (from the repository root):

    /usr/bin/python3 tools/golden/make_stable_golden.py

Format: golden_format.py (the reader is tests/RawGan.Tests/Golden/GoldenFile.cs). Output in
tests/RawGan.Tests/Golden/data/:

- spectral_norm_linear.bin, spectral_norm_convt.bin: torch.nn.utils.spectral_norm on a Linear (dim 0) and a
  ConvTranspose2d (dim 1). `weight_orig`, `weight_u`, `weight_v` are the state_dict before the first forward;
  one training forward of `x` gives `y`, the buffers after it (`u1`, `v1`) and, for sum(y * dy), `dx` and
  `dweight_orig`; `y_eval` is a second forward in eval mode (the stored vectors, no iteration).
- hinge.bin: D's hinge loss halves on `real` and `fake` scores (`d_real`, `d_fake`), G's (`g`), and the gradients
  of d_real + d_fake (`dreal`, `dfake`).
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_format import GoldenWriter  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "tests", "RawGan.Tests", "Golden", "data")
torch.set_num_threads(1)


def spectral_norm_case(name, layer, x_shape):
    layer = nn.utils.spectral_norm(layer)
    g = GoldenWriter(name)
    for k, v in layer.state_dict().items():
        g.add(k, v.clone())
    x = torch.randn(*x_shape).requires_grad_(True)
    layer.train()
    y = layer(x)
    dy = torch.randn(*y.shape)
    (y * dy).sum().backward()
    g.add("x", x)
    g.add("y", y)
    g.add("dy", dy)
    g.add("dx", x.grad)
    g.add("dweight_orig", layer.weight_orig.grad)
    g.add("u1", layer.weight_u)
    g.add("v1", layer.weight_v)
    layer.eval()
    with torch.no_grad():
        g.add("y_eval", layer(x))
    return g


def hinge_case():
    g = GoldenWriter("hinge")
    real = (torch.randn(9) * 1.5).requires_grad_(True)
    fake = (torch.randn(9) * 1.5).requires_grad_(True)
    d_real = F.relu(1 - real).mean()
    d_fake = F.relu(1 + fake).mean()
    (d_real + d_fake).backward()
    for k, v in [("real", real), ("fake", fake), ("d_real", d_real), ("d_fake", d_fake), ("g", -fake.mean()),
                 ("dreal", real.grad), ("dfake", fake.grad)]:
        g.add(k, v)
    return g


def main():
    torch.manual_seed(20261204)
    writers = [
        spectral_norm_case("spectral_norm_linear", nn.Linear(7, 5), (4, 7)),
        spectral_norm_case("spectral_norm_convt", nn.ConvTranspose2d(3, 4, 4, 2, 1, bias=False), (2, 3, 3, 3)),
        hinge_case(),
    ]
    for w in writers:
        path = w.save(OUT)
        print(f"{os.path.relpath(path, REPO)}: {len(w.tensors)} tensors, {os.path.getsize(path)} bytes")
    print(f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
