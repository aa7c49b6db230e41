#!/usr/bin/python3
"""PyTorch peer of `RawGan.Bench step`: the same GAN training step (one D update on a real and a generated batch,
one G update through D; BCELoss; Adam(2e-4, (0.5, 0.999))), timed the same way, so the two figures come from one
machine in one sitting.

    /usr/bin/python3 tools/peer/gan_step.py [--model dcgan|cgan] [--batch 64] [--size 64] [--steps 10]
        [--device cpu|cuda] [--threads N] [--tf32]

Prints one line: model, batch, device, median seconds per step, images per second, peak GPU memory (cuda).
The models are the PyTorch DCGAN example's (nz 100, ngf = ndf = 64, depth following --size) and the MNIST CGAN,
layer for layer what RawGan builds for `--model dcgan` and `--model cgan`.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn


def dcgan(size, nz=100, ngf=64, ndf=64, nc=3):
    n = size.bit_length() - 3  # stride-2 layers: 64 -> 4
    g, width = [nn.ConvTranspose2d(nz, ngf << (n - 1), 4, 1, 0, bias=False), nn.BatchNorm2d(ngf << (n - 1)), nn.ReLU(True)], ngf << (n - 1)
    for _ in range(n - 1):
        g += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width // 2), nn.ReLU(True)]
        width //= 2
    g += [nn.ConvTranspose2d(width, nc, 4, 2, 1, bias=False), nn.Tanh()]
    d, width = [nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)], ndf
    for _ in range(n - 1):
        d += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2), nn.LeakyReLU(0.2, True)]
        width *= 2
    d += [nn.Conv2d(width, 1, 4, 1, 0, bias=False), nn.Sigmoid()]
    G, D = nn.Sequential(*g), nn.Sequential(*d)
    return (lambda z, y: G(z.view(z.size(0), -1, 1, 1))), (lambda x, y: D(x).view(-1)), G, D, (nc, size, size)


def cgan(nz=100, classes=10):
    emb_g, emb_d = nn.Embedding(classes, classes), nn.Embedding(classes, classes)
    bn = lambda n: nn.BatchNorm1d(n, 0.8)
    lr = lambda: nn.LeakyReLU(0.2, True)
    G = nn.Sequential(nn.Linear(nz + classes, 128), lr(), nn.Linear(128, 256), bn(256), lr(), nn.Linear(256, 512), bn(512), lr(),
                      nn.Linear(512, 1024), bn(1024), lr(), nn.Linear(1024, 784), nn.Tanh())
    D = nn.Sequential(nn.Linear(794, 512), lr(), nn.Linear(512, 512), nn.Dropout(0.4), lr(), nn.Linear(512, 512), nn.Dropout(0.4), lr(),
                      nn.Linear(512, 1), nn.Sigmoid())
    gen = lambda z, y: G(torch.cat([emb_g(y), z], 1)).view(-1, 1, 28, 28)
    dis = lambda x, y: D(torch.cat([x.view(x.size(0), -1), emb_d(y)], 1)).view(-1)
    return gen, dis, nn.ModuleList([G, emb_g]), nn.ModuleList([D, emb_d]), (1, 28, 28)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="dcgan", choices=["dcgan", "cgan"])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--tf32", action="store_true")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.manual_seed(1)
    dev = torch.device(a.device)
    gen, dis, G, D, shape = dcgan(a.size) if a.model == "dcgan" else cgan()
    G.to(dev), D.to(dev)
    opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    bce = nn.BCELoss()
    n = a.batch
    real = torch.rand(n, *shape, device=dev) * 2 - 1
    labels = torch.randint(0, 10, (n,), device=dev)
    ones, zeros = torch.ones(n, device=dev), torch.zeros(n, device=dev)

    def step():
        z = torch.randn(n, 100, device=dev)
        gl = torch.randint(0, 10, (n,), device=dev)
        opt_d.zero_grad()
        fake = gen(z, gl)
        d_loss = bce(dis(real, labels), ones) + bce(dis(fake.detach(), gl), zeros)
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        for q in D.parameters():
            q.requires_grad_(False)  # as RawGan: the G step computes no D weight gradients
        g_loss = bce(dis(fake, gl), ones)
        g_loss.backward()
        for q in D.parameters():
            q.requires_grad_(True)
        opt_g.step()
        return d_loss.item() + g_loss.item()  # reads the losses back, as RawGan's trainer does each step

    for _ in range(2):
        step()
    if dev.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(a.steps):
        t = time.perf_counter()
        step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    mem = f"  peak {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB" if dev.type == "cuda" else ""
    print(f"pytorch {torch.__version__} {a.model} batch {n} {a.device}: {med:.4f} s/step  {n / med:.1f} images/s{mem}")


if __name__ == "__main__":
    main()
