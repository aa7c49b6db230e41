#!/usr/bin/python3
"""Writes the golden files of the pooling and resize ops and of the FID Inception-v3, from PyTorch.

Regenerate (from the repository root):

    /usr/bin/python3 tools/golden/make_inception_golden.py

Needs Debian's python3-torch (1.13), python3-torchvision (0.14: inception_v3), python3-pil and python3-numpy.
Writes tests/RawGan.Tests/Golden/data/{pool,interpolate,inception}.bin in the format of golden_format.py.

The Inception is torchvision's inception_v3 with pytorch-fid's FID blocks (FIDInceptionA/C/E_1/E_2: average
pools without the padding, a max pool in the last block), 1008 classes, no auxiliary classifier: the network of
pt_inception-2015-12-05-6726825d.pth. Its ~24M weights are not stored (95 MB): both this script and the C# test
compute them from a formula of each tensor's name and element index (formula_weights below; the test's twin is
tests/RawGan.Tests/Eval/InceptionFormulaWeights.cs), scaled so activations stay of order 1 through the 94 layers.
The state_dict also goes through tools/inception/convert.py and back, checking the converter on the real names.

Preprocessing is recorded both ways the FID tools do it, from the same 8-bit images:
  legacy (pytorch-fid): x/255, F.interpolate(bilinear, 299, align_corners=False), 2x - 1;
  clean (clean-fid): per channel PIL Image.fromarray(float32, 'F').resize(299, BICUBIC), clip(0, 255),
                     then (x - 128)/128, as clean-fid's InceptionV3W does.
"""

import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "inception"))
from golden_format import GoldenWriter  # noqa: E402
import convert  # noqa: E402
from fid_inception import fid_inception, pool3_and_logits  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "tests", "RawGan.Tests", "Golden", "data")

torch.set_num_threads(1)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


# --------------------------------------------------------------------------- ops

def pool_case():
    """max/avg pooling (both count_include_pad) and adaptive average pooling, values and gradients of sum(y*dy)."""
    g = GoldenWriter("pool")
    x = randn(2, 3, 9, 10)
    g.add("x", x)
    cases = {
        "max_k3s2": lambda t: F.max_pool2d(t, 3, 2),
        "max_k3s1p1": lambda t: F.max_pool2d(t, 3, 1, 1),
        "max_k2s2p1": lambda t: F.max_pool2d(t, 2, 2, 1),
        "avg_k3s1p1_exclude": lambda t: F.avg_pool2d(t, 3, 1, 1, count_include_pad=False),
        "avg_k3s1p1_include": lambda t: F.avg_pool2d(t, 3, 1, 1, count_include_pad=True),
        "avg_k2s2p1_exclude": lambda t: F.avg_pool2d(t, 2, 2, 1, count_include_pad=False),
        "adaptive_1x1": lambda t: F.adaptive_avg_pool2d(t, (1, 1)),
        "adaptive_4x3": lambda t: F.adaptive_avg_pool2d(t, (4, 3)),
    }
    for name, f in cases.items():
        leaf = x.clone().requires_grad_(True)
        y = f(leaf)
        dy = randn(*y.shape)
        (y * dy).sum().backward()
        g.add(f"{name}.y", y)
        g.add(f"{name}.dy", dy)
        g.add(f"{name}.dx", leaf.grad)
    return g


def interpolate_case():
    """F.interpolate up in one axis and down in the other, every mode RawGan has, with gradients."""
    g = GoldenWriter("interpolate")
    x = randn(2, 2, 7, 12)
    g.add("x", x)
    for mode in ("bilinear", "bicubic"):
        for antialias in (False, True):
            for size in ((13, 5), (3, 29)):
                leaf = x.clone().requires_grad_(True)
                y = F.interpolate(leaf, size=size, mode=mode, align_corners=False, antialias=antialias)
                dy = randn(*y.shape)
                (y * dy).sum().backward()
                name = f"{mode}{'_aa' if antialias else ''}_{size[0]}x{size[1]}"
                g.add(f"{name}.y", y)
                g.add(f"{name}.dy", dy)
                g.add(f"{name}.dx", leaf.grad)
    return g


# --------------------------------------------------------------------------- the FID Inception

