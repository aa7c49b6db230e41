#!/usr/bin/python3
"""PyTorch peer of `RawGan.Bench step`: the same GAN training step (one D update on a real and a generated batch,
one G update through D; BCELoss; Adam(2e-4, (0.5, 0.999))), timed the same way, so the two figures come from one
machine in one sitting.

    python3 tools/peer/gan_step.py [--model dcgan|cgan] [--batch N] [--size 64] [--steps 10]
        [--device cpu|cuda] [--threads N] [--tf32] [--cudnn-benchmark]

Prints a '#' line saying what ran, then the figures in the C# bench's format, with "pytorch" for "rawgan":
    step dcgan batch 128 pytorch cuda tf32=off: 0.0123 s/step  10406.5 images/s  peak allocated 1234 MiB  peak reserved 1500 MiB  device used 2000 MiB
Batch defaults to 64 on the CPU (tools/bench/RESULTS.md's table) and 128 on CUDA (the DCGAN comparison). The peaks
are torch.cuda.max_memory_allocated / max_memory_reserved over the timed steps (reset after two warm-up steps, as the
C# bench resets its allocator's); "device used" is total minus free device memory at the end (torch.cuda.mem_get_info),
CUDA context and library workspaces included. --tf32 allows TF32 in both matrix products and cuDNN convolutions, as
RawGan's CudaBackend.AllowTf32 does; without it both are full FP32 (PyTorch's own default allows TF32 in cuDNN).
cuDNN chooses algorithms by its heuristics as in plain eager mode, unless --cudnn-benchmark. Exits 3 when --device
cuda is asked for and PyTorch sees no GPU, as the C# bench does.
The models are the PyTorch DCGAN example's (nz 100, ngf = ndf = 64, depth following --size) and the MNIST CGAN,
layer for layer what RawGan builds for `--model dcgan` and `--model cgan`.
"""
import argparse
import statistics
import sys
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


def set_tf32(allowed):
    """TF32 in matrix products and cuDNN convolutions, through the API this PyTorch has (2.9 added fp32_precision and
    deprecated allow_tf32; the two must not be mixed). Returns a description of what is now set."""
    # Asked of torch.backends: older versions' cuda.matmul raises AssertionError, not AttributeError, on unknown names.
    if hasattr(torch.backends, "fp32_precision"):
        precision = "tf32" if allowed else "ieee"
        torch.backends.cuda.matmul.fp32_precision = precision
        torch.backends.cudnn.conv.fp32_precision = precision
        return f"matmul.fp32_precision={torch.backends.cuda.matmul.fp32_precision} cudnn.conv.fp32_precision={torch.backends.cudnn.conv.fp32_precision}"
    torch.backends.cuda.matmul.allow_tf32 = allowed
    torch.backends.cudnn.allow_tf32 = allowed
    return f"matmul.allow_tf32={torch.backends.cuda.matmul.allow_tf32} cudnn.allow_tf32={torch.backends.cudnn.allow_tf32}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="dcgan", choices=["dcgan", "cgan"])
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--tf32", action="store_true")
    p.add_argument("--cudnn-benchmark", action="store_true")
    a = p.parse_args()
    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    if cuda and not torch.cuda.is_available():
        print(f"gan_step.py: no usable CUDA device: torch {torch.__version__} (CUDA {torch.version.cuda}) sees none", file=sys.stderr)
        sys.exit(3)
    if a.threads:
        torch.set_num_threads(a.threads)
    tf32 = set_tf32(a.tf32)
    torch.backends.cudnn.benchmark = a.cudnn_benchmark
    torch.manual_seed(1)
    n = a.batch or (128 if cuda else 64)
    where = (f"cuda {torch.cuda.get_device_name(dev)}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, {tf32}, "
             f"cudnn.benchmark={a.cudnn_benchmark}") if cuda else f"cpu, {torch.get_num_threads()} threads"
    print(f"# pytorch step: torch {torch.__version__}, {where}, batch {n}, median of {a.steps} steps after 2 warm-up steps", flush=True)
    gen, dis, G, D, shape = dcgan(a.size) if a.model == "dcgan" else cgan()
    G.to(dev), D.to(dev)
    opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    bce = nn.BCELoss()
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
        return d_loss.item() + g_loss.item()  # reads the losses back (a sync), as RawGan's bench does each step

    for _ in range(2):
        step()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(a.steps):
        t = time.perf_counter()
        step()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    line = f"step {a.model} batch {n} pytorch {'cuda tf32=' + ('on' if a.tf32 else 'off') if cuda else 'cpu'}: {med:.4f} s/step  {n / med:.1f} images/s"
    if cuda:
        free, total = torch.cuda.mem_get_info(dev)
        mib = lambda b: f"{b / 2**20:.0f}"
        line += (f"  peak allocated {mib(torch.cuda.max_memory_allocated(dev))} MiB  peak reserved {mib(torch.cuda.max_memory_reserved(dev))} MiB"
                 f"  device used {mib(total - free)} MiB")
    print(line, flush=True)


if __name__ == "__main__":
    main()
