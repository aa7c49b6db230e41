#!/usr/bin/env bash
# Issue 12's small-data study: the DCGAN on the 67 Twemoji animals (tools/data/make-twemoji-animals.sh) plain, with
# DiffAugment (color,translation,cutout) and with spectral norm in place of BatchNorm in D, then for each run 67
# samples compared with the training images by tools/smalldata/nearest.py (copies by eval's memorisation rule,
# precision/recall, the samples nearest a training image beside it, in RGB pixels), a grid of 64 samples, and
# OUT/small-data.png (tools/smalldata/gallery.py) of all three.
# Usage: tools/smalldata/smalldata.sh DATA OUT
#   SIZE (default 32), WIDTH (ngf = ndf, default 32), EPOCHS (default 1000; 4 steps an epoch at batch 16),
#   RAWGAN (the command; default: dotnet on the Release build of src/RawGan.Cli, built if absent).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$1 out=$2
size=${SIZE:-32} width=${WIDTH:-32} epochs=${EPOCHS:-1000}
if [[ -z ${RAWGAN:-} ]]; then
  dll=$root/src/RawGan.Cli/bin/Release/net10.0/rawgan.dll
  [[ -f $dll ]] || nice -n 10 dotnet build -c Release "$root/src/RawGan.Cli" >/dev/null
  RAWGAN="dotnet $dll"
fi
mkdir -p "$out"
one() {
  local name=$1; shift
  local dir=$out/$name
  [[ -f $dir/done ]] && return 0
  rm -rf "$dir" && mkdir -p "$dir"
  $RAWGAN train --model dcgan --data "$data" --channels 3 --image-size "$size" --ngf "$width" --ndf "$width" \
    --batch-size 16 --epochs "$epochs" --device cpu --seed 1 --sample-every 0 --checkpoint-every 0 --eval-every 0 \
    --out "$dir" "$@" >"$dir.log" 2>&1
  local run; run=$(ls -d "$dir"/dcgan-* | head -n 1)
  $RAWGAN sample --run "$run" --count 67 --seed 7 --out "$dir/samples" >/dev/null
  $RAWGAN sample --run "$run" --count 64 --seed 7 --grid --out "$dir/grid" >/dev/null
  # Not `rawgan eval --images`: its Fréchet distance needs 128 images a folder, and the set has 67.
  /usr/bin/python3 "$root/tools/smalldata/nearest.py" "$dir/samples" "$data" "$dir-nearest.png" "$size" | tee "$dir.nearest.txt"
  touch "$dir/done"
}
one plain &
one diffaugment --diff-augment color,translation,cutout &
one spectralnorm --spectral-norm --d-norm none &
wait
/usr/bin/python3 "$root/tools/smalldata/gallery.py" "$out" plain diffaugment spectralnorm "$out/small-data.png"
echo "wrote $out/small-data.png"
