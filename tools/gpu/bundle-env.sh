# Sourced by run-tests.sh and run-all.sh in a bundle made by pack.sh: unpacks the .NET runtime and the applications
# beside the bundle's scripts on first use (dotnet/, app/), then sets what running them needs. Defines $here (the
# bundle), $dotnet and $app; exports DOTNET_ROOT and RAWGAN_CUDA_LIBS (folders with libcublas.so.13 and
# libcudnn.so.9, taken from python3's pip nvidia wheels when unset). Returns 2 when the bundle cannot be unpacked.
# shellcheck shell=bash

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
app=$here/app

# unpack ARCHIVE.tar.xz FOLDER: with xz where the host has it, else with python3's tarfile (it reads xz through lzma).
unpack() {
  if command -v xz >/dev/null; then
    tar -xJf "$1" -C "$2"
  else
    python3 -c 'import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    t.extractall(sys.argv[2], **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))' "$1" "$2"
  fi
}

# A runtime unpacked by an older bundle may lack ASP.NET Core's shared framework (rawgan serve, and the tests): unpack again.
if [[ ! -x $here/dotnet/dotnet || ! -d $here/dotnet/shared/Microsoft.AspNetCore.App ]]; then
  printf '== unpacking the .NET runtime into %s\n' "$here/dotnet"
  mkdir -p "$here/dotnet" && unpack "$here/dotnet-runtime.tar.xz" "$here/dotnet" || { echo "cannot unpack the runtime" >&2; return 2; }
fi
if [[ ! -f $app/RawGan.Tests.dll ]]; then
  printf '== unpacking the applications into %s\n' "$app"
  unpack "$here/app.tar.xz" "$here" || { echo "cannot unpack app.tar.xz" >&2; return 2; }
fi
export DOTNET_ROOT=$here/dotnet
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export PATH=$DOTNET_ROOT:$PATH
dotnet=$DOTNET_ROOT/dotnet

if [[ -z ${RAWGAN_CUDA_LIBS:-} ]] && command -v python3 >/dev/null; then
  site=$(python3 -c "import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))" 2>/dev/null) || site=
  if [[ -n $site ]]; then
    RAWGAN_CUDA_LIBS=$(ls -d "$site"/nvidia/*/lib 2>/dev/null | paste -sd: -)
    export RAWGAN_CUDA_LIBS
  fi
fi
