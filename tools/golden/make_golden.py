#!/usr/bin/python3
"""Writes RawGan's per-op golden files from PyTorch (CPU, float32, deterministic).

Regenerate (from the repository root):

    /usr/bin/python3 tools/golden/make_golden.py

It needs Debian's python3-torch (1.13) and python3-numpy. Output goes to
tests/RawGan.Tests/Golden/data/: one <case>.bin per case below, plus the DCGAN
state_dict name lists dcgan32_state_dict.txt, dcgan_state_dict.txt (64x64) and
dcgan128_state_dict.txt.

File format (version 1; the writer is golden_format.py, the reader
tests/RawGan.Tests/Golden/GoldenFile.cs), little-endian throughout:

    8 bytes   ASCII magic "RGGOLDEN"
    int32     version = 1
    int32     tensor count
    per tensor:
        int32        name length in bytes, then the UTF-8 name
        int32        dtype code: 0 = float32, 1 = float64, 2 = int32
        int32        rank (0 = scalar), then int32[rank] dims
        raw data     row-major, prod(dims) elements (1 for a scalar)

Conventions in every backward case: `dy` is a fixed random upstream gradient,
and the stored gradients (`dx`, `dweight`, `dbias`, ...) are those of
sum(y * dy). Loss cases store the gradient of the (scalar) loss itself.
Hyper-parameters that a test must replay are stored too: int32 `stride`,
`padding`, ... and float64 scalars (`eps`, `momentum`, `lr`, ...).
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

torch.set_num_threads(1)  # same reduction order on every run
torch.set_default_dtype(torch.float32)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def leaf(t):
    return t.clone().requires_grad_(True)


# --------------------------------------------------------------------------- conv2d

def conv2d_case(name, n, c, h, w, k_out, k, stride, padding, bias, pad_tlbr=None):
    """Conv2d forward and the three backward products (data, filter, bias).

    pad_tlbr, when given, is TensorFlow-style 'same' padding that need not be
    symmetric: x is padded with F.pad first and the convolution itself uses
    padding 0; dx is the gradient with respect to the *unpadded* x.
    """
    g = GoldenWriter(name)
    x = leaf(randn(n, c, h, w))
    weight = leaf(randn(k_out, c, k, k) * 0.3)
    b = leaf(randn(k_out) * 0.5) if bias else None
    xin = x
    if pad_tlbr is not None:
        top, left, bottom, right = pad_tlbr
        xin = F.pad(x, (left, right, top, bottom))
    y = F.conv2d(xin, weight, b, stride=stride, padding=padding)
    dy = randn(*y.shape)
    (y * dy).sum().backward()
    g.add("x", x)
    g.add("weight", weight)
    if bias:
        g.add("bias", b)
    g.i32("stride", [stride, stride])
    g.i32("padding", [padding, padding])
    if pad_tlbr is not None:
        g.i32("pad_tlbr", pad_tlbr)
    g.add("y", y)
    g.add("dy", dy)
    g.add("dx", x.grad)
    g.add("dweight", weight.grad)
    if bias:
        g.add("dbias", b.grad)
    return g


def conv2d_cases():
    """Covers the convolutions a DCGAN discriminator uses (k4 s2 p1), the plain
    3x3 'same' convolution without bias, the TensorFlow-style asymmetric 'same'
    padding (k5 s2 on 8x8: pad 1 before, 2 after) and the 1x1 special case."""
    return [
        conv2d_case("conv2d_k3s1p1", 2, 3, 7, 6, 4, 3, 1, 1, bias=False),
        conv2d_case("conv2d_k4s2p1_bias", 2, 3, 7, 6, 4, 4, 2, 1, bias=True),
        conv2d_case("conv2d_k5s2_same", 2, 3, 8, 8, 4, 5, 2, 0, bias=True, pad_tlbr=[1, 1, 2, 2]),
        conv2d_case("conv2d_k1", 2, 3, 7, 6, 4, 1, 1, 0, bias=True),
    ]


# --------------------------------------------------------------------------- conv_transpose2d

def conv_transpose2d_case(name, n, c_in, h, w, c_out, k, stride, padding, output_padding):
    """ConvTranspose2d forward and backward, with bias. PyTorch's weight layout
    is [Cin, Cout, kH, kW]; output size = (in-1)*stride - 2*padding + k + output_padding."""
    g = GoldenWriter(name)
    x = leaf(randn(n, c_in, h, w))
    weight = leaf(randn(c_in, c_out, k, k) * 0.3)
    b = leaf(randn(c_out) * 0.5)
    y = F.conv_transpose2d(x, weight, b, stride=stride, padding=padding, output_padding=output_padding)
    dy = randn(*y.shape)
    (y * dy).sum().backward()
    g.add("x", x)
    g.add("weight", weight)
    g.add("bias", b)
    g.i32("stride", [stride, stride])
    g.i32("padding", [padding, padding])
    g.i32("output_padding", [output_padding, output_padding])
    g.add("y", y)
    g.add("dy", dy)
    g.add("dx", x.grad)
    g.add("dweight", weight.grad)
    g.add("dbias", b.grad)
    return g


def conv_transpose2d_cases():
    """The DCGAN generator's upsampling layer (k4 s2 p1, doubles H and W), its
    first layer (k4 s1 p0 from a 1x1 input), and the TensorFlow-port shapes
    that need output_padding (k3 s2 p1 op1 and k5 s2 p2 op1, both exactly double)."""
    return [
        conv_transpose2d_case("conv_transpose2d_k4s2p1", 2, 3, 5, 4, 4, 4, 2, 1, 0),
        conv_transpose2d_case("conv_transpose2d_k3s2p1op1", 2, 3, 5, 4, 4, 3, 2, 1, 1),
        conv_transpose2d_case("conv_transpose2d_k5s2p2op1", 2, 3, 5, 4, 4, 5, 2, 2, 1),
        conv_transpose2d_case("conv_transpose2d_k4s1p0_1x1", 2, 8, 1, 1, 5, 4, 1, 0, 0),
    ]


# --------------------------------------------------------------------------- batch norm

def batchnorm_case(name, module, x_shape, train, x_std=1.5, x_mean=0.7):
    """BatchNorm forward/backward in one mode, with non-trivial affine parameters
    and running statistics. In training mode the batch statistics normalise
    (biased variance) and the running variance is updated with the *unbiased*
    variance, momentum 0.1; in eval mode the running statistics normalise and
    are left unchanged."""
    g = GoldenWriter(name)
    c = module.num_features
    with torch.no_grad():
        module.weight.copy_(1.0 + 0.3 * randn(c))
        module.bias.copy_(0.5 * randn(c))
        module.running_mean.copy_(0.4 * randn(c))
        module.running_var.copy_(0.5 + torch.rand(c))
    module.train(train)
    x = leaf(randn(*x_shape) * x_std + x_mean)
    g.add("x", x)
    g.add("weight", module.weight)
    g.add("bias", module.bias)
    g.add("running_mean_before", module.running_mean.clone())
    g.add("running_var_before", module.running_var.clone())
    g.f64("eps", module.eps)
    g.f64("momentum", module.momentum)
    g.i32("training", 1 if train else 0)
    y = module(x)
    dy = randn(*y.shape)
    (y * dy).sum().backward()
    g.add("running_mean_after", module.running_mean)
    g.add("running_var_after", module.running_var)
    g.add("num_batches_tracked_after", module.num_batches_tracked.to(torch.int32))
    g.add("y", y)
    g.add("dy", dy)
    g.add("dx", x.grad)
    g.add("dweight", module.weight.grad)
    g.add("dbias", module.bias.grad)
    return g


def batchnorm_cases():
    """BatchNorm2d (DCGAN, eps 1e-5) and BatchNorm1d with eps=0.8 (the MNIST
    CGAN's BatchNorm1d(n, 0.8), where eps is large enough to matter), each in
    training and eval mode; and BatchNorm2d in training on inputs of variance
    ~1.6e-5, where the default eps 1e-5 changes y by about a quarter (on unit
    variance it changes y by 5e-6, below the tests' tolerance)."""
    cases = [
        batchnorm_case("batchnorm2d_train", nn.BatchNorm2d(3), (4, 3, 5, 6), train=True),
        batchnorm_case("batchnorm2d_eval", nn.BatchNorm2d(3), (4, 3, 5, 6), train=False),
        batchnorm_case("batchnorm1d_train", nn.BatchNorm1d(10, 0.8), (8, 10), train=True),
        batchnorm_case("batchnorm1d_eval", nn.BatchNorm1d(10, 0.8), (8, 10), train=False),
    ]
    # A seed of its own, so adding this case left every other file's draws (and bytes) as they were.
    with torch.random.fork_rng():
        torch.manual_seed(20261204)
        cases.append(batchnorm_case("batchnorm2d_small_variance", nn.BatchNorm2d(3), (4, 3, 5, 6), train=True,
                                    x_std=0.004, x_mean=0.01))
    return cases


# --------------------------------------------------------------------------- linear

def linear_case():
    """Linear: y = x W^T + b with PyTorch's [out, in] weight layout."""
    g = GoldenWriter("linear")
    x = leaf(randn(5, 7))
    weight = leaf(randn(3, 7) * 0.4)
    b = leaf(randn(3) * 0.5)
    y = F.linear(x, weight, b)
    dy = randn(*y.shape)
    (y * dy).sum().backward()
    for k, v in [("x", x), ("weight", weight), ("bias", b), ("y", y), ("dy", dy),
                 ("dx", x.grad), ("dweight", weight.grad), ("dbias", b.grad)]:
        g.add(k, v)
    return g


# --------------------------------------------------------------------------- losses

def losses_case():
    """The GAN losses with their edge cases.

    bce_*: BCELoss (mean) with inputs exactly 0 and 1: PyTorch clamps log() at
    -100, so a wrong-side 0/1 costs exactly 100; the gradient is
    (x - t) / max(x (1 - x), 1e-12), so a wrong-side 0/1 gives -/+1e12 / N
    and a right-side 0/1 gives 0. Targets include 0.5 and 0.9 (label smoothing).
    bcel_*: BCEWithLogitsLoss (mean) with logits of +-50, where a naive
    log(sigmoid(x)) overflows; PyTorch uses the stable max(x,0) - x t + log(1 + exp(-|x|)).
    mse_*: MSELoss (mean).
    ce_*: cross_entropy (mean) with class-probability targets: one-hot rows (hard labels) and a soft row, logits of
    +-1000 where a naive log(sum(exp(x))) overflows. Literal tensors: the cases after it draw the same random numbers
    as before it existed.
    """
    g = GoldenWriter("losses")

    def case(prefix, loss_fn, inputs, target):
        x = leaf(inputs)
        loss = loss_fn(x, target)
        loss.backward()
        g.add(prefix + "_input", x)
        g.add(prefix + "_target", target)
        g.add(prefix + "_loss", loss)
        g.add(prefix + "_dinput", x.grad)

    case("bce", F.binary_cross_entropy,
         torch.tensor([[0.0, 1.0, 0.0, 1.0],
                       [0.3, 0.7, 1e-7, 1.0 - 1e-6],
                       [0.5, 0.05, 0.95, 0.2]]),
         torch.tensor([[0.0, 1.0, 1.0, 0.0],
                       [1.0, 0.0, 1.0, 0.0],
                       [0.5, 0.9, 0.9, 0.0]]))
    case("bcel", F.binary_cross_entropy_with_logits,
         torch.tensor([[50.0, -50.0, 50.0, -50.0],
                       [0.0, 2.5, -3.0, 17.0],
                       [-0.7, 1.3, 30.0, -30.0]]),
         torch.tensor([[1.0, 0.0, 0.0, 1.0],
                       [1.0, 0.0, 1.0, 0.0],
                       [0.5, 0.9, 1.0, 0.0]]))
    case("mse", F.mse_loss, randn(3, 5), randn(3, 5))  # input drawn first, then target
    case("ce", F.cross_entropy,
         torch.tensor([[1000.0, -1000.0, 3.0, 0.5],
                       [0.0, 2.5, -3.0, 17.0],
                       [-0.7, 1.3, 0.2, -2.0]]),
         torch.tensor([[0.0, 1.0, 0.0, 0.0],
                       [0.0, 0.0, 0.0, 1.0],
                       [0.1, 0.6, 0.3, 0.0]]))
    return g


# --------------------------------------------------------------------------- activations

def activations_case():
    """leaky_relu(0.2), relu, tanh, sigmoid on one input that includes exact
    zeros (PyTorch's derivative at 0: relu 0, leaky_relu 0.2) and large values
    (tanh/sigmoid saturation)."""
    g = GoldenWriter("activations")
    base = torch.cat([randn(20) * 2.0, torch.tensor([0.0, -0.0, 12.0, -12.0])]).reshape(4, 6)
    dy = randn(4, 6)
    g.add("x", base)
    g.add("dy", dy)
    g.f64("negative_slope", 0.2)
    for name, fn in [("leaky_relu", lambda t: F.leaky_relu(t, 0.2)),
                     ("relu", F.relu),
                     ("tanh", torch.tanh),
                     ("sigmoid", torch.sigmoid)]:
        x = leaf(base)
        y = fn(x)
        (y * dy).sum().backward()
        g.add(f"{name}_y", y)
        g.add(f"{name}_dx", x.grad)
    return g


# --------------------------------------------------------------------------- embedding

def embedding_case():
    """Embedding(10, 6) lookup with repeated indices: dweight must sum (scatter-add)
    the upstream rows of every repeat; rows never looked up get zero gradient."""
    g = GoldenWriter("embedding")
    emb = nn.Embedding(10, 6)
    indices = torch.tensor([[3, 1, 3, 7], [0, 3, 9, 1], [7, 7, 2, 3]], dtype=torch.long)
    y = emb(indices)
    dy = randn(*y.shape)
    (y * dy).sum().backward()
    g.add("weight", emb.weight)
    g.add("indices", indices.to(torch.int32))
    g.add("y", y)
    g.add("dy", dy)
    g.add("dweight", emb.weight.grad)
    return g


# --------------------------------------------------------------------------- adam

def adam_case():
    """Three Adam steps (lr 2e-4, betas (0.5, 0.999), eps 1e-8) with a different
    gradient each step, without and with weight_decay=0.01 (prefix wd_).
    PyTorch's Adam weight decay is L2 added to the gradient (grad + wd * param)
    before the moments, not AdamW's decoupled decay. The bias-corrected update is
    param -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)."""
    g = GoldenWriter("adam")
    for prefix, wd in [("", 0.0), ("wd_", 0.01)]:
        p0 = randn(4, 5)
        grads = [randn(4, 5) * s for s in (1.0, 0.5, 2.0)]
        p = nn.Parameter(p0.clone())
        opt = torch.optim.Adam([p], lr=2e-4, betas=(0.5, 0.999), eps=1e-8, weight_decay=wd)
        g.f64(prefix + "lr", 2e-4)
        g.f64(prefix + "beta1", 0.5)
        g.f64(prefix + "beta2", 0.999)
        g.f64(prefix + "eps", 1e-8)
        g.f64(prefix + "weight_decay", wd)
        g.add(prefix + "param0", p0)
        for i, grad in enumerate(grads, start=1):
            opt.zero_grad()
            p.grad = grad.clone()
            opt.step()
            g.add(f"{prefix}grad{i}", grad)
            g.add(f"{prefix}param{i}", p.detach().clone())
        state = opt.state[p]
        g.add(prefix + "exp_avg", state["exp_avg"])
        g.add(prefix + "exp_avg_sq", state["exp_avg_sq"])
        g.i32(prefix + "step", int(state["step"]))
    return g


# --------------------------------------------------------------------------- DCGAN state_dict names

class OfficialGenerator(nn.Module):
    """pytorch/examples dcgan/main.py Generator, verbatim (64x64)."""

    def __init__(self, nz=100, ngf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())


class OfficialDiscriminator(nn.Module):
    """pytorch/examples dcgan/main.py Discriminator, verbatim (64x64)."""

    def __init__(self, ndf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())


def dcgan_generator(size, nz=100, ngf=64, nc=3):
    """The official generator generalised to size = 4 * 2^n: n stride-2 layers
    after the 1x1 -> 4x4 one, channels ngf * 2^(n-1) at 4x4, halving each layer."""
    n = (size // 4).bit_length() - 1
    assert 4 * 2 ** n == size and n >= 1
    layers = [nn.ConvTranspose2d(nz, ngf * 2 ** (n - 1), 4, 1, 0, bias=False),
              nn.BatchNorm2d(ngf * 2 ** (n - 1)), nn.ReLU(True)]
    for i in range(n - 1, 0, -1):
        layers += [nn.ConvTranspose2d(ngf * 2 ** i, ngf * 2 ** (i - 1), 4, 2, 1, bias=False),
                   nn.BatchNorm2d(ngf * 2 ** (i - 1)), nn.ReLU(True)]
    layers += [nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh()]
    m = nn.Module()
    m.main = nn.Sequential(*layers)
    return m


def dcgan_discriminator(size, ndf=64, nc=3):
    """The official discriminator generalised the same way: n stride-2 layers
    (no BatchNorm after the first), channels doubling to ndf * 2^(n-1) at 4x4,
    then the 4x4 valid convolution to one logit and a Sigmoid."""
    n = (size // 4).bit_length() - 1
    assert 4 * 2 ** n == size and n >= 1
    layers = [nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
    for i in range(1, n):
        layers += [nn.Conv2d(ndf * 2 ** (i - 1), ndf * 2 ** i, 4, 2, 1, bias=False),
                   nn.BatchNorm2d(ndf * 2 ** i), nn.LeakyReLU(0.2, inplace=True)]
    layers += [nn.Conv2d(ndf * 2 ** (n - 1), 1, 4, 1, 0, bias=False), nn.Sigmoid()]
    m = nn.Module()
    m.main = nn.Sequential(*layers)
    return m


def shapes(module):
    return [(k, tuple(v.shape)) for k, v in module.state_dict().items()]


def write_state_dict_names(path, size):
    """state_dict names and shapes of the DCGAN pair at one image size, in
    state_dict order: name<TAB>d0,d1,... (empty after the tab for a scalar)."""
    g, d = dcgan_generator(size), dcgan_discriminator(size)
    n = (size // 4).bit_length() - 1
    lines = [
        f"# DCGAN (pytorch/examples dcgan/main.py), nz=100, ngf=ndf=64, nc=3, {size}x{size}; state_dict order.",
        "# Depth follows the size: size = 4 * 2^n with n stride-2 layers; 32x32 has n=3, 64x64 n=4 (the official",
        "# model), 128x128 n=5. G: ConvT(nz, ngf*2^(n-1), 4,1,0) then n-1 ConvT(4,2,1) layers halving the channels,",
        "# each with BatchNorm2d and ReLU, then ConvT(ngf, nc, 4,2,1) and Tanh. D mirrors it: Conv(nc, ndf, 4,2,1)",
        "# (no BatchNorm), n-1 Conv(4,2,1) layers doubling the channels with BatchNorm2d, LeakyReLU(0.2) after each,",
        f"# then Conv(ndf*2^(n-1), 1, 4,1,0) and Sigmoid. Here n={n}. No conv has a bias.",
        "# Format: name<TAB>comma-separated shape (empty for a scalar such as num_batches_tracked).",
    ]
    for title, m in [("generator", g), ("discriminator", d)]:
        lines.append(f"# {title}")
        lines += [f"{k}\t{','.join(str(s) for s in shape)}" for k, shape in shapes(m)]
    with open(path, "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return path


def state_dict_files():
    """The names a RawGan checkpoint must use to load into PyTorch's DCGAN."""
    assert shapes(dcgan_generator(64)) == shapes(OfficialGenerator())
    assert shapes(dcgan_discriminator(64)) == shapes(OfficialDiscriminator())
    return [write_state_dict_names(os.path.join(OUT, name), size)
            for name, size in [("dcgan32_state_dict.txt", 32), ("dcgan_state_dict.txt", 64),
                               ("dcgan128_state_dict.txt", 128)]]


# --------------------------------------------------------------------------- main

def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20261122)
    writers = []
    writers += conv2d_cases()
    writers += conv_transpose2d_cases()
    writers += batchnorm_cases()
    writers.append(linear_case())
    writers.append(losses_case())
    writers.append(activations_case())
    writers.append(embedding_case())
    writers.append(adam_case())
    total = 0
    for w in writers:
        path = w.save(OUT)
        size = os.path.getsize(path)
        total += size
        print(f"{os.path.relpath(path, REPO)}: {len(w.tensors)} tensors, {size} bytes")
    for path in state_dict_files():
        print(f"{os.path.relpath(path, REPO)}: {sum(1 for _ in open(path))} lines")
    print(f"torch {torch.__version__}; {total} bytes of golden data")


if __name__ == "__main__":
    main()
