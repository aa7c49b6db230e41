#!/usr/bin/env bash
# Assembles every kernels/*.ptx with ptxas for sm_80 and sm_90 and prints one line per kernel entry
# (registers, spills, stack, shared memory). Exits non-zero on any ptxas error or warning (except the one
# expected note, explained below); spills are reported as warnings only (they cost speed, not correctness).
# Each file is assembled as the CUDA backend loads it: its `//@include NAME` lines replaced by the helpers of
# kernels/common.ptxinc (see splice below), so ptxas's line numbers are those of the spliced text.
#
#   tools/check-ptx.sh                    (from any directory)
#   tools/check-ptx.sh --spliced FILE     prints kernels/FILE spliced, as ptxas and the driver get it; no ptxas
#
# Where ptxas comes from, first match wins:
#   1. $RAWGAN_PTXAS, if set (a path to a ptxas binary);
#   2. `ptxas` on PATH (a GPU host with a CUDA toolkit);
#   3. a cached copy from Debian's non-free nvidia-cuda-toolkit 11.8 package, in
#      ${XDG_CACHE_HOME:-$HOME/.cache}/rawgan/ptxas. The first run without one runs apt with a private
#      source list (bookworm `contrib non-free` on the machine's own Debian mirror), package lists and
#      cache, all under ${XDG_CACHE_HOME:-$HOME/.cache}/rawgan/ptxas.apt, so /etc/apt and the system's package
#      lists are never written and no root is needed: `apt-get update`, `apt-get download nvidia-cuda-toolkit`
#      (about 84 MB) and `dpkg -x` into the cache (nothing is installed; no GPU needed). ptxas there is
#      standalone (needs only libc). Later runs reuse the cache; deleting both folders undoes everything.
set -euo pipefail

readonly ARCHS=(sm_80 sm_90)
readonly CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/rawgan/ptxas
readonly EXPECTED_WARNING="with multiple return values found, disabling ABI"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)

say() { printf 'check-ptx: %s\n' "$*"; }
die() { printf 'check-ptx: error: %s\n' "$*" >&2; exit 1; }

# kernels/$1 with each line `//@include NAME` replaced by NAME's block of kernels/common.ptxinc, from its line
# `//@helper NAME` to its line `//@end NAME`: the same splice as PtxSplice.Expand
# (src/RawGan/Backends/Cuda/PtxSplice.cs), which loads the modules; a test compares the two on every kernel.
splice() {
  [[ -f kernels/$1 ]] || die "no kernels/$1"
  awk -v file="$1" '
    function fail(msg) { printf "check-ptx: error: %s\n", msg > "/dev/stderr"; failed = 1; exit 1 }
    FNR == NR {
      if (name == "" && /^\/\/@helper [A-Za-z0-9_]+$/) {
        name = $2; start = FNR
        if (name in block) fail("kernels/common.ptxinc line " FNR ": a second helper named " name)
      }
      if (name != "") block[name] = block[name] $0 "\n"
      if (name != "" && $0 == "//@end " name) name = ""
      next
    }
    name != "" { fail("kernels/common.ptxinc line " start ": //@helper " name " has no //@end " name) }
    /^\/\/@include [A-Za-z0-9_]+$/ {
      if (!($2 in block)) fail("kernels/" file " line " FNR ": no helper named " $2 " in kernels/common.ptxinc")
      printf "%s", block[$2]; next
    }
    { print }
    END { if (failed) exit 1 }' kernels/common.ptxinc "kernels/$1"
}

