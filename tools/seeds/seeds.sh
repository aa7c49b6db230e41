#!/usr/bin/env bash
# The seeds study of issue 12: DCGAN-64 on the bundled digits at batch 128, one run per seed and recipe, on the CPU
# at reduced width (ngf = ndf = WIDTH), each stopped by SIGTERM (it checkpoints and exits) once STEPS steps are
# logged, then judged by `rawgan eval` (the digit judge, 1,000 samples) on that checkpoint; tools/seeds/summary.py
# makes one table row per run.
# Usage: tools/seeds/seeds.sh OUT RECIPE SEEDS...   RECIPE: plain | stable | diffaugment | pytorch
#   pytorch: the plain recipe in PyTorch (tools/seeds/peer_seeds.py, run by PYTHON, default /usr/bin/python3; Debian's
#   python3-torch and python3-pil are installed with apt-get when it lacks them), its samples judged by
#   `rawgan eval --images` against the bundled digits.
#   STEPS (default 80), WIDTH (16), JOBS (runs at once, default 3), DEVICE (default cpu; on a GPU host the GPU
#   study's own settings are STEPS=312 WIDTH=64 DEVICE=cuda JOBS=1),
#   RAWGAN (the command; default: dotnet on the Release build of src/RawGan.Cli, built if absent).
# Re-runnable: a judged run (marked done) is skipped, a stopped one only judged, one still training (its run.lock
# PID alive, from an earlier call of this script) seen through.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$1 recipe=$2; shift 2
steps=${STEPS:-80} width=${WIDTH:-16} jobs=${JOBS:-3} device=${DEVICE:-cpu}
case $recipe in
  plain) flags=() ;;                                   # PyTorch's DCGAN example: BCE, Adam(2e-4, 0.5), BatchNorm D
  stable) flags=(--spectral-norm --d-norm none --loss hinge) ;;  # Miyato et al.: spectral norm on every D layer instead of BatchNorm, hinge loss
  diffaugment) flags=(--diff-augment color,translation,cutout) ;;  # plain, with DiffAugment (Zhao et al.) on D's inputs
  pytorch) flags=() ;;                                 # plain, trained by PyTorch's DCGAN example
  *) echo "seeds.sh: RECIPE must be plain, stable, diffaugment or pytorch, not '$recipe'" >&2; exit 2 ;;
esac
if [[ -z ${RAWGAN:-} ]]; then
  dll=$root/src/RawGan.Cli/bin/Release/net10.0/rawgan.dll
  [[ -f $dll ]] || nice -n 10 dotnet build -c Release "$root/src/RawGan.Cli" >/dev/null
  RAWGAN="dotnet $dll"
fi
python=${PYTHON:-/usr/bin/python3}
if [[ $recipe == pytorch ]] && ! "$python" -c "import torch, PIL" 2>/dev/null; then
  command -v apt-get >/dev/null || { echo "seeds.sh: $python lacks torch or PIL, and there is no apt-get to install python3-torch python3-pil" >&2; exit 2; }
  apt-get update -qq && apt-get install -y -qq python3-torch python3-pil >/dev/null
fi
epochs=$(( (steps + 77) / 78 ))   # 10,000 digits at batch 128 (last partial batch dropped): 78 steps an epoch
mkdir -p "$out"
logged() { local m; m=$(ls "$1"/dcgan-*/metrics.csv 2>/dev/null | head -n 1); [[ -n $m ]] && echo $(( $(wc -l <"$m") - 1 )) || echo 0; }
one() {
  local seed=$1 dir=$out/$recipe-seed$1 run pid=""
  [[ -f $dir/done ]] && return 0
  if [[ $recipe == pytorch ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    "$python" "$root/tools/seeds/peer_seeds.py" "$dir" "$seed" --width "$width" --steps "$steps" --device "$device" >"$dir.log" 2>&1
    $RAWGAN eval --images "$dir/samples" --device "$device" --out "$dir/eval" >"$dir.eval.log" 2>&1
    touch "$dir/done"
    return 0
  fi
  run=$(ls -d "$dir"/dcgan-* 2>/dev/null | head -n 1 || true)
  if [[ -n $run && -f $run/run.lock ]] && kill -0 "$(cat "$run/run.lock")" 2>/dev/null; then
    pid=$(cat "$run/run.lock")
  elif [[ ! -f $dir/stopped ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    $RAWGAN train --model dcgan --image-size 64 --batch-size 128 --ngf "$width" --ndf "$width" --epochs "$epochs" \
      --device "$device" --seed "$seed" --log-every 1 --eval-every 0 --sample-every 0 --checkpoint-every 0 \
      --out "$dir" "${flags[@]}" >"$dir.log" 2>&1 &
    pid=$!
  fi
  if [[ -n $pid ]]; then
    # Row STEPS-1 logged: step STEPS is under way, and SIGTERM lets it finish before the checkpoint.
    while (( $(logged "$dir") < steps - 1 )) && kill -0 "$pid" 2>/dev/null; do sleep 3; done
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 1; done
    touch "$dir/stopped"
  fi
  run=$(ls -d "$dir"/dcgan-* | head -n 1)
  $RAWGAN eval --checkpoint "$run/checkpoints/latest.safetensors" --count 1000 --device "$device" --out "$dir/eval" >"$dir.eval.log" 2>&1
  touch "$dir/done"
}
for seed in "$@"; do
  while (( $(jobs -rp | wc -l) >= jobs )); do wait -n || true; done
  one "$seed" &
done
wait
