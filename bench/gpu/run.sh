#!/usr/bin/env bash
# Kindling's GPU throughput benchmark, run on the GPU machine (see DEVELOPERS.md):
#   bench/gpu/run.sh KINDLING_BINARY [WORK_DIR]
# Makes the data (bench/gpu/throughput.py make), trains Kindling's mlp and cnn on it on
# cuda and cpu for a fixed number of epochs, then the equivalent PyTorch code, and prints a
# Markdown table of samples per second (median over the epochs after the first).
# EPOCHS (default 5) and DEVICES (default "cuda cpu") change what is run.
# LD_LIBRARY_PATH must reach the machine's PyTorch libraries (libtorch, CUDA).
set -euo pipefail
bin=$(realpath "$1")
work=$(realpath -m "${2:-/tmp/kindling-gpu-bench}")
here=$(dirname "$(realpath "$0")")
epochs=${EPOCHS:-5}
[[ -d $work/images ]] || python3 "$here/throughput.py" make "$work"

# A project for a source, training exactly $epochs epochs (no early stop).
project() {
  local dir=$work/projects/$1
  if [[ ! -f $dir/kindling.toml ]]; then
    "$bin" init "$dir" "${@:2}" >/dev/null
    printf '\n[torch]\nepochs = %s\npatience = %s\n' "$epochs" "$epochs" >>"$dir/kindling.toml"
  fi
  echo "$dir"
}
table=$(project table --source "$work/table/wide.csv" --label-column label)
images=$(project images --source "$work/images" --labels-from-folders)

# Median samples/s of a Kindling run's epochs after the first, from its events.jsonl.
kindling_speed() {
  local dir=$1 what=$2 model=$3 device=$4 features=()
  [[ $what == images ]] && features=(--features pixels)
  local run
  run=$("$bin" train "$dir" --model "$model" --device "$device" "${features[@]}" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["run"])')
  python3 - "$dir/runs/$run/events.jsonl" <<'PY'
import json, statistics, sys
speeds = [e["samples_per_second"] for e in map(json.loads, open(sys.argv[1])) if e.get("event") == "epoch"]
print(f"{statistics.median(speeds[1:] or speeds):.0f}")
PY
}

gpu=$(python3 -c 'import torch; print(torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU")')
echo "device: $gpu; torch $(python3 -c 'import torch; print(torch.__version__)'); $(nproc) CPU cores; $epochs epochs, batch 64"
echo
echo "| data | model | device | Kindling samples/s | PyTorch samples/s | Kindling / PyTorch |"
echo "| --- | --- | --- | --: | --: | --: |"
for case in "table mlp" "images mlp" "images cnn"; do
  read -r what model <<<"$case"
  dir=$table
  [[ $what == images ]] && dir=$images
  for device in ${DEVICES:-cuda cpu}; do
    k=$(kindling_speed "$dir" "$what" "$model" "$device")
    p=$(python3 "$here/throughput.py" train "$what" "$model" "$device" --epochs "$epochs" |
      python3 -c 'import json,sys; print(round(json.load(sys.stdin)["samples_per_second"]))')
    ratio=$(python3 -c "print(f'{$k / $p:.2f}')")
    echo "| $what | $model | $device | $k | $p | $ratio |"
  done
done
