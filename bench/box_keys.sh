#!/usr/bin/env bash
# Keys per box in the box labeller beside labelImg's scheme (bench/box_keys.py), after
# replaying the planned keys of a few images in the real labeller in tmux and checking the
# boxes it stored: each labelled box found again, same class, every edge within 2 px.
#
# Data: bench/detect_set.py (scikit-learn's digit scans on scikit-image's photos), with a
# detector's proposals from bench/detector.sh's run when it has been run (its held-out
# images), else from scratch only. REPLAY sets how many images are replayed (3).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import skimage, sklearn" 2>/dev/null || "$venv/bin/pip" install --quiet scikit-image scikit-learn pillow
cargo build --release --bin kindling
bin=$PWD/target/release/kindling
out=target/bench-box-keys
rm -rf "$out" && mkdir -p "$out"
"$venv/bin/python" bench/detect_set.py "$out/set" --images "${REPLAY:-3}" >/dev/null
project=$out/project
"$bin" init "$project" --source "$out/set/images" --task detect --classes 0,1,2,3,4,5,6,7,8,9 >/dev/null

session=kindling-box-keys
tmux kill-session -t "$session" 2>/dev/null || true
tmux new-session -d -s "$session" -x 200 -y 60 "$bin open $project --graphics halfblocks"
sleep 2
tmux send-keys -t "$session" F2
sleep 2
keys=0
for image in $(ls "$out/set/images" | sort); do
  mapfile -t plan < <(python3 bench/box_keys.py "$out/set/boxes.json" --plan "$image")
  for key in "${plan[@]}"; do
    tmux send-keys -t "$session" "$key"
    sleep 0.03
  done
  keys=$((keys + ${#plan[@]}))
  sleep 0.5
done
tmux send-keys -t "$session" q
sleep 1
tmux kill-session -t "$session" 2>/dev/null || true
"$bin" labels export "$project" --format coco -o "$out/stored.json" >/dev/null
python3 - "$out/set/boxes.json" "$out/stored.json" "$keys" <<'PY'
import json, sys
truth, stored, keys = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
def boxes(c):
    names = {k["id"]: k["name"] for k in c["categories"]}
    files = {i["id"]: i["file_name"] for i in c["images"]}
    return sorted((files[a["image_id"]], names[a["category_id"]], a["bbox"]) for a in c["annotations"])
t, s = boxes(truth), boxes(stored)
assert len(t) == len(s), f"{len(t)} boxes labelled, {len(s)} stored"
for (fa, ca, ba), (fb, cb, bb) in zip(t, s):
    edges = lambda b: (b[0], b[1], b[0] + b[2], b[1] + b[3])
    off = max(abs(x - y) for x, y in zip(edges(ba), edges(bb)))
    assert (fa, ca) == (fb, cb) and off <= 2, f"{fa} {ca} {ba} stored as {fb} {cb} {bb}"
print(f"replayed {keys} keys in the labeller: {len(t)} boxes stored as planned (every edge within 2 px)")
PY
found=
latest=$(ls -d target/bench-detector/project/runs/*-detector 2>/dev/null | tail -1 || true)
if [[ -n $latest ]]; then
  images=$("$venv/bin/python" -c "import json,sys; print(','.join(json.load(open(sys.argv[1]))['test']))" "$latest/split.json")
  python3 bench/box_keys.py target/bench-detector/set/boxes.json --found "$latest/found.json" --images "$images"
else
  python3 bench/box_keys.py "$out/set/boxes.json"
fi
