#!/usr/bin/python3
"""Pairs RawGan.Bench's lines with the peer's ("kind name ms GFLOP/s") and prints Markdown tables.

usage: compare.py rawgan.txt peer.txt [peer-no-mkldnn.txt]
ratio = peer time / RawGan time: above 1, RawGan is faster.
"""
import sys


def load(path):
    rows = {}
    for line in open(path):
        parts = line.split()
        if len(parts) == 4 and not line.startswith("#"):
            rows[(parts[0], parts[1])] = (float(parts[2]), float(parts[3]))
    return rows


def main():
    ours, peers = load(sys.argv[1]), [load(p) for p in sys.argv[2:]]
    names = ["PyTorch", "PyTorch im2col+OpenBLAS (mkldnn off)"][: len(peers)]
    titles = {"gemm": "GEMM (n×n×n, float32)", "gemm-naive": "Naive reference GEMM (for scale)",
              "conv": "Convolutions, DCGAN-64 at batch 64", "op": "Ops through autograd"}
    for kind, title in titles.items():
        keys = [k for k in ours if k[0] == kind]
        if not keys:
            continue
        print(f"\n### {title}\n")
        header = "| case | RawGan ms | RawGan GFLOP/s |"
        rule = "| --- | ---: | ---: |"
        present = [(n, p) for n, p in zip(names, peers) if any(k in p for k in keys)]
        for n, _ in present:
            header += f" {n} ms | {n} GFLOP/s | ratio |"
            rule += " ---: | ---: | ---: |"
        print(header)
        print(rule)
        for key in keys:
            ms, gf = ours[key]
            row = f"| {key[1]} | {ms:.2f} | {gf:.1f} |" if gf else f"| {key[1]} | {ms:.2f} | – |"
            for _, peer in present:
                if key in peer:
                    pms, pgf = peer[key]
                    row += f" {pms:.2f} | {pgf:.1f} | {pms / ms:.2f} |" if pgf else f" {pms:.2f} | – | {pms / ms:.2f} |"
                else:
                    row += " – | – | – |"
            print(row)


if __name__ == "__main__":
    main()
