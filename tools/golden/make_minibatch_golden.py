#!/usr/bin/python3
"""Writes the golden file of minibatch discrimination (Salimans et al. 2016) from PyTorch (CPU, float32).

Regenerate (from the repository root):

    /usr/bin/python3 tools/golden/make_minibatch_golden.py

Format: golden_format.py (the reader is tests/RawGan.Tests/Golden/GoldenFile.cs). Output in
tests/RawGan.Tests/Golden/data/minibatch_discrimination.bin: the layer's parameter `T` [A, B, C], its input `x`
[N, A], the output `y` [N, A + B], and for sum(y * dy) the gradients `dx` and `dT`. torch has no such layer: the
module below is the common PyTorch one (self excluded: o_b(i) = sum over j != i of exp(-|M_i,b - M_j,b|_1)), and
its o is checked against a plain NumPy loop over sample pairs before anything is written.
"""

import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_format import GoldenWriter  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "tests", "RawGan.Tests", "Golden", "data")
torch.set_num_threads(1)


class MinibatchDiscrimination(nn.Module):
    def __init__(self, in_features, out_features, kernel_dims):
        super().__init__()
        self.in_features, self.out_features, self.kernel_dims = in_features, out_features, kernel_dims
        self.T = nn.Parameter(torch.randn(in_features, out_features, kernel_dims) * 0.5)

    def forward(self, x):
        matrices = x.mm(self.T.view(self.in_features, -1)).view(-1, self.out_features, self.kernel_dims)
        m = matrices.unsqueeze(0)                   # [1, N, B, C]
        m_t = m.permute(1, 0, 2, 3)                 # [N, 1, B, C]
        norm = torch.abs(m - m_t).sum(3)            # [N, N, B]
        o_b = torch.exp(-norm).sum(0) - 1           # minus the sample's own exp(0)
        return torch.cat([x, o_b], 1)


def numpy_o(x, t):
    m = (x @ t.reshape(t.shape[0], -1)).reshape(x.shape[0], t.shape[1], t.shape[2])
    o = np.zeros((x.shape[0], t.shape[1]))
    for i in range(x.shape[0]):
        for j in range(x.shape[0]):
            if i != j:
                o[i] += np.exp(-np.abs(m[i] - m[j]).sum(axis=1))
    return o


def main():
    torch.manual_seed(20261204)
    layer = MinibatchDiscrimination(6, 4, 3)
    x = (torch.randn(5, 6) * 0.7).requires_grad_(True)
    y = layer(x)
    o = numpy_o(x.detach().double().numpy(), layer.T.detach().double().numpy())
    assert np.allclose(y[:, 6:].detach().numpy(), o, atol=1e-6), "the module and the NumPy loop disagree"
    assert o.min() > 1e-3, "some similarities vanish: the case would not test them"
    dy = torch.randn(*y.shape)
    (y * dy).sum().backward()
    g = GoldenWriter("minibatch_discrimination")
    for k, v in [("T", layer.T), ("x", x), ("y", y), ("dy", dy), ("dx", x.grad), ("dT", layer.T.grad)]:
        g.add(k, v)
    path = g.save(OUT)
    print(f"{os.path.relpath(path, REPO)}: {len(g.tensors)} tensors, {os.path.getsize(path)} bytes; torch {torch.__version__}")


if __name__ == "__main__":
    main()
