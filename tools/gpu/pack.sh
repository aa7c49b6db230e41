#!/usr/bin/env bash
# Packs what a GPU host without .NET needs to run RawGan's GPU suite, the rawgan CLI and the GPU benchmarks:
#
#   tools/gpu/bundle/
#     app.tar.xz              RawGan.Tests and RawGan.GpuEmulator.Tests (xunit.v3 executables), rawgan and
#                             RawGan.Bench, Release, framework-dependent, linux-x64, published into one folder (they
#                             share RawGan.Core)
#     dotnet-runtime.tar.xz   the SDK folder's `dotnet` host, host/, shared/Microsoft.NETCore.App/<version> and
#                             shared/Microsoft.AspNetCore.App/<version> (`rawgan serve` runs on ASP.NET Core's
#                             shared framework, and the tests reference the CLI)
#     bundle-env.sh           unpacks both beside itself on first use (app/, dotnet/; with xz, or python3's tarfile
#                             where the host has no xz) and sets the environment
#     run-tests.sh            the test suite (gpu, cpu or all)
#     run-all.sh              the whole GPU check in one call: suite, training run, benchmarks, PyTorch peer
#     gan_step.py             the PyTorch peer of `RawGan.Bench step` (tools/peer/gan_step.py)
#     inception_peer.py       the PyTorch peer of `RawGan.Bench inception`, with fid_inception.py (its network)
#     COMMIT, RUNTIME_VERSION
#
#   tools/gpu/pack.sh               build and pack; the bundle and the working tree must fit the device tool's
#                                   64 MiB together (the tree travels with every call, the bundle as a carried path)
#   tools/gpu/pack.sh --check       then run `run-all.sh --dry-run` from a copy of the bundle, with its own runtime
#                                   and a PATH without dotnet, as a GPU host would: the CPU suite, a small DCGAN-64
#                                   training run on the CPU, and the GPU phases' no-GPU exits; it fails unless each
#                                   phase ended as expected
#
# The bundle is git-ignored; name it in a device run's carry list (or copy the folder to the GPU host) and run
# bundle/run-all.sh there (tools/gpu/README.md).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
bundle=$repo/tools/gpu/bundle
say() { printf 'pack: %s\n' "$*"; }
die() { printf 'pack: error: %s\n' "$*" >&2; exit 1; }

command -v dotnet >/dev/null || die "dotnet (the SDK) is not on PATH"
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
# The newest installed Microsoft.NETCore.App runtime of the major version the projects target.
target_major=$(sed -n 's:.*<TargetFramework>net\([0-9]*\)\..*</TargetFramework>.*:\1:p' tests/RawGan.Tests/RawGan.Tests.csproj | head -1)
runtime=$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | grep "^${target_major}\." | sort -V | tail -1)
[[ -n $runtime ]] || die "no Microsoft.NETCore.App ${target_major}.x runtime under $dotnet_root/shared"
[[ -d $dotnet_root/shared/Microsoft.AspNetCore.App/$runtime ]] || die "no Microsoft.AspNetCore.App $runtime runtime under $dotnet_root/shared (rawgan serve needs it)"

rm -rf "$bundle"
stage=$bundle/app
mkdir -p "$stage"

say "publishing the tests (Release, linux-x64, framework-dependent)"
for tests in RawGan.Tests RawGan.GpuEmulator.Tests; do
  dotnet publish "tests/$tests/$tests.csproj" -c Release -r linux-x64 --self-contained false \
    -o "$stage" --nologo -v quiet
done
if [[ -f src/RawGan.Cli/RawGan.Cli.csproj ]]; then
  say "publishing the CLI into the same folder"
  dotnet publish src/RawGan.Cli/RawGan.Cli.csproj -c Release -r linux-x64 --self-contained false \
    -o "$stage" --nologo -v quiet
fi
say "publishing RawGan.Bench into the same folder"
dotnet publish tools/bench/RawGan.Bench/RawGan.Bench.csproj -c Release -r linux-x64 --self-contained false \
  -o "$stage" --nologo -v quiet
# Not needed to run: the code-coverage collector of Microsoft.NET.Test.Sdk, localised resources, XML docs. Nor the
# PyTorch training goldens (12.6 MB, more than the rest of the tests put together): only CPU tests
# read them, CI runs those, and without them the bundle fits the device tool's 64 MiB beside the working tree.
rm -rf "$stage/Microsoft.CodeCoverage"
# Nor ONNX Runtime (its 20 MB native library; the package also drops its Windows DLL here), which only the CPU
# tests of `rawgan export` load: CI runs those.
rm -f "$stage"/libonnxruntime*.so "$stage"/onnxruntime.dll
rm -f "$stage"/Golden/data/train_*.bin
find "$stage" -mindepth 1 -maxdepth 1 -type d \( -name cs -o -name de -o -name es -o -name fr -o -name it -o -name ja \
  -o -name ko -o -name pl -o -name pt-BR -o -name ru -o -name tr -o -name zh-Hans -o -name zh-Hant \) -exec rm -rf {} +
