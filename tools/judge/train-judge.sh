#!/usr/bin/env bash
# Trains the bundled digit judge from seed 1 on the bundled digits (8,000 trained, 2,000 held out) and writes its
# weights to src/RawGan/Eval/digit-judge.safetensors, where the build embeds them. Deterministic on the CPU: a
# rerun writes the same bytes (compare with sha256sum). Takes a few minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=src/RawGan.Cli/Data
dotnet run -c Release --project tools/judge/RawGan.Judge -- \
    "$data/mnist-10k-images-idx3-ubyte.gz" "$data/mnist-10k-labels-idx1-ubyte.gz" src/RawGan/Eval/digit-judge.safetensors
sha256sum src/RawGan/Eval/digit-judge.safetensors
