#!/usr/bin/env bash
# Trains the README's main job (`rawgan train` with its defaults: the conditional DCGAN on the bundled MNIST digits)
# on the CPU and copies the last epoch's sample grid (one row per digit class, fixed noise) to
# tools/gallery/main-job-mnist.png, with the loss curve and the digit judge's curves beside it.
# Usage: tools/gallery/make-gallery.sh [EPOCHS]   (default: the recipe's own number of epochs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
epochs=${1:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

dotnet run -c Release --project "$root/src/RawGan.Cli" -- train ${epochs:+--epochs "$epochs"} --device cpu --out "$out" --seed 1
run=$(ls -d "$out"/*-* | head -n 1)
cp "$(ls "$run"/samples/epoch-*.png | tail -n 1)" "$here/main-job-mnist.png"
cp "$run/loss.png" "$here/main-job-mnist-loss.png"
cp "$run/eval.png" "$here/main-job-mnist-eval.png"
# How long the epochs took on this machine, from metrics.csv (images/s per step).
awk -F, 'NR > 1 { s += $7; n++ } END { printf "mean %.0f images/s over %d steps\n", s / n, n }' "$run/metrics.csv" | tee "$here/main-job-mnist.txt"
echo "wrote $here/main-job-mnist.png, main-job-mnist-loss.png and main-job-mnist-eval.png"
