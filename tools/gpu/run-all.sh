#!/usr/bin/env bash
# The one script for a GPU host's device call: every figure the GPU issues ask for, from a bundle made by pack.sh,
# in at most 8 minutes (RUN_ALL_BUDGET) on an H100 or H200. Results go to $OUT (the device tool's output folder, of
# which at most 8 files come back), rewritten after every phase so that a run cut short still returns what it has:
#
#   SUMMARY.md          what ran, for how long, what failed, and the key figures: the device and library versions,
#                       the step matrix of issue 14 as a table (DCGAN-64 at batch 128/512/1024, RawGan per precision,
#                       PyTorch per gan_step.py configuration; MLP CGAN at batch 64; images/s, achieved TFLOP/s as a
#                       share of the GPU's dense peak, ratio to the fastest PyTorch, peak memory), the kernel, GEMM
#                       and convolution lines, the training run's last metrics, the test suite's summary
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
# (issue 14's matrix: RawGan.Bench step and tools/peer/gan_step.py, each run in its own process, about 4.5 minutes;
# see the phase; with RawGan's TF32 step once more as one captured CUDA graph per step, and bf16 and TF32 steps
# with channels-last activations); kernels (RawGan.Bench kernels: PTX kernels against the copy bandwidth, GEMM against cuBLAS,
# convolutions against cuDNN); tests (run-tests.sh gpu, the CUDA conformance suite); inception (RawGan.Bench inception
# and tools/peer/inception_peer.py: images/s through the FID Inception-v3); train (rawgan train, DCGAN-64
# on the bundled MNIST resized to 64×64, 4 epochs of 78 batches of 128 = 312 steps, FP32, judged by the digit judge
# after each epoch); train-bf16 (the same run with --precision bf16: its eval.csv beside FP32's). Each phase's limit is its own or
# what is left of RUN_ALL_BUDGET (seconds, default 480; 900 for a dry run), whichever is smaller; a phase with under
# 15 s left is skipped. The step phase's time is an estimate (not yet run on a GPU): its table says what it reached.
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
      # Issue 14's matrix, each run in its own process (one model per process: peaks not shared), under its own
      # timeout: the FLOPs of one step as PyTorch counts them (the TFLOP/s in SUMMARY.md are computed from these);
      # DCGAN-64 at batch 128, 512 and 1024, RawGan in each precision and PyTorch in each configuration of
      # gan_step.py (torch.compile only at batch 128: 20 s or more to compile each); TF32 off on both sides at batch
      # 128 (the bit-faithful baseline); the MLP CGAN at batch 64. A side whose first run finds no GPU (exit 3)
      # skips the rest of its runs. The phase exits 3 only when every run that failed did so for want of a GPU.
      local b p configs
      STEP_RC=0 STEP_NO_GPU_RAWGAN=0 STEP_NO_GPU_PYTORCH=0
      step_run pytorch 60 python3 "$here/gan_step.py" --device cuda --model dcgan --batch 128 --tf32 --flops
      step_run pytorch 60 python3 "$here/gan_step.py" --device cuda --model cgan --batch 64 --tf32 --flops
      for b in 128 512 1024; do
        for p in fp32 tf32 bf16; do
          step_run rawgan 45 "$dotnet" "$app/RawGan.Bench.dll" step cuda --model dcgan --batch $b --precision $p --seconds 3
        done
        # bf16 with channels-last activations (--channels-last): the configuration PyTorch's bf16 figure uses.
        step_run rawgan 45 "$dotnet" "$app/RawGan.Bench.dll" step cuda --model dcgan --batch $b --precision bf16 --seconds 3 --channels-last
        configs=eager,fast,bf16; (( b == 128 )) && configs=all
        step_run pytorch 150 python3 "$here/gan_step.py" --device cuda --model dcgan --batch $b --steps 20 --tf32 --config $configs
      done
      step_run pytorch 45 python3 "$here/gan_step.py" --device cuda --model dcgan --batch 128 --steps 20 --config eager
      for p in fp32 tf32; do
        step_run rawgan 30 "$dotnet" "$app/RawGan.Bench.dll" step cuda --model cgan --batch 64 --precision $p --seconds 3
      done
      step_run pytorch 45 python3 "$here/gan_step.py" --device cuda --model cgan --batch 64 --steps 50 --config eager
      step_run pytorch 45 python3 "$here/gan_step.py" --device cuda --model cgan --batch 64 --steps 50 --tf32 --config eager
      # The batch-norm choice at the step's scale: the runs above take the default (cuDNN's persistent batch
      # norm); this one the PTX kernels (RAWGAN_CUDA_BATCHNORM, src/RawGan/Backends/Cuda/CudaBackend.CudnnBatchNorm.cs).
      echo "# rawgan step, TF32 on, RAWGAN_CUDA_BATCHNORM=ptx"
      step_run rawgan 30 env RAWGAN_CUDA_BATCHNORM=ptx "$dotnet" "$app/RawGan.Bench.dll" step cuda --model dcgan --batch 128 --precision tf32 --seconds 3
      # The same TF32 step as one captured CUDA graph per step (--cuda-graphs): the figure beside PyTorch's
      # torch.compile(mode="reduce-overhead"), which replays CUDA graphs too.
      step_run rawgan 45 "$dotnet" "$app/RawGan.Bench.dll" step cuda --model dcgan --batch 128 --precision tf32 --seconds 3 --cuda-graphs
      # TF32 in channels-last: whether the layout alone pays at the batch where launch overhead weighs most.
      step_run rawgan 45 "$dotnet" "$app/RawGan.Bench.dll" step cuda --model dcgan --batch 128 --precision tf32 --seconds 3 --channels-last
      return $STEP_RC ;;
    kernels)
      "$dotnet" "$app/RawGan.Bench.dll" kernels cuda ;;
    inception)
      # Images per second through the FID Inception-v3, RawGan then torchvision with pytorch-fid's blocks (the GPU
      # column of tools/bench/RESULTS.md's CPU table). Exits 3 only when both failed for want of a GPU.
      local code
      "$dotnet" "$app/RawGan.Bench.dll" inception cuda --batch 200 || rc=$?
      timeout --foreground -k 5 90 python3 "$here/inception_peer.py" --device cuda --batch 200
      code=$?
      (( code != 0 )) && echo "run-all: pytorch inception: exit $code"
      (( code != 0 && (rc == 0 || rc == 3) )) && rc=$code
      return $rc ;;
    train)
      train_run runs ;;
    train-bf16)
      train_run runs-bf16 --precision bf16 ;;
    tests)
      RESULTS_DIR=$OUT bash "$here/run-tests.sh" "$([[ $RUN_ALL_DRY == 1 ]] && echo cpu || echo gpu)" ;;
    *)
      echo "run-all: no phase named $1" >&2; return 2 ;;
  esac
}

