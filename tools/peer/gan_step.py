#!/usr/bin/python3
"""PyTorch peer of `RawGan.Bench step`: the same GAN training step (one D update on a real and a generated batch,
one G update through D; BCELoss; Adam(2e-4, (0.5, 0.999))), timed the same way, so the two figures come from one
machine in one sitting.

    python3 tools/peer/gan_step.py [--model dcgan|cgan] [--batch N] [--size 64] [--steps 10]
        [--device cpu|cuda] [--threads N] [--tf32] [--cudnn-benchmark] [--config NAME[,NAME...]|all] [--flops]

--config chooses how PyTorch runs the step (default eager); "all", or a comma-separated list, measures each in a
process of its own (so peaks, compiled graphs and cuDNN caches are not shared), one after the other:
    eager          plain eager mode (cuDNN heuristics unless --cudnn-benchmark, the default Adam)
    fast           cudnn.benchmark = True and fused Adam (fused needs CUDA: on the CPU, the default Adam, said so)
    bf16           bf16 autocast and channels_last (models and images), cudnn.benchmark, fused Adam; BCELoss on
                   the float32 output outside autocast, as PyTorch requires
    compile        torch.compile of G and D, default mode (torch >= 2, else skipped with the reason)
    reduce-overhead  torch.compile(mode="reduce-overhead") (CUDA graphs), torch.compiler.cudagraph_mark_step_begin()
                   before each step (torch >= 2.1, else skipped with the reason)
--tf32 applies to every configuration (bf16 autocast leaves float32 work to it).

Prints a '#' line saying what ran, then the figures in the C# bench's format, with "pytorch" for "rawgan" and the
configuration after the device:
    step dcgan batch 128 pytorch cuda tf32=off eager: 0.0123 s/step  10406.5 images/s  peak allocated 1234 MiB  peak reserved 1500 MiB  device used 2000 MiB
Batch defaults to 64 on the CPU (tools/bench/RESULTS.md's table) and 128 on CUDA (the DCGAN comparison). The peaks
are torch.cuda.max_memory_allocated / max_memory_reserved over the timed steps (reset after the warm-up steps, as the
C# bench resets its allocator's); "device used" is total minus free device memory at the end (torch.cuda.mem_get_info),
CUDA context and library workspaces included. --tf32 allows TF32 in both matrix products and cuDNN convolutions, as
RawGan's --tf32 does; without it both are full FP32 (PyTorch's own default allows TF32 in cuDNN). Exits 3 when
--device cuda is asked for and PyTorch sees no GPU, as the C# bench does. Warm-up is 2 steps, 5 for the compiled
configurations (compilation and CUDA-graph recording happen there, untimed; their time is printed on the '#' line).
--flops counts the FLOPs of one step (torch.utils.flop_counter, torch >= 2.1) instead of timing it:
    flops dcgan batch N: <G> GFLOP per step  <g> GFLOP per image  (torch.utils.flop_counter)
The models are the PyTorch DCGAN example's (nz 100, ngf = ndf = 64, depth following --size) and the MNIST CGAN,
layer for layer what RawGan builds for `--model dcgan` and `--model cgan`.
"""
import argparse
import contextlib
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn


class Generator(nn.Module):
    """G(z, y): DCGAN's net on z as a 1×1 image, or the CGAN's on [embedding(y), z]."""

    def __init__(self, net, embedding=None, shape=None):
        super().__init__()
        self.net, self.embedding, self.shape = net, embedding, shape

    def forward(self, z, y):
        if self.embedding is None:
            return self.net(z.view(z.size(0), -1, 1, 1))
        return self.net(torch.cat([self.embedding(y), z], 1)).view(-1, *self.shape)


class Discriminator(nn.Module):
    """D(x, y) as one probability per image: DCGAN's net, or the CGAN's on [flattened x, embedding(y)]."""

    def __init__(self, net, embedding=None):
        super().__init__()
        self.net, self.embedding = net, embedding

    def forward(self, x, y):
        if self.embedding is None:
            return self.net(x).view(-1)
        return self.net(torch.cat([x.view(x.size(0), -1), self.embedding(y)], 1)).view(-1)


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
    return Generator(nn.Sequential(*g)), Discriminator(nn.Sequential(*d)), (nc, size, size)


