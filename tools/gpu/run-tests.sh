#!/usr/bin/env bash
# Runs RawGan's GPU test suite from a bundle made by tools/gpu/pack.sh, on a host with no .NET and no network.
#
#   run-tests.sh [gpu|cpu|all] [extra xunit runner options...]
#
# The CLI is there too: DOTNET_ROOT=bundle/dotnet bundle/dotnet/dotnet bundle/app/rawgan.dll <command> (after the
# first run of this script has unpacked both).
#
#   gpu (default)  the CUDA conformance suite and the binding checks; a skip counts as a failure here
#                  (-failSkips), so a host where the GPU or its libraries are not found fails loudly
#   cpu            the CPU conformance suite and the binding checks (to check a bundle on a machine without a GPU)
#   all            every test in the assembly (skips allowed)
#
# Environment: RAWGAN_CUDA_LIBS (folders with libcublas.so.13 / libcudnn.so.9; found from python3's nvidia
# package when unset), RESULTS_DIR (where to write xunit XML and markdown results; default: none).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=${1:-gpu}
[[ $# -gt 0 ]] && shift
say() { printf '== %s\n' "$*"; }

# ---- .NET runtime and the applications from the bundle ------------------------------------------------------
if [[ ! -x $here/dotnet/dotnet ]]; then
  say "unpacking the .NET runtime into $here/dotnet"
  mkdir -p "$here/dotnet" && tar -xzf "$here/dotnet-runtime.tar.gz" -C "$here/dotnet" || { echo "cannot unpack the runtime" >&2; exit 2; }
fi
if [[ ! -f $here/app/RawGan.Tests.dll ]]; then
  say "unpacking the applications into $here/app"
  tar -xzf "$here/app.tar.gz" -C "$here" || { echo "cannot unpack app.tar.gz" >&2; exit 2; }
fi
export DOTNET_ROOT=$here/dotnet
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export PATH=$DOTNET_ROOT:$PATH
dotnet=$DOTNET_ROOT/dotnet

# ---- CUDA libraries from pip's nvidia wheels ---------------------------------------------------------------
if [[ -z ${RAWGAN_CUDA_LIBS:-} ]] && command -v python3 >/dev/null; then
  site=$(python3 -c "import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null) || site=
  if [[ -n $site ]]; then
    RAWGAN_CUDA_LIBS=$(ls -d "$site"/nvidia/*/lib 2>/dev/null | paste -sd: -)
    export RAWGAN_CUDA_LIBS
  fi
fi
say "RAWGAN_CUDA_LIBS=${RAWGAN_CUDA_LIBS:-<unset>}"

# ---- what is here ------------------------------------------------------------------------------------------
say "host: $(uname -srm); bundle commit $(cat "$here/COMMIT" 2>/dev/null || echo '?'), .NET $(cat "$here/RUNTIME_VERSION" 2>/dev/null || echo '?')"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>&1 || true
else
  say "no nvidia-smi on this host"
fi
if [[ -f $here/app/rawgan.dll ]]; then
  say "rawgan info"
  "$dotnet" "$here/app/rawgan.dll" info 2>&1 || true
fi

# ---- the suite ---------------------------------------------------------------------------------------------
args=(-noColor -noLogo)
case $mode in
  # (The repository-only check skips in a bundle by design: left out here, where skips fail.)
  gpu) args+=(-class RawGan.Tests.Backends.CudaConformance -class RawGan.Tests.Backends.ConformanceBindingTests
              -method- RawGan.Tests.Backends.ConformanceBindingTests.Every_kernel_file_in_the_repository_is_embedded -failSkips) ;;
  cpu) args+=(-class RawGan.Tests.Backends.CpuDefaultConformance -class RawGan.Tests.Backends.ConformanceBindingTests) ;;
  all) ;;
  *) echo "usage: run-tests.sh [gpu|cpu|all] [xunit options...]" >&2; exit 2 ;;
esac
if [[ -n ${RESULTS_DIR:-} ]]; then
  mkdir -p "$RESULTS_DIR"
  args+=(-result-xml "$RESULTS_DIR/tests-$mode.xml" -result-markdown "$RESULTS_DIR/tests-$mode.md")
fi
say "RawGan.Tests ($mode): $dotnet exec RawGan.Tests.dll ${args[*]} $*"
log=$(mktemp)
"$dotnet" exec "$here/app/RawGan.Tests.dll" "${args[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

say "summary ($mode)"
grep -E '\[FAIL\]|\[SKIP\]' "$log" | sed 's/^ */  /' | sort | uniq -c | sort -rn | head -40
grep -A2 'TEST EXECUTION SUMMARY' "$log" | tail -2
rm -f "$log"
exit "$status"
