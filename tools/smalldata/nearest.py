#!/usr/bin/python3
"""Copying and coverage of a small colour data set, in RGB pixel space (the digit judge's space is grey 28x28 digits,
and `rawgan eval --images` needs 128 images for its Frechet distance; the 67-image set has fewer).

Usage: tools/smalldata/nearest.py SAMPLES_DIR TRAINING_DIR OUT.png [SIZE]

Every image is read as RGB composited over white (as RawGan's loader does) and resized to SIZE (default 32).
Prints one line of figures:
- copies: samples closer to a training image than the two closest training images are to each other (eval's
  memorisation rule);
- median nearest: the median over samples of the L2 distance to the nearest training image, over that spacing;
- precision / recall (k = 3, Kynkaenniemi et al.): the share of samples within some training image's 3rd-neighbour
  radius, and of training images within some sample's.
Writes OUT.png: the 8 samples nearest a training image, each above that image, closest first.
"""

import os
import sys

import numpy as np
from PIL import Image


def load(folder, size):
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith((".png", ".jpg", ".bmp")))
    out = []
    for n in names:
        im = Image.open(os.path.join(folder, n)).convert("RGBA")
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im).convert("RGB").resize((size, size), Image.LANCZOS)
        out.append(np.asarray(im, dtype=np.float64) / 255.0)
    return np.stack(out)


def distances(a, b):
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.maximum(d, 0))


def kth_radius(d, k):
    return np.sort(d, axis=1)[:, k]  # column 0 is the image itself


def main():
    samples_dir, training_dir, out = sys.argv[1:4]
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    s, t = load(samples_dir, size), load(training_dir, size)
    st, tt, ss = distances(s, t), distances(t, t), distances(s, s)
    np.fill_diagonal(tt, np.inf)
    spacing = tt.min()
    nearest = st.min(1)
    np.fill_diagonal(tt, 0)
    precision = (st <= kth_radius(tt, 3)[None, :]).any(1).mean()
    recall = (st.T <= kth_radius(ss, 3)[None, :]).any(1).mean()
    print(f"{len(s)} samples, {len(t)} training images at {size}x{size}: copies {(nearest < spacing).sum()}, "
          f"median nearest / spacing {np.median(nearest) / spacing:.2f}, precision {precision:.2f}, recall {recall:.2f}")
    order = np.argsort(nearest)[:8]
    grid = np.ones((2 * size + 3, 8 * (size + 2), 3))
    for i, j in enumerate(order):
        x = i * (size + 2)
        grid[:size, x:x + size] = s[j]
        grid[size + 3:, x:x + size] = t[st[j].argmin()]
    Image.fromarray((grid * 255).round().astype(np.uint8)).save(out, optimize=True)


if __name__ == "__main__":
    main()
