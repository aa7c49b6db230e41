#!/usr/bin/env bash
# Trains the README's main job (the conditional GAN on the bundled MNIST digits) for a few epochs on the CPU and
# copies the epoch's sample grid (one row per digit class, fixed noise) to tools/gallery/cgan-mnist.png, with the
# loss curve beside it. Usage: tools/gallery/make-gallery.sh [EPOCHS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
epochs=${1:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

dotnet run -c Release --project "$root/src/RawGan.Cli" -- train --epochs "$epochs" --device cpu --out "$out" --seed 1
run=$(ls -d "$out"/cgan-* | head -n 1)
cp "$run/samples/epoch-$(printf %03d "$epochs").png" "$here/cgan-mnist.png"
cp "$run/loss.png" "$here/cgan-mnist-loss.png"
# How long the epochs took on this machine, from metrics.csv (images/s per step).
awk -F, 'NR > 1 { s += $7; n++ } END { printf "mean %.0f images/s over %d steps\n", s / n, n }' "$run/metrics.csv" | tee "$here/cgan-mnist.txt"
echo "wrote $here/cgan-mnist.png and cgan-mnist-loss.png"
