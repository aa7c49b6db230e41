#!/usr/bin/env bash
# Fetches the Twemoji 64x64 PNGs (3,786 emoji, 8-bit palette with transparency) from the npm package
# emoji-datasource-twitter into DEST, as a colour data set for DCGAN: `rawgan train --data DEST`.
# The download is a 62 MB tarball; the images are not committed (CC-BY 4.0, attribution printed below).
#
#   tools/data/fetch-twemoji.sh DEST
set -euo pipefail

readonly PACKAGE=emoji-datasource-twitter@16.0.0
readonly TARBALL=emoji-datasource-twitter-16.0.0.tgz

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DEST   (a folder; created if missing)" >&2
  exit 2
fi
dest=$1
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack "$PACKAGE" --silent >/dev/null)
tar -xzf "$work/$TARBALL" -C "$work" --wildcards 'package/img/twitter/64/*.png'
cp "$work"/package/img/twitter/64/*.png "$dest"/

count=$(find "$dest" -maxdepth 1 -name '*.png' | wc -l)
echo "$count emoji PNGs (64x64) in $dest"
echo "Twemoji graphics by Twitter, Inc and other contributors, licensed under CC-BY 4.0:"
echo "  https://creativecommons.org/licenses/by/4.0/ (packaged by emoji-datasource-twitter, MIT)."
echo "Credit them when you publish images trained on or derived from this set."