if [[ ${1:-} == --spliced ]]; then
  (($# == 2)) || die "usage: tools/check-ptx.sh --spliced FILE   (FILE as in kernels/, e.g. adam.ptx)"
  splice "$2"
  exit
fi
(($# == 0)) || die "usage: tools/check-ptx.sh [--spliced FILE]"
# Exit 3: this machine cannot obtain ptxas at all (no root, no apt): the test suite reports that as skipped.
unavailable() { printf 'check-ptx: unavailable: %s\n' "$*" >&2; exit 3; }

# The machine's Debian mirror (deb822 .sources files first, then one-line sources.list), so the added source
# goes through the same mirror or proxy as the rest of apt; deb.debian.org when none is configured.
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
    [[ -n $uri ]] && { echo "${uri%/}"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }' "$f")
    [[ -n $uri ]] && { echo "${uri%/}"; return; }
  done
  echo http://deb.debian.org/debian
}

fetch_ptxas() {
  command -v apt-get >/dev/null || unavailable "no ptxas on PATH and no apt-get to fetch one; set RAWGAN_PTXAS=/path/to/ptxas"
  local mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg apt=$CACHE.apt
  mirror=$(debian_mirror)
  # apt's own configuration, pointed at folders of ours: the system's sources, lists and cache stay as they are.
  mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"
  local source=("Types: deb" "URIs: $mirror" "Suites: bookworm" "Components: contrib non-free")
  [[ -f $keyring ]] && source+=("Signed-By: $keyring")
  printf '%s\n' "${source[@]}" > "$apt/sources.list.d/rawgan-cuda-nonfree.sources"
  local opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt/sources.list.d"
              -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=$(id -un)")
  say "apt-get update with a private source list ($mirror bookworm contrib non-free) and lists in $apt"
  apt-get "${opts[@]}" update -qq >/dev/null 2>&1 || die "apt-get update of $mirror bookworm contrib non-free failed (is it reachable?)"
  local work=$CACHE.download deb
  rm -rf "$work"
  mkdir -p "$work"
  say "apt-get download nvidia-cuda-toolkit/bookworm (about 84 MB)"
  (cd "$work" && apt-get "${opts[@]}" download -qq nvidia-cuda-toolkit/bookworm) >/dev/null 2>&1 \
    || die "apt-get download nvidia-cuda-toolkit/bookworm failed (is $mirror reachable?)"
  deb=$(ls "$work"/nvidia-cuda-toolkit_*.deb 2>/dev/null | head -n 1)
  [[ -n $deb ]] || die "apt-get download left no nvidia-cuda-toolkit_*.deb in $work"
  say "extracting $(basename "$deb") into $CACHE"
  rm -rf "$CACHE.tmp"
  mkdir -p "$CACHE.tmp"
  dpkg -x "$deb" "$CACHE.tmp"
  [[ -x $CACHE.tmp/usr/bin/ptxas ]] || die "$(basename "$deb") has no usr/bin/ptxas"
  rm -rf "$CACHE" "$work"
  mv "$CACHE.tmp" "$CACHE"
}

# ---- find ptxas --------------------------------------------------------------------------------------------
if [[ -n ${RAWGAN_PTXAS:-} ]]; then
  ptxas=$RAWGAN_PTXAS
  [[ -x $ptxas ]] || die "RAWGAN_PTXAS=$ptxas is not executable"
  say "using ptxas from RAWGAN_PTXAS: $ptxas"
elif ptxas=$(command -v ptxas); then
  say "using ptxas on PATH: $ptxas"
elif [[ -x $CACHE/usr/bin/ptxas ]]; then
  ptxas=$CACHE/usr/bin/ptxas
  say "using cached ptxas: $ptxas"
else
  say "no ptxas on PATH and none cached: fetching Debian's nvidia-cuda-toolkit (non-free) into $CACHE"
  fetch_ptxas
  ptxas=$CACHE/usr/bin/ptxas
fi
version=$("$ptxas" --version | sed -n 's/.*\(release [0-9.]*\).*/\1/p' | head -n 1)
say "ptxas ${version:-(version unknown)}"

# ---- assemble ----------------------------------------------------------------------------------------------
shopt -s nullglob
files=(kernels/*.ptx)
((${#files[@]})) || die "no kernels/*.ptx under $repo"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0 entries=0 spilling=0

for f in "${files[@]}"; do
  splice "$(basename "$f")" >"$out/$(basename "$f")"
  for arch in "${ARCHS[@]}"; do
    log=$out/log
    if ! "$ptxas" -arch="$arch" -v -o "$out/k.cubin" "$out/$(basename "$f")" >"$log" 2>&1; then
      printf 'FAIL  %-6s %s (line numbers as in: tools/check-ptx.sh --spliced %s | cat -n)\n' "$arch" "$f" "$(basename "$f")"
      sed 's/^/      /' "$log"
      failed=1
      continue
    fi
    # The one expected note: a helper with two return values (m_grid) makes ptxas compile without the call
    # ABI, which is what lets it specialise each entry (see kernels/common.ptxinc). Any other warning fails.
    if grep 'ptxas warning' "$log" | grep -qv "$EXPECTED_WARNING"; then
      printf 'FAIL  %-6s %s (warnings)\n' "$arch" "$f"
      grep 'ptxas warning' "$log" | grep -v "$EXPECTED_WARNING" | sed 's/^/      /'
      failed=1
    fi
    # -v prints, per entry: "Compiling entry function 'NAME' for 'sm_XX'", "Used N registers, [N bytes smem, ]
    # N bytes cmem[0]", and "N bytes stack frame, N bytes spill stores, N bytes spill loads" for the entry and
    # for each helper it calls: the line shows the largest of those.
    while IFS=$'\t' read -r name regs stack st ld smem; do
      entries=$((entries + 1))
      flag=ok
      if ((st > 0 || ld > 0)); then flag=SPILL; spilling=$((spilling + 1)); fi
      printf '%-5s %-6s %-18s %-28s regs %3s  spill st/ld %s/%s B  stack %s B  smem %s B\n' \
        "$flag" "$arch" "$(basename "$f")" "$name" "$regs" "$st" "$ld" "$stack" "$smem"
    done < <(awk '
      /Compiling entry function/ { if (name != "") print name "\t" regs "\t" stack "\t" st "\t" ld "\t" smem
                                   match($0, /\x27[^\x27]+\x27/); name = substr($0, RSTART + 1, RLENGTH - 2)
                                   regs = 0; stack = 0; st = 0; ld = 0; smem = 0 }
      /bytes stack frame/ { if ($1 > stack) stack = $1; if ($5 > st) st = $5; if ($9 > ld) ld = $9 }
      /Used [0-9]+ registers/ { for (i = 1; i <= NF; i++) { if ($i == "Used") regs = $(i+1); if ($(i+1) == "bytes" && $(i+2) ~ /^smem/) smem = $i } }
      END { if (name != "") print name "\t" regs "\t" stack "\t" st "\t" ld "\t" smem }' "$log")
  done
done

say "${#files[@]} files, $entries entry builds (${#ARCHS[@]} archs), $spilling with spills"
if ((failed)); then
  say "FAILED: see the FAIL lines above"
  exit 1
fi
((spilling == 0)) || say "warning: $spilling entry builds spill registers to local memory (slower, still correct)"
say "all kernels assemble for ${ARCHS[*]}"
