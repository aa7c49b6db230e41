#!/usr/bin/env python3
"""One markdown table row per run of tools/seeds/seeds.sh, with the verdict of the study's criterion.

Usage: tools/seeds/summary.py OUT

A run "learns" when, judged at its last logged step: (a) the digit judge's Frechet distance is below
850 (half of a collapsed run's ~1,700), (b) the judge's IS analogue is at least 2.0 (a collapsed run: 1.00), and
(c) D has not won outright over the last 10 steps: bce, mean D(G(z)) >= 0.02; hinge (raw scores), mean G loss
(= -mean D(G(z)) on G's step) <= 5.
"""

import csv
import glob
import json
import os
import re
import sys


def row(run_dir):
    recipe, seed = re.match(r"(\w+)-seed(\d+)$", os.path.basename(run_dir)).groups()
    metrics = glob.glob(os.path.join(run_dir, "dcgan-*", "metrics.csv"))[0]
    with open(metrics) as f:
        rows = list(csv.DictReader(f))
    last = rows[-10:]
    mean = lambda k: sum(float(r[k]) for r in last) / len(last)  # noqa: E731
    with open(os.path.join(run_dir, "eval", "eval.json")) as f:
        e = json.load(f)
    with open(glob.glob(os.path.join(run_dir, "dcgan-*", "config.json"))[0]) as f:
        hinge = json.load(f).get("loss") == "hinge"
    fd, is_, dgz, gl = e["frechet_distance"], e["inception_score_analogue"], mean("d_g_z"), mean("g_loss")
    d_ok = gl <= 5 if hinge else dgz >= 0.02
    learns = fd < 850 and is_ >= 2.0 and d_ok
    return (int(seed), recipe, f"| {recipe} | {seed} | {rows[-1]['step']} | {fd:.0f} | {is_:.2f} | {100 * e['mean_confidence']:.1f} % | "
            f"{e['precision']:.2f} / {e['recall']:.2f} | {mean('d_x'):.3f} | {dgz:.3f} | {gl:.2f} | {'yes' if learns else '**no**'} |", learns)


def main():
    out = sys.argv[1]
    runs = sorted(row(d) for d in glob.glob(os.path.join(out, "*-seed*")) if os.path.isfile(os.path.join(d, "done")))
    print("| recipe | seed | step | judge FD | IS analogue | confidence | precision / recall | D(x) | D(G(z)) | G loss | learns |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    recipes = sorted({x[1] for x in runs})
    for recipe in recipes:
        for _, r, line, _ in (x for x in runs if x[1] == recipe):
            print(line)
    for recipe in recipes:
        got = [x[3] for x in runs if x[1] == recipe]
        if got:
            print(f"\n{recipe}: learns on {sum(got)} of {len(got)} seeds")
    print("\n(D(x), D(G(z)), G loss: means over the last 10 logged steps; hinge runs log D's raw scores, bce runs probabilities.)")


if __name__ == "__main__":
    main()
