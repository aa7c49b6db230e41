#!/usr/bin/env bash
# Packs what a GPU host without .NET needs to run RawGan's GPU suite and the rawgan CLI:
#
#   tools/gpu/bundle/
#     app.tar.gz              RawGan.Tests (an xunit.v3 executable) and rawgan, Release, framework-dependent,
#                             linux-x64, published into one folder (they share RawGan.Core and its packages)
#     dotnet-runtime.tar.gz   the SDK folder's `dotnet` host, host/ and shared/Microsoft.NETCore.App/<version>
#     run-tests.sh            unpacks both beside itself on first use (app/, dotnet/), then runs the suite
#     COMMIT, RUNTIME_VERSION
#
#   tools/gpu/pack.sh               build and pack (the bundle must stay under 60 MB)
#   tools/gpu/pack.sh --check       then run the CPU conformance tests from a copy of the bundle with the bundled
#                                   runtime and a PATH without dotnet, as a GPU host would run them
#
# The bundle is git-ignored; copy the folder to the GPU host (or name it in a device run's carry list) and run
# bundle/run-tests.sh there.
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

rm -rf "$bundle"
stage=$bundle/app
mkdir -p "$stage"

say "publishing the tests (Release, linux-x64, framework-dependent)"
dotnet publish tests/RawGan.Tests/RawGan.Tests.csproj -c Release -r linux-x64 --self-contained false \
  -o "$stage" --nologo -v quiet
if [[ -f src/RawGan.Cli/RawGan.Cli.csproj ]]; then
  say "publishing the CLI into the same folder"
  dotnet publish src/RawGan.Cli/RawGan.Cli.csproj -c Release -r linux-x64 --self-contained false \
    -o "$stage" --nologo -v quiet
fi
# Not needed to run: the code-coverage collector of Microsoft.NET.Test.Sdk, localised resources, XML docs.
rm -rf "$stage/Microsoft.CodeCoverage"
find "$stage" -mindepth 1 -maxdepth 1 -type d \( -name cs -o -name de -o -name es -o -name fr -o -name it -o -name ja \
  -o -name ko -o -name pl -o -name pt-BR -o -name ru -o -name tr -o -name zh-Hans -o -name zh-Hant \) -exec rm -rf {} +
find "$stage" -maxdepth 1 -name '*.xml' -delete
say "packing the applications"
tar -czf "$bundle/app.tar.gz" -C "$bundle" app
rm -rf "$stage"

say "packing the .NET runtime $runtime from $dotnet_root"
tar -czf "$bundle/dotnet-runtime.tar.gz" -C "$dotnet_root" dotnet host "shared/Microsoft.NETCore.App/$runtime" \
  $(cd "$dotnet_root" && ls LICENSE.txt ThirdPartyNotices.txt 2>/dev/null)
cp tools/gpu/run-tests.sh "$bundle/run-tests.sh"
chmod +x "$bundle/run-tests.sh"
printf '%s\n' "$runtime" > "$bundle/RUNTIME_VERSION"
git -C "$repo" rev-parse --short HEAD > "$bundle/COMMIT" 2>/dev/null || true

size_mb=$(du -sm "$bundle" | cut -f1)
say "bundle: $bundle (${size_mb} MB)"
du -sh "$bundle"/* | sed 's/^/pack:   /'
(( size_mb <= 60 )) || die "the bundle is ${size_mb} MB, over the 60 MB budget"

if [[ ${1:-} == --check ]]; then
  say "checking the bundle with its own runtime (a copy, with a PATH that has no dotnet)"
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  cp -r "$bundle" "$scratch/bundle"
  mkdir -p "$scratch/bin"
  for tool in bash sh env tar gzip mkdir dirname basename cat ls grep sed paste sort uniq head tail tee mktemp rm uname python3; do
    if p=$(command -v "$tool"); then ln -s "$p" "$scratch/bin/$tool"; fi
  done
  env -i HOME="$HOME" PATH="$scratch/bin" TERM="${TERM:-dumb}" "$scratch/bin/bash" "$scratch/bundle/run-tests.sh" cpu
fi
