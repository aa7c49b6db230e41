#!/usr/bin/python3
"""The peer figures for RawGan.Bench: PyTorch (CPU) on the same GEMM sizes, DCGAN-64 convolutions and ops, printed
in the same "kind name ms GFLOP/s" lines so compare.py can pair them. Run with Debian's /usr/bin/python3
(python3-torch 1.13 with libopenblas0-pthread, so torch.mm is OpenBLAS sgemm; convolutions go through oneDNN
unless --no-mkldnn). Timing rule as in RawGan.Bench's Timing.cs: warm up, then the median of several runs.

usage: peer_gemm.py [gemm|conv|ops|all] [--threads N] [--no-mkldnn]
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def median_seconds(body, budget=1.0, min_runs=5, max_runs=50):
    start = time.perf_counter()
    body()
    warm = 1
    while warm < 3 and time.perf_counter() - start < budget / 5:
        body()
        warm += 1
    once = (time.perf_counter() - start) / warm
    runs = int(min(max(budget / max(once, 1e-9), min_runs), max_runs))
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        body()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def report(kind, name, seconds, flops):
    print(f"{kind} {name} {seconds * 1e3:.3f} {flops / seconds / 1e9:.1f}", flush=True)


def gemm():
    print(f"# torch {torch.__version__} gemm: torch.mm float32, {torch.get_num_threads()} threads, median of runs")
    for n in (256, 512, 1024, 2048):
        a, b, c = torch.rand(n, n) * 2 - 1, torch.rand(n, n) * 2 - 1, torch.empty(n, n)
        report("gemm", str(n), median_seconds(lambda: torch.mm(a, b, out=c)), 2.0 * n ** 3)


# (name, cin, cout, size, stride, pad): the geometry of a forward convolution, as DcganLayers.cs lists them.
LAYERS = [
    ("D1:conv3-64@64", 3, 64, 64, 2, 1),
    ("D2:conv64-128@32", 64, 128, 32, 2, 1),
    ("D3:conv128-256@16", 128, 256, 16, 2, 1),
    ("D4:conv256-512@8", 256, 512, 8, 2, 1),
    ("D5:conv512-1@4", 512, 1, 4, 1, 0),
    ("G1:convT100-512@1", 512, 100, 4, 1, 0),
    ("G2:convT512-256@4", 256, 512, 8, 2, 1),
    ("G3:convT256-128@8", 128, 256, 16, 2, 1),
    ("G4:convT128-64@16", 64, 128, 32, 2, 1),
    ("G5:convT64-3@32", 3, 64, 64, 2, 1),
]
BATCH = 64


def conv():
    print(f"# torch {torch.__version__} conv: DCGAN-64 layers at batch {BATCH}, mkldnn={torch.backends.mkldnn.enabled}, "
          f"{torch.get_num_threads()} threads")
    backward = torch.ops.aten.convolution_backward
    for name, cin, cout, size, stride, pad in LAYERS:
        x = torch.rand(BATCH, cin, size, size) * 2 - 1
        w = torch.rand(cout, cin, 4, 4) * 2 - 1
        y = F.conv2d(x, w, None, stride, pad)
        dy = torch.rand_like(y) * 2 - 1
        flops = 2.0 * BATCH * cout * y.shape[2] * y.shape[3] * cin * 16
        args = ([0], [stride] * 2, [pad] * 2, [1, 1], False, [0, 0], 1)
        with torch.no_grad():
            report("conv", name + ":fwd", median_seconds(lambda: F.conv2d(x, w, None, stride, pad), 0.6), flops)
            report("conv", name + ":bwd-data",
                   median_seconds(lambda: backward(dy, x, w, *args, [True, False, False]), 0.6), flops)
            report("conv", name + ":bwd-filter",
                   median_seconds(lambda: backward(dy, x, w, *args, [False, True, False]), 0.6), flops)


def ops():
    print(f"# torch {torch.__version__} ops: float32, forward y = op(x) and backward y.backward(dy), median of runs")
    torch.manual_seed(1)

    def leaf(*shape):
        return (torch.randn(*shape) * 0.5).requires_grad_()

    def time_op(name, flops, inputs, op):
        fwd, bwd, dy = [], [], None
        start = time.perf_counter()
        run = 0
        while run < 50 and (run < 8 or time.perf_counter() - start < 1.5):
            t = time.perf_counter()
            y = op(*inputs)
            f = time.perf_counter() - t
            if dy is None:
                dy = torch.randn_like(y)
            t = time.perf_counter()
            if y.numel() == 1:
                y.backward()
            else:
                y.backward(dy)
            b = time.perf_counter() - t
            for i in inputs:
                i.grad = None
            if run >= 2:
                fwd.append(f)
                bwd.append(b)
            run += 1
        report("op", name + ":fwd", statistics.median(fwd), flops)
        report("op", name + ":bwd", statistics.median(bwd), 2 * flops)

    act = leaf(64, 128, 16, 16)
    time_op("linear:100x512->1024", 2.0 * 100 * 512 * 1024, [leaf(100, 512), leaf(1024, 512), leaf(1024)], F.linear)
    time_op("conv2d:D2-64x64x32x32", 2.0 * 64 * 128 * 16 * 16 * 64 * 16, [leaf(64, 64, 32, 32), leaf(128, 64, 4, 4)],
            lambda x, w: F.conv2d(x, w, None, 2, 1))
    time_op("conv_transpose2d:G3-64x256x8x8", 2.0 * 64 * 256 * 8 * 8 * 128 * 16, [leaf(64, 256, 8, 8), leaf(256, 128, 4, 4)],
            lambda x, w: F.conv_transpose2d(x, w, None, 2, 1))
    mean, var = torch.zeros(128), torch.ones(128)
    time_op("batch_norm:64x128x16x16", 0, [act, leaf(128), leaf(128)],
            lambda x, w, b: F.batch_norm(x, mean, var, w, b, training=True))
    time_op("leaky_relu:64x128x16x16", 0, [act], lambda x: F.leaky_relu(x, 0.2))
    time_op("tanh:64x128x16x16", 0, [act], torch.tanh)
    time_op("sigmoid:64x128x16x16", 0, [act], torch.sigmoid)
    target = torch.rand(64, 128, 16, 16)
    prob = (torch.rand(64, 128, 16, 16) * 0.98 + 0.01).requires_grad_()
    time_op("bce:64x128x16x16", 0, [prob], lambda p: F.binary_cross_entropy(p, target))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", nargs="?", default="all", choices=["gemm", "conv", "ops", "all"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-mkldnn", action="store_true", help="convolutions as im2col + OpenBLAS (THNN)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.backends.mkldnn.enabled = not args.no_mkldnn
    if args.command in ("gemm", "all"):
        gemm()
    if args.command in ("conv", "all"):
        conv()
    if args.command in ("ops", "all"):
        ops()


if __name__ == "__main__":
    main()
