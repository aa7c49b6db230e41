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
#   all            every test in the assembly (skips allowed; the tests that read the PyTorch training goldens fail for
#                  want of their data, which pack.sh leaves out of the bundle)
#
# Environment: RAWGAN_CUDA_LIBS (folders with libcublas.so.13 / libcudnn.so.9; found from python3's nvidia
# package when unset), RESULTS_DIR (where to write xunit XML and markdown results; default: none).
set -uo pipefail

mode=${1:-gpu}
[[ $# -gt 0 ]] && shift
say() { printf '== %s\n' "$*"; }

# The .NET runtime, the applications and the CUDA libraries' folders (bundle-env.sh, shared with run-all.sh).
source "$(dirname "${BASH_SOURCE[0]}")/bundle-env.sh" || exit 2
say "RAWGAN_CUDA_LIBS=${RAWGAN_CUDA_LIBS:-<unset>}"

# ---- what is here ------------------------------------------------------------------------------------------
say "host: $(uname -srm); bundle commit $(cat "$here/COMMIT" 2>/dev/null || echo '?'), .NET $(cat "$here/RUNTIME_VERSION" 2>/dev/null || echo '?')"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>&1 || true
else
  say "no nvidia-smi on this host"
fi
if [[ -f $app/rawgan.dll ]]; then
  say "rawgan info"
  "$dotnet" "$app/rawgan.dll" info 2>&1 || true
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
"$dotnet" exec "$app/RawGan.Tests.dll" "${args[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

say "summary ($mode)"
grep -E '\[FAIL\]|\[SKIP\]' "$log" | sed 's/^ */  /' | sort | uniq -c | sort -rn | head -40
grep -A2 'TEST EXECUTION SUMMARY' "$log" | tail -2
rm -f "$log"
exit "$status"
