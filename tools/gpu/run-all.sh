#!/usr/bin/env bash
# The one script for a GPU host's device call: every figure the GPU issue asks for, from a bundle made by pack.sh,
# in about 9 minutes on an H100 or H200. Results go to $OUT (the device tool's output folder, of which at most 8
# files come back), rewritten after every phase so that a run cut short still returns what it has:
#
#   SUMMARY.md          what ran, for how long, what failed, and the key figures: the device and library versions,
#                       the DCGAN-64 step (RawGan and PyTorch, TF32 off and on), the kernel, GEMM and convolution
#                       lines, the training run's last metrics, the test suite's summary
#   dcgan-samples.png   the DCGAN-64 training run's last sample grid; dcgan-loss.png its loss curve
#   tests-gpu.xml/.md   the CUDA suite's xunit results (run-tests.sh with RESULTS_DIR=$OUT)
#   logs.tar.gz         every phase's full log, the run's metrics.csv and config.json
#
#   bundle/run-all.sh             on the GPU host (OUT defaults to bundle/run-all-out)
#   bundle/run-all.sh --dry-run   on a machine without a GPU: the CPU suite instead of the CUDA one, the training run
#                                 on the CPU with ngf = ndf = 8 and one epoch (the mechanics: data, resize to 64,
#                                 samples, plot), and the GPU phases run anyway, to show each one stops at once with
#                                 its reason (exit 3 from the benchmarks: no GPU)
#
# Phases, in this order (cheap identity first, the headline figures next, the open-ended suite last), each under
# `timeout`, none stopping the next: nvidia-smi; info (`rawgan info`: driver, cuBLAS, cuDNN, PTX JIT); step
# (RawGan.Bench step and tools/peer/gan_step.py back to back, DCGAN-64 at batch 128, TF32 off then on, then RawGan's
# TF32 step again with --cuda-graphs: the step captured once and replayed); kernels
# (RawGan.Bench kernels: PTX kernels against the copy bandwidth, GEMM against cuBLAS, convolutions against cuDNN);
# train (rawgan train, DCGAN-64 on the bundled MNIST resized to 64×64, 4 epochs of 78 batches of 128 = 312 steps);
# tests (run-tests.sh gpu, the CUDA conformance suite). Each phase's limit is its own or what is left of
# RUN_ALL_BUDGET (seconds, default 540), whichever is smaller; a phase with under 15 s left is skipped.
set -uo pipefail

self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
source "$(dirname "$self")/bundle-env.sh" || exit 2

