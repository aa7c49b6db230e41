#!/usr/bin/python3
"""The PyTorch peer of `RawGan.Bench infer`: the DCGAN-64 generator (nz 100, ngf 64, RGB; gan_step.py's model) in
eval mode under no_grad, p50 latency of a forward at each batch size, printed as RawGan.Bench prints its own:

    /usr/bin/python3 tools/peer/gen_infer.py [BATCH ...] [--threads 2]

Running statistics are set away from 0 and 1 as RawGan.Bench sets its own (it changes nothing in the timing).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from gan_step import dcgan  # noqa: E402


def p50(fn, budget, min_runs=11, max_runs=400):
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    runs = int(min(max(budget / max(once, 1e-9), min_runs), max_runs))
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("batches", nargs="*", type=int, default=[1, 16])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(3)
    G = dcgan(64, nz=100, ngf=64, ndf=64, nc=3)[0].net
    for m in G.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    G.eval()
    print(f"# pytorch infer: DCGAN-64 generator, torch {torch.__version__}, {torch.get_num_threads()} threads")
    for n in args.batches:
        z = torch.randn(n, 100, 1, 1)
        with torch.no_grad():
            s = p50(lambda: G(z), budget=2 if n == 1 else 4)
        print(f"infer dcgan64 batch {n} pytorch eager: p50 {s * 1e3:.2f} ms  {n / s:.1f} images/s")


if __name__ == "__main__":
    main()
