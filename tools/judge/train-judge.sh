#!/usr/bin/env bash
# Trains the bundled digit judge from seed 1 on the bundled digits (8,000 trained, 2,000 held out) and writes its
# weights to src/RawGan/Eval/digit-judge.safetensors, and its feature statistics of the 8,000 digits to
# digit-judge-reference.npz beside them, where the build embeds both. Deterministic on the CPU: a rerun writes the
# same bytes (compare with sha256sum; DigitJudgeTests recomputes the statistics). A few minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=src/RawGan.Cli/Data
dotnet run -c Release --project tools/judge/RawGan.Judge -- \
    "$data/mnist-10k-images-idx3-ubyte.gz" "$data/mnist-10k-labels-idx1-ubyte.gz" src/RawGan/Eval/digit-judge.safetensors
sha256sum src/RawGan/Eval/digit-judge.safetensors src/RawGan/Eval/digit-judge-reference.npz