# ---- one phase's work (run as `run-all.sh --phase NAME` under timeout, so a hang ends with its process group) ----
run_phase() {
  local rc=0
  case $1 in
    nvidia-smi)
      nvidia-smi || return
      nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm,clocks.max.mem,power.limit,pstate,temperature.gpu --format=csv ;;
    info)
      "$dotnet" "$app/rawgan.dll" info ;;
    step)
      # Each side in its own process, one model per process (peaks not shared), RawGan first, then PyTorch. The
      # phase exits 3 only when every run that failed did so for want of a GPU.
      local tf32 flags side code
      for tf32 in off on; do
        flags=(); [[ $tf32 == on ]] && flags=(--tf32)
        for side in rawgan pytorch; do
          # (--foreground: stay in the phase's process group, which the phase's own timeout ends as a whole.)
          if [[ $side == rawgan ]]; then
            timeout --foreground -k 5 75 "$dotnet" "$app/RawGan.Bench.dll" step cuda --model dcgan --batch 128 "${flags[@]}"
          else
            timeout --foreground -k 5 75 python3 "$here/gan_step.py" --device cuda --model dcgan --batch 128 --steps 50 "${flags[@]}"
          fi
          code=$?
          (( code != 0 )) && echo "run-all: $side step, TF32 $tf32: exit $code"
          (( code != 0 && (rc == 0 || rc == 3) )) && rc=$code
        done
      done
      # The same TF32 step as one captured CUDA graph per step (--cuda-graphs): the figure beside PyTorch's
      # torch.compile(mode="reduce-overhead"), which replays CUDA graphs too.
      timeout --foreground -k 5 75 "$dotnet" "$app/RawGan.Bench.dll" step cuda --model dcgan --batch 128 --tf32 --cuda-graphs
      code=$?
      (( code != 0 )) && echo "run-all: rawgan step, TF32 on, CUDA graphs: exit $code"
      (( code != 0 && (rc == 0 || rc == 3) )) && rc=$code
      return $rc ;;
    kernels)
      "$dotnet" "$app/RawGan.Bench.dll" kernels cuda ;;
    train)
      local args=(--model dcgan --image-size 64 --batch-size 128 --out "$RUN_ALL_WORK/runs")
      if [[ $RUN_ALL_DRY == 1 ]]; then args+=(--epochs 1 --ngf 8 --ndf 8 --device cpu); else args+=(--epochs 4 --device cuda); fi
      "$dotnet" "$app/rawgan.dll" train "${args[@]}" || rc=$?
      local run grid
      run=$(ls -d "$RUN_ALL_WORK"/runs/*/ 2>/dev/null | tail -1)
      [[ -n $run ]] || { echo "run-all: the training run left no folder under $RUN_ALL_WORK/runs"; return 1; }
      grid=$(ls "$run"samples/*.png 2>/dev/null | sort | tail -1)
      echo "run-all: run folder $run; last grid ${grid:-none}"
      [[ -n $grid ]] && cp "$grid" "$OUT/dcgan-samples.png"
      [[ -f ${run}loss.png ]] && cp "${run}loss.png" "$OUT/dcgan-loss.png"
      cp "${run}metrics.csv" "${run}config.json" "$RUN_ALL_WORK/" 2>/dev/null
      [[ -n $grid ]] || rc=1
      return $rc ;;
    tests)
      RESULTS_DIR=$OUT bash "$here/run-tests.sh" "$([[ $RUN_ALL_DRY == 1 ]] && echo cpu || echo gpu)" ;;
    *)
      echo "run-all: no phase named $1" >&2; return 2 ;;
  esac
}

if [[ ${1:-} == --phase ]]; then
  run_phase "$2"
  exit
fi

# ---- the run ---------------------------------------------------------------------------------------------------
case ${1:-} in
  "") export RUN_ALL_DRY=0 ;;
  --dry-run) export RUN_ALL_DRY=1 ;;
  *) echo "usage: run-all.sh [--dry-run]   (results in \$OUT, default $here/run-all-out)" >&2; exit 2 ;;
esac
export OUT=${OUT:-$here/run-all-out}
mkdir -p "$OUT" || exit 2
RUN_ALL_WORK=$(mktemp -d "${TMPDIR:-/tmp}/rawgan-run-all.XXXXXX") || exit 2
export RUN_ALL_WORK
budget=${RUN_ALL_BUDGET:-540}
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
rows=()

# The key figures of each phase's log, for SUMMARY.md (the full logs are in logs.tar.gz).
figures() {
  local log=$RUN_ALL_WORK/$1.log
  [[ -f $log ]] || return 0
  case $1 in
    nvidia-smi) grep -A3 '^name, driver_version' "$log" ;;
    info|step) grep -vE '^\s*$' "$log" | head -80 ;;
    kernels) grep -vE '^\s*$' "$log" | head -400 ;;
    train) grep -vE '^\s*$' "$log" | tail -8
           if [[ -f $RUN_ALL_WORK/metrics.csv ]]; then
             echo "metrics.csv, header and last row:"; head -1 "$RUN_ALL_WORK/metrics.csv"; tail -1 "$RUN_ALL_WORK/metrics.csv"
           fi ;;
    tests) sed -n '/^== summary/,$p' "$log" | head -60 ;;
  esac
}

write_summary() {
  {
    echo "# RawGan GPU run ($([[ $RUN_ALL_DRY == 1 ]] && echo 'dry run, no GPU' || echo 'GPU host'))"
    echo
    echo "- started $started, $(( SECONDS )) s so far; budget ${budget} s"
    echo "- bundle commit $(cat "$here/COMMIT" 2>/dev/null || echo '?'), .NET $(cat "$here/RUNTIME_VERSION" 2>/dev/null || echo '?')"
    echo "- host $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//')"
    echo "- $(python3 --version 2>&1) (PyTorch's version: the step section's '# pytorch step' line)"
    echo "- RAWGAN_CUDA_LIBS=${RAWGAN_CUDA_LIBS:-<unset>}"
    echo
    echo "| phase | outcome | seconds |"
    echo "| --- | --- | ---: |"
    printf '%s\n' "${rows[@]}"
    local phase
    for phase in nvidia-smi info step kernels train tests; do
      [[ -f $RUN_ALL_WORK/$phase.log ]] || continue
      echo
      echo "## $phase"
      echo
      echo '```text'
      figures "$phase"
      echo '```'
    done
  } >"$OUT/SUMMARY.md"
  tar -czf "$OUT/logs.tar.gz" -C "$RUN_ALL_WORK" $(cd "$RUN_ALL_WORK" && ls *.log *.csv *.json 2>/dev/null)
}

phase() { # phase NAME LIMIT: runs the phase under timeout, its output in $RUN_ALL_WORK/NAME.log and on the console
  local name=$1 limit=$2 left=$(( budget - SECONDS )) t0=$SECONDS rc outcome
  (( limit > left - 5 )) && limit=$(( left - 5 ))
  if (( limit < 15 )); then
    rows+=("| $name | skipped: ${left} s of the budget left | 0 |")
    write_summary
    return
  fi
  printf '== %s (limit %d s)\n' "$name" "$limit"
  timeout -k 10 "$limit" bash "$self" --phase "$name" 2>&1 | tee "$RUN_ALL_WORK/$name.log"
  rc=${PIPESTATUS[0]}
  case $rc in
    0) outcome=ok ;;
    124|137) outcome="timed out after ${limit} s" ;;
    3) outcome="no usable GPU (exit 3)" ;;
    127) outcome="command not found (exit 127)" ;;
    *) outcome="failed (exit $rc)" ;;
  esac
  rows+=("| $name | $outcome | $(( SECONDS - t0 )) |")
  printf '== %s: %s (%d s)\n' "$name" "$outcome" "$(( SECONDS - t0 ))"
  write_summary
}

echo "== run-all: results in $OUT, logs in $RUN_ALL_WORK, budget ${budget} s"
phase nvidia-smi 20
phase info 60
phase step 240
phase kernels 150
phase train 150
phase tests 300
echo "== run-all: done in $SECONDS s; $OUT/SUMMARY.md"
printf '%s\n' "${rows[@]}"
