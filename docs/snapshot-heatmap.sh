#!/bin/sh
# Remakes docs/snapshot-heatmap.png, the README's picture of a screen: the
# default model (tiny-en) and sentence, the heatmap at its last step, on an
# 80x24 screen, drawn by attnstep --snapshot and rendered by rsvg-convert
# (librsvg2-bin; the fonts: fonts-dejavu-core, fonts-noto-cjk).
# Usage: docs/snapshot-heatmap.sh [BUILD_DIR]   (default: build)
set -eu
cd "$(dirname "$0")/.."
svg=$(mktemp "${TMPDIR:-/tmp}/attnstep-XXXXXX")
trap 'rm -f "$svg"' EXIT
env -u ATTNSTEP_MODEL -u NO_COLOR -u LC_ALL LANG=C.UTF-8 "${1:-build}/attnstep" --lang en \
    --snapshot "$svg" --view heatmap --step last --size 80x24 >/dev/null
rsvg-convert --format png "$svg" -o docs/snapshot-heatmap.png
echo "docs/snapshot-heatmap.png"