# step_run SIDE LIMIT COMMAND...: one run of the step matrix (stdout to the phase's log), its failure noted in
# STEP_RC; after a run of SIDE exits 3 (no GPU), SIDE's other runs are skipped.
step_run() {
  local side=$1 limit=$2 code flag=STEP_NO_GPU_${1^^}
  shift 2
  if [[ ${!flag} == 1 ]]; then echo "run-all: skipped (no GPU for $side): $*"; return; fi
  # (--foreground: stay in the phase's process group, which the phase's own timeout ends as a whole.)
  timeout --foreground -k 5 "$limit" "$@"
  code=$?
  (( code == 0 )) && return
  echo "run-all: $side exit $code: $*"
  (( code == 3 )) && printf -v "$flag" 1
  (( STEP_RC == 0 || STEP_RC == 3 )) && STEP_RC=$code
}

# One DCGAN-64 training run into $RUN_ALL_WORK/FOLDER with the extra arguments given: its last grid and loss plot
# (FP32's only) to $OUT, its metrics.csv, eval.csv and config.json into the logs (prefixed for bf16).
train_run() {
  local folder=$1 rc=0; shift
  local args=(--model dcgan --image-size 64 --batch-size 128 --out "$RUN_ALL_WORK/$folder" "$@")
  if [[ $RUN_ALL_DRY == 1 ]]; then args+=(--epochs 1 --ngf 8 --ndf 8 --device cpu); else args+=(--epochs 4 --device cuda); fi
  "$dotnet" "$app/rawgan.dll" train "${args[@]}" || rc=$?
  local run grid prefix=""
  [[ $folder == runs ]] || prefix=$folder-
  run=$(ls -d "$RUN_ALL_WORK/$folder"/*/ 2>/dev/null | tail -1)
  [[ -n $run ]] || { echo "run-all: the training run left no folder under $RUN_ALL_WORK/$folder"; return 1; }
  grid=$(ls "$run"samples/*.png 2>/dev/null | sort | tail -1)
  echo "run-all: run folder $run; last grid ${grid:-none}"
  if [[ -z $prefix ]]; then
    [[ -n $grid ]] && cp "$grid" "$OUT/dcgan-samples.png"
    [[ -f ${run}loss.png ]] && cp "${run}loss.png" "$OUT/dcgan-loss.png"
  fi
  local f
  for f in metrics.csv eval.csv config.json; do [[ -f $run$f ]] && cp "$run$f" "$RUN_ALL_WORK/$prefix$f"; done
  [[ -n $grid ]] || rc=1
  return $rc
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
# 8 minutes on a GPU host; a dry run (the CPU suite and a CPU training run on a CPU) may take longer.
budget=${RUN_ALL_BUDGET:-$(( RUN_ALL_DRY == 1 ? 900 : 480 ))}
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
rows=()

# The key figures of each phase's log, for SUMMARY.md (the full logs are in logs.tar.gz).
figures() {
  local log=$RUN_ALL_WORK/$1.log
  [[ -f $log ]] || return 0
  case $1 in
    nvidia-smi) grep -A3 '^name, driver_version' "$log" ;;
    info) grep -vE '^\s*$' "$log" | head -80 ;;
    step) step_table; echo; grep -vE '^\s*$' "$log" | head -120 ;;
    kernels) grep -vE '^\s*$' "$log" | head -400 ;;
    inception) grep -vE '^\s*$' "$log" | head -20 ;;
    train) grep -vE '^\s*$' "$log" | tail -8
           if [[ -f $RUN_ALL_WORK/metrics.csv ]]; then
             echo "metrics.csv, header and last row:"; head -1 "$RUN_ALL_WORK/metrics.csv"; tail -1 "$RUN_ALL_WORK/metrics.csv"
           fi ;;
    train-bf16) grep -vE '^\s*$' "$log" | tail -4
           local f
           for f in eval.csv runs-bf16-eval.csv; do
             [[ -f $RUN_ALL_WORK/$f ]] || continue
             echo "$([[ $f == eval.csv ]] && echo 'fp32' || echo 'bf16') $f (digit judge after each epoch):"; cat "$RUN_ALL_WORK/$f"
           done ;;
    tests) sed -n '/^== summary/,$p' "$log" | head -60 ;;
  esac
}

# Dense tensor-core peaks (TFLOP/s: FP32 without tensor cores, TF32, BF16) from NVIDIA's datasheets (their figures
# "with sparsity" halved), by the GPU's name as nvidia-smi gives it; empty for a GPU not listed.
peaks() {
  case $1 in
    *H100*PCIe*) echo "51.2 378 756" ;;
    *H100*NVL*|*H200*NVL*) echo "60 417.5 835.5" ;;
    *H100*|*H200*) echo "67 494.5 989.5" ;;
    *A100*) echo "19.5 156 312" ;;
  esac
}

# The step matrix as a table: images/s, achieved TFLOP/s (the FLOPs per image PyTorch counted for that model, times
# images/s) as a share of the GPU's dense peak for the precision the run used, the ratio to the fastest PyTorch
# configuration at that model and batch, and the peak memory.
step_table() {
  local gpu
  gpu=$(grep -A1 '^name, driver_version' "$RUN_ALL_WORK/nvidia-smi.log" 2>/dev/null | tail -1 | cut -d, -f1)
  awk -v gpu="${gpu:-unknown GPU}" -v peaks="$(peaks "$gpu")" '
    function after(word,   i) { for (i = 1; i < NF; i++) if ($i == word) return $(i + 1); return "" }
    function before(word,   i) { for (i = 2; i <= NF; i++) if ($i == word) return $(i - 1); return "" }
    $1 == "flops" { for (i = 2; i <= NF; i++) if ($i == "GFLOP" && $(i + 2) == "image") gflop[$2] = $(i - 1) }
    $1 == "step" && / images\/s/ {
      label = ""
      for (i = 6; i <= NF; i++) { label = label (label == "" ? "" : " ") $i; if ($i ~ /:$/) break }
      sub(/:$/, "", label)
      n++; model[n] = $2; batch[n] = $4; side[n] = $5; config[n] = label; ips[n] = before("images/s")
      alloc[n] = after("allocated"); reserved[n] = after("reserved")
      prec[n] = label ~ /bf16/ ? "bf16" : label ~ /tf32=on/ ? "tf32" : "fp32"
      key = $2 " " $4
      if ($5 == "pytorch" && ips[n] + 0 > best[key] + 0) best[key] = ips[n]
    }
    END {
      split(peaks, pk, " "); peak["fp32"] = pk[1]; peak["tf32"] = pk[2]; peak["bf16"] = pk[3]
      printf "GPU: %s; dense peaks (TFLOP/s) FP32 %s, TF32 %s, BF16 %s\n", gpu, pk[1] ? pk[1] : "?", pk[2] ? pk[2] : "?", pk[3] ? pk[3] : "?"
      for (m in gflop) printf "FLOPs per image (torch.utils.flop_counter, one training step): %s %s GFLOP\n", m, gflop[m]
      print ""
      print "| model | batch | side | configuration | images/s | TFLOP/s | of the precision peak | vs fastest PyTorch | peak allocated MiB | peak reserved MiB |"
      print "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
      for (i = 1; i <= n; i++) {
        tf = gflop[model[i]] ? sprintf("%.1f", gflop[model[i]] * ips[i] / 1000) : "?"
        share = (tf != "?" && peak[prec[i]]) ? sprintf("%.1f%% of %s", 100 * tf / peak[prec[i]], prec[i]) : "?"
        vs = best[model[i] " " batch[i]] ? sprintf("%.2fx", ips[i] / best[model[i] " " batch[i]]) : "?"
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", model[i], batch[i], side[i], config[i], ips[i], tf, share, vs, alloc[i], reserved[i]
      }
    }' "$RUN_ALL_WORK/step.log"
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
    for phase in nvidia-smi info step kernels tests inception train train-bf16; do
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
phase info 45
phase step 340
phase kernels 120
phase tests $(( RUN_ALL_DRY == 1 ? 300 : 120 ))
phase inception 45
phase train $(( RUN_ALL_DRY == 1 ? 300 : 60 ))
phase train-bf16 $(( RUN_ALL_DRY == 1 ? 300 : 60 ))
echo "== run-all: done in $SECONDS s; $OUT/SUMMARY.md"
printf '%s\n' "${rows[@]}"