find "$stage" -maxdepth 1 -name '*.xml' -delete
# xz, not gzip: the runtime with ASP.NET Core's shared framework is 48 MB as gzip and 33 MB as xz -9, which is what
# lets the bundle fit beside the working tree. A host without xz unpacks with python3 (bundle-env.sh).
command -v xz >/dev/null || die "xz is not on PATH (the bundle is packed with xz to fit the device tool's 64 MiB)"
pack_xz() { local out=$1; shift; tar -cf - "$@" | xz -9 -T0 > "$out"; }
say "packing the applications"
pack_xz "$bundle/app.tar.xz" -C "$bundle" app
rm -rf "$stage"

say "packing the .NET and ASP.NET Core runtimes $runtime from $dotnet_root"
pack_xz "$bundle/dotnet-runtime.tar.xz" -C "$dotnet_root" dotnet host "shared/Microsoft.NETCore.App/$runtime" "shared/Microsoft.AspNetCore.App/$runtime" \
  $(cd "$dotnet_root" && ls LICENSE.txt ThirdPartyNotices.txt 2>/dev/null)
cp tools/gpu/bundle-env.sh tools/gpu/run-tests.sh tools/gpu/run-all.sh tools/peer/gan_step.py tools/peer/inception_peer.py tools/inception/fid_inception.py "$bundle/"
chmod +x "$bundle/run-tests.sh" "$bundle/run-all.sh"
printf '%s\n' "$runtime" > "$bundle/RUNTIME_VERSION"
# The commit packed, "-dirty" when the working tree had changes (the bundle holds them).
git -C "$repo" describe --always --dirty --abbrev=7 > "$bundle/COMMIT" 2>/dev/null || true

# What a device call sends: the tracked and untracked-not-ignored files, plus the carried bundle (64 MiB in all).
bundle_bytes=$(du -sb "$bundle" | cut -f1)
tree_bytes=$(git -C "$repo" ls-files -z --cached --others --exclude-standard | (cd "$repo" && xargs -0 stat -c %s 2>/dev/null) |
  awk '{ s += $1 } END { print s + 0 }')
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
say "bundle: $bundle ($(mib "$bundle_bytes")); with the working tree ($(mib "$tree_bytes")):" \
    "$(mib $(( bundle_bytes + tree_bytes ))) of the device tool's 64 MiB"
du -sh "$bundle"/* | sed 's/^/pack:   /'
(( bundle_bytes + tree_bytes <= 64 * 1048576 )) || die "the bundle and the working tree are over the 64 MiB a device call can carry"

if [[ ${1:-} == --check ]]; then
  say "checking the bundle: run-all.sh --dry-run from a copy, with its own runtime and a PATH that has no dotnet"
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  cp -r "$bundle" "$scratch/bundle"
  mkdir -p "$scratch/bin" "$scratch/out"
  for tool in bash sh env tar gzip xz mkdir dirname basename cat cp ls grep sed awk paste sort uniq head tail tee mktemp rm \
              uname date nproc xargs cut timeout python3; do
    if p=$(command -v "$tool"); then ln -s "$p" "$scratch/bin/$tool"; fi
  done
  env -i HOME="$HOME" PATH="$scratch/bin" TERM="${TERM:-dumb}" OUT="$scratch/out" TMPDIR="$scratch" \
    "$scratch/bin/bash" "$scratch/bundle/run-all.sh" --dry-run
  summary=$scratch/out/SUMMARY.md
  [[ -f $summary ]] || die "run-all.sh wrote no SUMMARY.md"
  # Without a GPU the benchmarks must stop with exit 3; with one they run.
  # (The step phase's PyTorch half depends on this machine's python3; its RawGan half must have run or said why not.)
  for expected in '^\| tests \| ok' '^\| train \| ok' '^\| train-bf16 \| ok' '^\| kernels \| (ok|no usable GPU)' \
                  '^(step: no usable CUDA device|step dcgan batch 128 rawgan)'; do
    grep -Eq "$expected" "$summary" || die "run-all.sh --dry-run: no line matching '$expected' in SUMMARY.md"
  done
  [[ -s $scratch/out/dcgan-samples.png ]] || die "run-all.sh --dry-run left no dcgan-samples.png"
  files=$(find "$scratch/out" -type f | wc -l)
  (( files <= 8 )) || die "run-all.sh left $files files in \$OUT; the device tool returns 8"
  say "run-all.sh --dry-run: every phase as expected, $files files in \$OUT: $(cd "$scratch/out" && ls | paste -sd' ' -)"
fi