def cgan(nz=100, classes=10):
    bn = lambda n: nn.BatchNorm1d(n, 0.8)
    lr = lambda: nn.LeakyReLU(0.2, True)
    G = nn.Sequential(nn.Linear(nz + classes, 128), lr(), nn.Linear(128, 256), bn(256), lr(), nn.Linear(256, 512), bn(512), lr(),
                      nn.Linear(512, 1024), bn(1024), lr(), nn.Linear(1024, 784), nn.Tanh())
    D = nn.Sequential(nn.Linear(794, 512), lr(), nn.Linear(512, 512), nn.Dropout(0.4), lr(), nn.Linear(512, 512), nn.Dropout(0.4), lr(),
                      nn.Linear(512, 1), nn.Sigmoid())
    return Generator(G, nn.Embedding(classes, classes), (1, 28, 28)), Discriminator(D, nn.Embedding(classes, classes)), (1, 28, 28)


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


CONFIGS = ["eager", "fast", "bf16", "compile", "reduce-overhead"]


def run_each(configs, argv):
    """Each configuration in a process of its own; exits 3 only when every one that failed lacked a GPU."""
    rc = 0
    args = []
    for i, a in enumerate(argv):  # argv less its --config (as "--config X" or "--config=X")
        if not (a.startswith("--config") or (i > 0 and argv[i - 1] == "--config")):
            args.append(a)
    for c in configs:
        code = subprocess.call([sys.executable, __file__, *args, f"--config={c}"])
        if code != 0:
            print(f"gan_step.py: configuration {c}: exit {code}", file=sys.stderr, flush=True)
            rc = code if rc in (0, 3) else rc
    sys.exit(rc)


def unavailable(config, cuda):
    """Why this PyTorch cannot run the configuration (None when it can)."""
    version = tuple(int(v) for v in torch.__version__.split("+")[0].split(".")[:2])
    if config in ("compile", "reduce-overhead") and not hasattr(torch, "compile"):
        return f"torch {torch.__version__} has no torch.compile (added in 2.0)"
    if config == "reduce-overhead" and not hasattr(getattr(torch, "compiler", None), "cudagraph_mark_step_begin"):
        return f"torch {torch.__version__} has no torch.compiler.cudagraph_mark_step_begin (added in 2.1)"
    if config == "bf16" and not cuda and version < (1, 10):
        return f"torch {torch.__version__} has no CPU bf16 autocast"
    return None


