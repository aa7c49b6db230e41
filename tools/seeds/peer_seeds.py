#!/usr/bin/python3
"""PyTorch's side of the seeds study (tools/seeds/seeds.sh, recipe `pytorch`): the PyTorch DCGAN example's recipe
(the layers of tools/peer/gan_step.py's dcgan(), N(0, 0.02) convolutions and N(1, 0.02) BatchNorm scales, BCELoss,
Adam(2e-4, (0.5, 0.999)), one D step on a real and a generated batch then one G step on that generated batch) on
the bundled digits, resized 28 -> SIZE as RawGan's loader does (PIL's bilinear filter), shuffled each epoch, the
last partial batch dropped.

    tools/seeds/peer_seeds.py DIR SEED [--width 32] [--steps 312] [--size 64] [--batch 128] [--count 1000]
        [--device cpu|cuda] [--threads 0]

Writes what summary.py reads of a RawGan run: DIR/dcgan-pytorch/metrics.csv (RawGan's columns: D(x) and D(G(z))
are the batch means of D's step, d_loss the sum of its two BCE terms) and config.json (the loss), and
DIR/samples/: COUNT samples of G in eval mode (BatchNorm on its running statistics, as `rawgan eval` samples), PNG,
for `rawgan eval --images`. The study's point is the recipe, not the numbers: PyTorch and RawGan draw different
random streams, so a seed here is not the same run as RawGan's seed.
"""
import argparse
import csv
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "peer"))
from gan_step import dcgan  # noqa: E402  (the same layers as the step benchmark's peer)

DATA = os.path.join(ROOT, "src", "RawGan.Cli", "Data", "mnist-10k-images-idx3-ubyte.gz")


def digits(size):
    """The bundled digits as [N, 1, size, size] in [-1, 1]: MNIST's IDX layout (16-byte header), each resized by PIL's
    bilinear filter, which RawGan's Resample matches (tools/bench/RESULTS.md, the loader's resampling)."""
    with gzip.open(DATA) as f:
        raw = f.read()
    n, h, w = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    images = np.frombuffer(raw, np.uint8, offset=16).reshape(n, h, w)
    if size != h:
        images = np.stack([np.asarray(Image.fromarray(x).resize((size, size), Image.BILINEAR)) for x in images])
    return torch.from_numpy(images.astype(np.float32) / 127.5 - 1).unsqueeze(1)


def init(m):
    """The DCGAN example's weights_init."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("seed", type=int)
    p.add_argument("--width", type=int, default=32, help="ngf = ndf")
    p.add_argument("--steps", type=int, default=312)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--count", type=int, default=1000, help="samples written for the judge")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    dev = torch.device(a.device)
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    data = digits(a.size).to(dev)
    G, D, _ = dcgan(a.size, ngf=a.width, ndf=a.width, nc=1)
    G.apply(init), D.apply(init)
    G.to(dev), D.to(dev)
    bce = nn.BCELoss()
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    run = os.path.join(a.dir, "dcgan-pytorch")
    os.makedirs(run, exist_ok=True)
    with open(os.path.join(run, "config.json"), "w") as f:
        json.dump({"model": "dcgan", "loss": "bce", "ngf": a.width, "ndf": a.width, "seed": a.seed, "peer": f"torch {torch.__version__}"}, f)
    per_epoch = len(data) // a.batch
    ones, zeros = torch.ones(a.batch, device=dev), torch.zeros(a.batch, device=dev)
    with open(os.path.join(run, "metrics.csv"), "w", newline="") as f:
        log = csv.writer(f)
        log.writerow(["step", "epoch", "d_loss", "g_loss", "d_x", "d_g_z", "images_per_sec"])
        step = 0
        while step < a.steps:
            order = torch.randperm(len(data), device=dev)
            for b in range(per_epoch):
                if step == a.steps:
                    break
                start = time.perf_counter()
                real = data[order[b * a.batch:(b + 1) * a.batch]]
                fake = G(torch.randn(a.batch, 100, device=dev), None)
                opt_d.zero_grad()
                d_real, d_fake = D(real, None), D(fake.detach(), None)
                d_loss = bce(d_real, ones) + bce(d_fake, zeros)
                d_loss.backward()
                opt_d.step()
                opt_g.zero_grad()
                g_loss = bce(D(fake, None), ones)
                g_loss.backward()
                opt_g.step()
                step += 1
                log.writerow([step, (step - 1) // per_epoch, f"{d_loss.item():.8f}", f"{g_loss.item():.8f}",
                              f"{d_real.mean().item():.9f}", f"{d_fake.mean().item():.9f}", f"{a.batch / (time.perf_counter() - start):.1f}"])
    samples = os.path.join(a.dir, "samples")
    os.makedirs(samples, exist_ok=True)
    G.eval()
    with torch.no_grad():
        for i in range(0, a.count, 100):
            x = G(torch.randn(min(100, a.count - i), 100, device=dev), None)
            pixels = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).squeeze(1).cpu().numpy()
            for j, img in enumerate(pixels):
                Image.fromarray(img).save(os.path.join(samples, f"{i + j:04d}.png"))
    print(f"peer_seeds.py: seed {a.seed}, {a.steps} steps, width {a.width}: {run}, {a.count} samples in {samples}")


if __name__ == "__main__":
    main()
