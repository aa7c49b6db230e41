#!/usr/bin/python3
"""PyTorch peer of `RawGan.Bench inception`: images per second through the FID Inception-v3 (torchvision's
inception_v3 with pytorch-fid's blocks, tools/inception/fid_inception.py), the same pipeline timed the same way.

    python3 tools/peer/inception_peer.py [--batch N] [--device cpu|cuda] [--threads N]

RGB 64x64 images in [-1, 1] to 8-bit, /255, F.interpolate(bilinear, 299, align_corners=False), 2x - 1 (pytorch-fid),
the network to pool3 and the 1008 logits, both read back to the host; eval mode, torch.no_grad, placeholder
weights. Median of at least 3 batches after one warm-up, as tools/bench/RawGan.Bench/Timing.cs. Prints a '#' line,
then the C# bench's line with "pytorch" for "rawgan". Exits 3 when --device cuda has no GPU.
"""
import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(_here, "..", "inception"), _here]  # the repository's layout, or the GPU bundle's (side by side)
from fid_inception import fid_inception, pool3_and_logits  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int)
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        print("no CUDA device", file=sys.stderr)
        sys.exit(3)
    torch.set_num_threads(a.threads)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    n = a.batch or (8 if a.device == "cpu" else 200)
    net = fid_inception().to(a.device)
    images = torch.rand(n, 3, 64, 64, generator=torch.Generator().manual_seed(1)) * 2 - 1

    def run():
        with torch.no_grad():
            u8 = ((images.clamp(-1, 1) + 1) / 2 * 255 + 0.5).floor().to(a.device)
            x = F.interpolate(u8 / 255, size=(299, 299), mode="bilinear", align_corners=False) * 2 - 1
            pool3, logits = pool3_and_logits(net, x)
            pool3.cpu(), logits.cpu()

    print(f"# pytorch {torch.__version__} inception: {a.device}, {torch.get_num_threads()} threads, batch {n} of 3x64x64, "
          "legacy resize to 299, pool3 and logits read back")
    start = time.perf_counter()
    run()
    once = time.perf_counter() - start
    times = []
    for _ in range(max(3, min(20, int(1 / max(once, 1e-9))))):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    s = statistics.median(times)
    print(f"inception batch {n} pytorch {a.device}: {s:.3f} s/batch  {n / s:.1f} images/s")


if __name__ == "__main__":
    main()