MASK = (1 << 64) - 1


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def uniform(name, n):
    """Element i of tensor `name`: splitmix64(fnv1a64(name) + (i+1)*golden) >> 40, over 2^24: exact in float64."""
    z = np.uint64(fnv1a64(name)) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 24)


def formula_value(name, shape):
    """The weights both sides compute (float64 arithmetic, rounded once to float32)."""
    n = int(np.prod(shape))
    u = uniform(name, n)
    if name.endswith("conv.weight"):
        v = (2 * u - 1) * np.sqrt(6.0 / int(np.prod(shape[1:])))  # He-uniform: ReLU keeps the scale
    elif name.endswith("bn.weight"):
        v = 0.8 + 0.4 * u
    elif name.endswith("bn.bias") or name.endswith("running_mean"):
        v = 0.2 * u - 0.1
    elif name.endswith("running_var"):
        v = 0.8 + 0.4 * u
    elif name == "fc.weight":
        v = (2 * u - 1) * np.sqrt(3.0 / shape[1])
    elif name == "fc.bias":
        v = 0.2 * u - 0.1
    else:
        raise KeyError(name)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def formula_weights(net):
    state = {}
    for name, t in net.state_dict().items():
        state[name] = t if name.endswith("num_batches_tracked") else formula_value(name, tuple(t.shape))
    net.load_state_dict(state)
    return state


def check_converter(state):
    """tools/inception/convert.py on this state_dict: the same names, shapes and bits come back."""
    with tempfile.TemporaryDirectory() as tmp:
        pth, st = os.path.join(tmp, "w.pth"), os.path.join(tmp, "w.safetensors")
        torch.save(state, pth)
        convert.convert(pth, st)
        with open(st, "rb") as f:
            import json
            import struct
            (length,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(length))
            data = f.read()
    header.pop("__metadata__")
    assert list(header) == list(state), "the converter changed names or their order"
    for name, info in header.items():
        a, b = info["data_offsets"]
        assert bytes(data[a:b]) == convert.raw_bytes(state[name]), name
    print(f"convert.py: {len(header)} tensors round-trip")


def legacy(images_u8):
    x = torch.from_numpy(images_u8).float() / 255
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    return 2 * x - 1


def clean(images_u8):
    out = np.empty((images_u8.shape[0], images_u8.shape[1], 299, 299), dtype=np.float32)
    for n in range(images_u8.shape[0]):
        for c in range(images_u8.shape[1]):
            img = Image.fromarray(images_u8[n, c].astype(np.float32), mode="F")
            out[n, c] = np.asarray(img.resize((299, 299), resample=Image.BICUBIC)).clip(0, 255)
    return (torch.from_numpy(out) - 128) / 128


def inception_case():
    g = GoldenWriter("inception")
    net = fid_inception()
    state = formula_weights(net)
    check_converter(state)
    rng = np.random.default_rng(20261204)
    # Smooth-ish images (a gradient plus noise) so that resizing matters but is not all aliasing.
    def image(c, h, w):
        yy, xx = np.mgrid[0:h, 0:w]
        base = 127 + 100 * np.sin(xx[None] / (3 + np.arange(c)[:, None, None]) + yy[None] / 5)
        return np.clip(base + rng.normal(0, 20, (c, h, w)), 0, 255).astype(np.uint8)
    inputs = {"rgb": np.stack([image(3, 40, 50), image(3, 40, 50)]), "gray": image(1, 320, 310)[None]}
    with torch.no_grad():
        for key, u8 in inputs.items():
            g.add(f"{key}.images", u8.astype(np.int32))
            rgb = np.repeat(u8, 3, axis=1) if u8.shape[1] == 1 else u8
            for mode, prepare in (("legacy", legacy), ("clean", clean)):
                pool3, logits = pool3_and_logits(net, prepare(rgb))
                g.add(f"{key}.{mode}.pool3", pool3)
                g.add(f"{key}.{mode}.logits", logits)
                print(f"{key} {mode}: pool3 mean {pool3.mean():.4f} std {pool3.std():.4f} max {pool3.max():.4f}; "
                      f"logits std {logits.std():.4f}")
    return g


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20261204)
    for w in (pool_case(), interpolate_case(), inception_case()):
        path = w.save(OUT)
        print(f"{os.path.relpath(path, REPO)}: {len(w.tensors)} tensors, {os.path.getsize(path)} bytes")
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}")


if __name__ == "__main__":
    main()
