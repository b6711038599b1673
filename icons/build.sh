#!/usr/bin/env bash
# Regenerates every PNG in icons/ from the SVG sources beside this script:
#   gleaner.svg -> 32x32.png 128x128.png 128x128@2x.png icon.png (512)
#   tray.svg    -> tray-idle.png tray-indexing.png tray-paused.png tray-error.png (64x64)
# Needs ImageMagick's `convert` (Debian: imagemagick). The PNGs are committed,
# so building the app never runs this; run it after editing an SVG.
set -euo pipefail
cd "$(dirname "$0")"

command -v convert >/dev/null || { echo "build.sh: ImageMagick's convert is missing (apt-get install imagemagick)" >&2; exit 1; }

# Render SVG $1 to a SIZE x SIZE RGBA PNG $3. The SVG is rasterised at a
# density that makes it at least 2x the target, then downscaled, which
# anti-aliases better than rendering at the target size. PNG32 forces RGBA:
# tauri's icon loader and the .deb bundler expect 8-bit RGBA.
render() {
  local svg=$1 size=$2 out=$3 native density
  native=$(sed -n 's/.*<svg[^>]* width="\([0-9]*\)".*/\1/p' "$svg" | head -n1)
  density=$(( 72 * 2 * size / native ))
  (( density < 72 )) && density=72
  convert -background none -density "$density" "$svg" \
    -resize "${size}x${size}" -strip "PNG32:$out.tmp"
  mv "$out.tmp" "$out"
  echo "icons/$out (${size}x${size})"
}

render gleaner.svg 32 32x32.png
render gleaner.svg 128 128x128.png
render gleaner.svg 256 128x128@2x.png
render gleaner.svg 512 icon.png

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for state in idle indexing paused error; do
  # Keep only this state's badge block and un-hide it (idle keeps none).
  # Deleting the others matters: ImageMagick's renderer ignores display="none".
  keep="badge:$state"
  awk -v keep="$keep" '
    /<!-- badge:/  { inblk = 1; drop = (index($0, keep " -->") == 0) }
    !(inblk && drop) { print }
    /<!-- \/badge:/ { inblk = 0; drop = 0 }
  ' tray.svg | sed "s/ display=\"none\"//" >"$tmp/tray-$state.svg"
  render "$tmp/tray-$state.svg" 64 "tray-$state.png"
done
