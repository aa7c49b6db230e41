#!/usr/bin/python3
"""The small-data study's picture: for each run, two rows of 8 samples (the first 16 of `rawgan sample --seed 7`),
then the strip tools/smalldata/nearest.py wrote (the 8 samples nearest a training image, each above that image),
with the run's name and nearest.py's figures above them.

Usage: tools/smalldata/gallery.py OUT_DIR RUN... OUT.png   (RUN: a name smalldata.sh used, e.g. plain)
"""

import os
import sys

from PIL import Image, ImageDraw


def main():
    out_dir, runs, target = sys.argv[1], sys.argv[2:-1], sys.argv[-1]
    panels = []
    for run in runs:
        folder = os.path.join(out_dir, run, "samples")
        names = sorted(os.listdir(folder))[:16]
        tiles = [Image.open(os.path.join(folder, n)).convert("RGB") for n in names]
        strip = Image.open(os.path.join(out_dir, f"{run}-nearest.png")).convert("RGB")
        size = tiles[0].width
        with open(os.path.join(out_dir, f"{run}.nearest.txt")) as f:
            figures = f.read().split(": ", 1)[-1].strip()
        text_width = 6 * len(figures) + 4  # PIL's default bitmap font is 6 pixels a character
        panel = Image.new("RGB", (max(strip.width, 8 * (size + 2), text_width), 28 + 2 * (size + 2) + 4 + strip.height), "white")
        draw = ImageDraw.Draw(panel)
        draw.text((2, 2), run, fill="black")
        draw.text((2, 14), figures, fill="black")
        for i, tile in enumerate(tiles):
            panel.paste(tile, ((i % 8) * (size + 2), 28 + (i // 8) * (size + 2)))
        panel.paste(strip, (0, 28 + 2 * (size + 2) + 4))
        panels.append(panel)
    width = max(p.width for p in panels)
    sheet = Image.new("RGB", (width, sum(p.height + 8 for p in panels)), "white")
    y = 0
    for p in panels:
        sheet.paste(p, (0, y))
        y += p.height + 8
    sheet.save(target, optimize=True)


if __name__ == "__main__":
    main()
