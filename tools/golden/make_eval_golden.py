#!/usr/bin/python3
"""Writes the golden file for RawGan's metrics (src/RawGan/Eval/) from NumPy and SciPy.

Regenerate (from the repository root):

    /usr/bin/python3 tools/golden/make_eval_golden.py

It needs Debian's python3-numpy, python3-scipy (and python3-torch, which golden_format imports). Output:
tests/RawGan.Tests/Golden/data/eval_metrics.bin (format: golden_format.py) and eval_stats.npz, written by
np.savez as pytorch-fid writes its reference statistics.

The features are recorded random vectors: two sets drawn from different Gaussians, so every formula has
something to measure. Each metric is computed as the tools users know compute it:
- FID as pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm of sigma1 @ sigma2);
- KID's unbiased MMD as clean-fid's kernel_distance, on one subset that is the whole of both sets;
- IS as the original code: 10 consecutive splits, exp of the mean KL, mean and (population) std;
- precision and recall as Kynkaanniemi et al.: radius = distance to the k-th nearest other vector, k = 3.
"""

import os

import numpy as np
from scipy import linalg

from golden_format import GoldenWriter

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "RawGan.Tests", "Golden", "data")


def frechet(mu1, sigma1, mu2, sigma2):
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)


def mmd(x, y):
    m, d = x.shape
    a = (x @ x.T / d + 1) ** 3 + (y @ y.T / d + 1) ** 3
    b = (x @ y.T / d + 1) ** 3
    return ((a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m) / m


def inception_score(p, splits=10):
    n = len(p)
    scores = []
    for k in range(splits):
        part = p[k * n // splits:(k + 1) * n // splits]
        py = part.mean(axis=0, keepdims=True)
        kl = (part * (np.log(part) - np.log(py))).sum(axis=1).mean()
        scores.append(np.exp(kl))
    return np.mean(scores), np.std(scores)


def coverage(manifold, queries, k=3):
    within = np.sqrt(((manifold[:, None, :] - manifold[None, :, :]) ** 2).sum(-1))
    radius = np.sort(within, axis=1)[:, k]  # column 0 is the vector itself
    across = np.sqrt(((queries[:, None, :] - manifold[None, :, :]) ** 2).sum(-1))
    return float((across <= radius[None, :]).any(axis=1).mean())


def main():
    rng = np.random.default_rng(11)
    n, d = 80, 16
    real = rng.normal(size=(n, d))
    mixing = np.eye(d) + 0.3 * rng.normal(size=(d, d))
    fake = rng.normal(size=(n, d)) @ mixing + 0.4
    mu1, sigma1 = real.mean(axis=0), np.cov(real, rowvar=False)
    mu2, sigma2 = fake.mean(axis=0), np.cov(fake, rowvar=False)
    logits = 2 * rng.normal(size=(50, 7))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    is_mean, is_std = inception_score(probs)

    g = GoldenWriter("eval_metrics")
    g.add("real", real)
    g.add("fake", fake)
    g.add("sigma_real", sigma1)
    g.f64("fid", frechet(mu1, sigma1, mu2, sigma2))
    g.f64("mmd", mmd(real, fake))
    g.add("probabilities", probs)
    g.f64("is_mean", is_mean)
    g.f64("is_std", is_std)
    g.f64("precision", coverage(real, fake))
    g.f64("recall", coverage(fake, real))
    print("wrote", g.save(OUT))
    path = os.path.join(OUT, "eval_stats.npz")
    np.savez(path, mu=mu1.astype(np.float32), sigma=sigma1)
    print("wrote", path)


if __name__ == "__main__":
    main()
