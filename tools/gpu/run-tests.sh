#!/usr/bin/env bash
# Runs RawGan's GPU test suite from a bundle made by tools/gpu/pack.sh, on a host with no .NET and no network.
#
#   run-tests.sh [gpu|cpu|all] [extra xunit runner options...]
#
# The CLI is there too: DOTNET_ROOT=bundle/dotnet bundle/dotnet/dotnet bundle/app/rawgan.dll <command> (after the
# first run of this script has unpacked both).
#
#   gpu (default)  the CUDA conformance suite and the CUDA backend's checks that need no GPU data (kernel bindings,
#                  native layouts, shape decompositions, the allocator, device discovery); a skip counts as a failure
#                  here (-failSkips), so a host where the GPU or its libraries are not found fails loudly
#   cpu            the CPU conformance suite and the same checks (to check a bundle on a machine without a GPU)
#   all            every test of both test assemblies, RawGan.Tests and RawGan.GpuEmulator.Tests (skips allowed; the
#                  tests that read the PyTorch training goldens fail for want of their data, which pack.sh leaves out
#                  of the bundle)
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
assemblies=(RawGan.Tests)
# The CUDA backend's checks that need no GPU of their own, one class per topic; on a GPU host their device branches run.
checks=()
for class in CudaKernelBindingTests CudaNativeLayoutTests CudaBroadcastCollapseTests CudaSumRunsTests \
             CachingAllocatorTests CudaAvailabilityTests; do
  checks+=(-class "RawGan.Tests.Backends.$class")
done
case $mode in
  # (The repository-only check skips in a bundle by design: left out here, where skips fail.)
  gpu) args+=(-class RawGan.Tests.Backends.CudaConformance "${checks[@]}"
              -method- RawGan.Tests.Backends.CudaKernelBindingTests.Every_kernel_file_in_the_repository_is_embedded -failSkips) ;;
  cpu) args+=(-class RawGan.Tests.Backends.CpuDefaultConformance "${checks[@]}") ;;
  all) assemblies+=(RawGan.GpuEmulator.Tests) ;;
  *) echo "usage: run-tests.sh [gpu|cpu|all] [xunit options...]" >&2; exit 2 ;;
esac
[[ -n ${RESULTS_DIR:-} ]] && mkdir -p "$RESULTS_DIR"
log=$(mktemp)
status=0
for assembly in "${assemblies[@]}"; do
  results=()
  if [[ -n ${RESULTS_DIR:-} ]]; then
    # tests-<mode>.xml/.md for RawGan.Tests, tests-<mode>-GpuEmulator.Tests.xml/.md for the emulator's own tests.
    name=tests-$mode; [[ $assembly != RawGan.Tests ]] && name+=-${assembly#RawGan.}
    results=(-result-xml "$RESULTS_DIR/$name.xml" -result-markdown "$RESULTS_DIR/$name.md")
  fi
  say "$assembly ($mode): $dotnet exec $assembly.dll ${args[*]} ${results[*]} $*"
  "$dotnet" exec "$app/$assembly.dll" "${args[@]}" "${results[@]}" "$@" 2>&1 | tee -a "$log"
  code=${PIPESTATUS[0]}
  (( code != 0 && status == 0 )) && status=$code
done

say "summary ($mode)"
grep -E '\[FAIL\]|\[SKIP\]' "$log" | sed 's/^ */  /' | sort | uniq -c | sort -rn | head -40
grep -A1 'TEST EXECUTION SUMMARY' "$log" | grep -vE 'TEST EXECUTION SUMMARY|^--$'
rm -f "$log"
exit "$status"
