#!/usr/bin/env bash
# Key → frame times of the box labeller on 1920×1080 photos (scikit-image's coffee, chelsea
# and astronaut, scaled up), from the workbench's own frame log (KINDLING_FRAME_LOG: input
# event to the end of the frame that shows its effect, picture written), release build:
# - kitty: Debian's kitty (0.26) in Xvfb, window 1600×1000, keys sent with `kitty @
#   send-text` (the picture is written beside the frame and patched, src/tui/kitty.rs);
# - half-blocks: tmux at 200×60.
# The same 30 keys in both (two of them zoom, which sends the whole picture again).
# Needs kitty, xvfb and tmux (apt-get install kitty xvfb tmux).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import skimage, PIL" 2>/dev/null || "$venv/bin/pip" install --quiet scikit-image pillow
cargo build --release --bin kindling
bin=$PWD/target/release/kindling
out=$PWD/target/bench-box-frames
rm -rf "$out" && mkdir -p "$out/images"
"$venv/bin/python" - "$out/images" <<'PY'
import sys
import skimage.data as d
from PIL import Image
for i, name in enumerate(["coffee", "chelsea", "astronaut"]):
    Image.fromarray(getattr(d, name)()).resize((1920, 1080), Image.BICUBIC).save(f"{sys.argv[1]}/{i}.jpg", quality=92)
PY
# The keys as escape sequences: n, arrows, Shift/Ctrl arrows, Tab, class keys, zoom, undo.
R=$'\e[C' L=$'\e[D' U=$'\e[A' D=$'\e[B' SR=$'\e[1;2C' SL=$'\e[1;2D' SD=$'\e[1;2B' CR=$'\e[1;5C' CU=$'\e[1;5A'
keys=(n "$R" "$R" "$D" "$SR" "$SR" "$SD" $'\t' "$CR" "$CR" $'\t' "$SL" "$CU" 2 n "$L" "$L" "$U" "$SR" $'\t' "$CR"
  + "$R" - 1 "$D" u "$R" "$R" "$L")
stats() {
  python3 - "$1" "$2" <<'PY'
import statistics, sys
ms = sorted(int(l) / 1000 for l in open(sys.argv[2]) if l.strip().isdigit())[1:]  # the first is the pane
p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
print(f"{sys.argv[1]}: {len(ms)} keys, median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms")
PY
}

project=$out/kitty-project
"$bin" init "$project" --source "$out/images" --task detect --classes cup,cat,person >/dev/null
export DISPLAY=:97
Xvfb :97 -screen 0 1920x1080x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 2
sock=$out/kitty.sock
kitty -o allow_remote_control=yes --listen-on "unix:$sock" -o initial_window_width=1600 \
  -o initial_window_height=1000 sh -c "KINDLING_FRAME_LOG=$out/kitty.log $bin open $project --graphics kitty" \
  >/dev/null 2>&1 &
sleep 4
send() { kitty @ --to "unix:$sock" send-text -- "$1"; }
send $'\eOQ'
sleep 3
for k in "${keys[@]}"; do send "$k"; sleep 0.4; done
sleep 1
send q
sleep 1
stats kitty "$out/kitty.log"

project=$out/tmux-project
"$bin" init "$project" --source "$out/images" --task detect --classes cup,cat,person >/dev/null
tmux kill-session -t box-frames 2>/dev/null || true
tmux new-session -d -s box-frames -x 200 -y 60 "KINDLING_FRAME_LOG=$out/halfblocks.log $bin open $project --graphics halfblocks"
sleep 2
tmux send-keys -t box-frames F2
sleep 3
for k in "${keys[@]}"; do tmux send-keys -t box-frames -l "$k"; sleep 0.4; done
sleep 1
tmux send-keys -t box-frames q
sleep 1
tmux kill-session -t box-frames 2>/dev/null || true
stats half-blocks "$out/halfblocks.log"