def count_flops(step, model, n):
    """The FLOPs one training step performs, as PyTorch's FlopCounterMode counts the operators that run (matrix
    products and convolutions, forward and backward, only the gradients the step asks for): the figure achieved
    TFLOP/s are computed from, for RawGan's identical step too."""
    try:
        from torch.utils.flop_counter import FlopCounterMode
    except ImportError:
        print(f"# pytorch flops {model}: skipped: torch {torch.__version__} has no torch.utils.flop_counter (added in 2.1)", flush=True)
        return
    step()  # the first step outside the counter: lazy initialisation is not the step's
    counter = FlopCounterMode(display=False)
    with counter:
        step()
    total = counter.get_total_flops()
    print(f"flops {model} batch {n}: {total / 1e9:.2f} GFLOP per step  {total / n / 1e9:.4f} GFLOP per image  (torch.utils.flop_counter)", flush=True)


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
    p.add_argument("--config", default="eager", help="a configuration, a comma-separated list of them, or all: " + ", ".join(CONFIGS))
    p.add_argument("--flops", action="store_true", help="count the FLOPs of one eager step instead of timing (torch >= 2.1)")
    a = p.parse_args()
    configs = CONFIGS if a.config == "all" else a.config.split(",")
    for c in configs:
        if c not in CONFIGS:
            p.error(f"--config {c}: expected one of {', '.join(CONFIGS)} or all")
    if len(configs) > 1:
        run_each(configs, sys.argv[1:])
    config = configs[0]
    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    if cuda and not torch.cuda.is_available():
        print(f"gan_step.py: no usable CUDA device: torch {torch.__version__} (CUDA {torch.version.cuda}) sees none", file=sys.stderr)
        sys.exit(3)
    why_not = unavailable(config, cuda)
    if why_not:
        print(f"# pytorch step {config}: skipped: {why_not}", flush=True)
        return
    if a.threads:
        torch.set_num_threads(a.threads)
    tf32 = set_tf32(a.tf32)
    fast = config in ("fast", "bf16")
    torch.backends.cudnn.benchmark = a.cudnn_benchmark or fast
    compiled = config in ("compile", "reduce-overhead")
    bf16 = config == "bf16"
    torch.manual_seed(1)
    n = a.batch or (128 if cuda else 64)
    G, D, shape = dcgan(a.size) if a.model == "dcgan" else cgan()
    G.to(dev), D.to(dev)
    notes = []
    channels_last = bf16 and len(shape) == 3
    if channels_last:
        G.to(memory_format=torch.channels_last), D.to(memory_format=torch.channels_last)
    adam = {}
    if fast and cuda:
        adam["fused"] = True
    elif fast:
        notes.append("fused Adam needs CUDA here: the default Adam")
    opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999), **adam)
    opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999), **adam)
    gen, dis = G, D
    if compiled:
        mode = "reduce-overhead" if config == "reduce-overhead" else "default"
        gen, dis = torch.compile(G, mode=mode), torch.compile(D, mode=mode)
    bce = nn.BCELoss()
    real = torch.rand(n, *shape, device=dev) * 2 - 1
    if channels_last:
        real = real.contiguous(memory_format=torch.channels_last)
    labels = torch.randint(0, 10, (n,), device=dev)
    ones, zeros = torch.ones(n, device=dev), torch.zeros(n, device=dev)
    autocast = (lambda: torch.autocast(dev.type, dtype=torch.bfloat16)) if bf16 else contextlib.nullcontext

    def step():
        if config == "reduce-overhead":
            torch.compiler.cudagraph_mark_step_begin()  # the previous step's outputs may be overwritten from here
        z = torch.randn(n, 100, device=dev)
        gl = torch.randint(0, 10, (n,), device=dev)
        opt_d.zero_grad()
        with autocast():
            fake = gen(z, gl)
            p_real, p_fake = dis(real, labels), dis(fake.detach(), gl)
        d_loss = bce(p_real.float(), ones) + bce(p_fake.float(), zeros)  # BCELoss is refused under autocast
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        for q in D.parameters():
            q.requires_grad_(False)  # as RawGan: the G step computes no D weight gradients
        with autocast():
            p_gen = dis(fake, gl)
        g_loss = bce(p_gen.float(), ones)
        g_loss.backward()
        for q in D.parameters():
            q.requires_grad_(True)
        opt_g.step()
        return d_loss.item() + g_loss.item()  # reads the losses back (a sync), as RawGan's bench does each step

    if a.flops:
        count_flops(step, a.model, n)
        return
    warmup = 5 if compiled else 2
    t0 = time.perf_counter()
    for _ in range(warmup):
        step()
    if cuda:
        torch.cuda.synchronize()
    warm_s = time.perf_counter() - t0
    where = (f"cuda {torch.cuda.get_device_name(dev)}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, {tf32}, "
             f"cudnn.benchmark={torch.backends.cudnn.benchmark}") if cuda else f"cpu, {torch.get_num_threads()} threads"
    print(f"# pytorch step {config}: torch {torch.__version__}, {where}, batch {n}, median of {a.steps} steps after {warmup} warm-up steps "
          f"({warm_s:.1f} s{', compilation included' if compiled else ''}){''.join('; ' + x for x in notes)}", flush=True)
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(a.steps):
        t = time.perf_counter()
        step()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    line = f"step {a.model} batch {n} pytorch {'cuda tf32=' + ('on' if a.tf32 else 'off') if cuda else 'cpu'} {config}: {med:.4f} s/step  {n / med:.1f} images/s"
    if cuda:
        free, total = torch.cuda.mem_get_info(dev)
        mib = lambda b: f"{b / 2**20:.0f}"
        line += (f"  peak allocated {mib(torch.cuda.max_memory_allocated(dev))} MiB  peak reserved {mib(torch.cuda.max_memory_reserved(dev))} MiB"
                 f"  device used {mib(total - free)} MiB")
    print(line, flush=True)


if __name__ == "__main__":
    main()
