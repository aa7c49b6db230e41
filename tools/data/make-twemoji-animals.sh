#!/usr/bin/env bash
# Makes issue 12's small colour data set: the 67 Twemoji animals of emoji-datasource-twitter's "animal-mammal" (66)
# and "animal-amphibian" (the frog) subcategories, 64x64 PNGs, into DEST (created; emoji.json's order, file names
# NN-short_name.png). The roses article trained on 67 images; this is a set of that size of one kind of picture.
# Same package and licence as fetch-twemoji.sh (a 62 MB download; the images are not committed).
#
#   tools/data/make-twemoji-animals.sh DEST
set -euo pipefail

readonly PACKAGE=emoji-datasource-twitter@16.0.0
readonly TARBALL=emoji-datasource-twitter-16.0.0.tgz

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DEST   (a folder; created if missing)" >&2
  exit 2
fi
mkdir -p "$1"
dest=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack "$PACKAGE" --silent >/dev/null)
tar -xzf "$work/$TARBALL" -C "$work" package/emoji.json --wildcards 'package/img/twitter/64/*.png'
# Each chosen emoji as "index image short_name", in the package's sort order.
node -e '
  const all = require(process.argv[1]).filter(e => e.has_img_twitter && ["animal-mammal", "animal-amphibian"].includes(e.subcategory));
  all.sort((a, b) => a.sort_order - b.sort_order).forEach((e, i) => console.log(String(i).padStart(2, "0"), e.image, e.short_name));
' "$work/package/emoji.json" | while read -r i image name; do
  cp "$work/package/img/twitter/64/$image" "$dest/$i-$name.png"
done

count=$(find "$dest" -maxdepth 1 -name '*.png' | wc -l)
echo "$count animal emoji PNGs (64x64) in $dest"
[[ $count -eq 67 ]] || { echo "expected 67: the package's categories have changed" >&2; exit 1; }
echo "Twemoji graphics by Twitter, Inc and other contributors, licensed under CC-BY 4.0:"
echo "  https://creativecommons.org/licenses/by/4.0/ (packaged by emoji-datasource-twitter, MIT)."
