#!/usr/bin/env bash
# Runs RawGan.Bench (Release) and the PyTorch peer back to back on this machine, section by section (gemm, conv,
# ops), so that each pair of columns in RESULTS.md is measured minutes apart at most, then prints the paired tables.
# Usage: tools/bench/run.sh [gemm|conv|ops|all]. The raw outputs are kept in $BENCH_OUT (default: a new temp folder).
# On a shared machine check `uptime` first: a neighbour's compile halves either column.
set -euo pipefail
cd "$(dirname "$0")/../.."
what="${1:-all}"
out="${BENCH_OUT:-$(mktemp -d)}"
mkdir -p "$out"
: >"$out/rawgan.txt"; : >"$out/peer.txt"; : >"$out/peer-thnn.txt"

dotnet build -c Release -nologo -v q tools/bench/RawGan.Bench/RawGan.Bench.csproj >/dev/null
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
sections=(gemm conv ops)
[[ "$what" != all ]] && sections=("$what")
for section in "${sections[@]}"; do
    echo "# $section: load before $(cut -d' ' -f1-3 /proc/loadavg)"
    dotnet tools/bench/RawGan.Bench/bin/Release/net10.0/RawGan.Bench.dll "$section" | tee -a "$out/rawgan.txt"
    /usr/bin/python3 tools/bench/peer_gemm.py "$section" --threads 2 | tee -a "$out/peer.txt"
    if [[ "$section" == conv ]]; then
        # PyTorch's convolutions use oneDNN; this second run is its im2col + OpenBLAS path, RawGan's own algorithm.
        /usr/bin/python3 tools/bench/peer_gemm.py conv --threads 2 --no-mkldnn | tee -a "$out/peer-thnn.txt"
    fi
    echo "# $section: load after $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "# raw outputs in $out"
/usr/bin/python3 tools/bench/compare.py "$out/rawgan.txt" "$out/peer.txt" "$out/peer-thnn.txt"
