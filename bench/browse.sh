#!/usr/bin/env bash
# Browse benchmark: Kindling beside csvlens, tabiew and visidata, in one sitting, on a
# generated 2,000,000 × 22 numeric table (CSV ~480 MB, and its Parquet twin), in a 160×45
# tmux pane, release build. Prints a Markdown table with each viewer's figures and
# Kindling's ratio to the best peer (below 1 is faster / smaller). Figures go in docs/benchmarks.md.
#
#   bench/browse.sh              install what is missing, make the data, measure
#   bench/browse.sh --install    only install the peers
#
# Needs tmux and bc, and ../shared/bench (ttff.sh, ttend.sh) beside the repository. Peers
# missing here are installed: csvlens and tabiew with `cargo install --locked` (tabiew at
# the newest version whose rust-version this toolchain meets), visidata (with pyarrow, for
# Parquet) in a virtual environment under target/bench-tools.
set -euo pipefail
cd "$(dirname "$0")/.."
helpers=$(realpath "${HELPERS:-../shared/bench}")
tools=$PWD/target/bench-tools
data=$(realpath -m "${DATA:-target/bench-data}")
rows=${ROWS:-2000000}

install_peers() {
  command -v csvlens >/dev/null || cargo install csvlens --locked
  command -v tw >/dev/null || cargo install tabiew --locked --version "${TABIEW_VERSION:-0.15.0}"
  if [[ ! -x $tools/venv/bin/vd ]]; then
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/pip" install --quiet visidata pyarrow
  fi
}
install_peers
[[ ${1:-} == --install ]] && exit 0

cargo build --release --locked --bin kindling
bin=$PWD/target/release/kindling
# The generator runs in a debug build: it shares `cargo test`'s dependencies, a release
# build of it would build polars a second time.
[[ -f $data/numeric.parquet ]] || cargo run --locked --example numeric_table -- "$data" "$rows"
first=1000000000                       # the id of the first row
last=$((1000000000 + rows - 1))        # and of the last
jump_row=$((rows * 3 / 4))             # `:N` target, 1-based, as the status bar counts
jump_id=$((1000000000 + jump_row - 1))

for format in csv parquet; do
  project=$data/$format-project
  [[ -f $project/kindling.toml ]] ||
    "$bin" init "$project" --source "$data/numeric.$format" --id-column id --classes x,y >/dev/null
done

# `after KEYS TEXT TIMEOUT CMD...`: once the first row shows, types KEYS and prints the
# seconds until TEXT shows.
after() {
  local keys=$1 text=$2 to=$3 s=jump$$; shift 3
  tmux new-session -d -s $s -x 160 -y 45 "$*"
  for ((i = 0; i < to * 50; i++)); do tmux capture-pane -p -t $s | grep -qF -- "$first" && break; sleep 0.02; done
  local start; start=$(date +%s.%N)
  tmux send-keys -t $s "$keys" Enter
  local found=""
  while :; do
    local now; now=$(date +%s.%N)
    tmux capture-pane -p -t $s | grep -qF -- "$text" && { found=$now; break; }
    (($(echo "$now - $start > $to" | bc))) && break
    sleep 0.01
  done
  tmux kill-session -t $s
  [[ -n $found ]] && printf "%.2f s\n" "$(echo "$found - $start" | bc)" || echo "not shown in $to s"
}

# Median of three runs of a helper; keeps the unit of the first figure.
median3() {
  local a b c
  a=$("$@" | grep -oE '[0-9]+\.[0-9]+' | head -1)
  b=$("$@" | grep -oE '[0-9]+\.[0-9]+' | head -1)
  c=$("$@" | grep -oE '[0-9]+\.[0-9]+' | head -1)
  printf '%s\n%s\n%s\n' "${a:-999}" "${b:-999}" "${c:-999}" | sort -n | sed -n 2p
}

declare -A frame rss end jump
measure() { # name format command...
  local name=$1 format=$2; shift 2
  local out
  out=$("$helpers/ttff.sh" "$first" 60 "$@")
  frame[$name.$format]=$(echo "$out" | grep -oE '^[0-9.]+' || echo 999)
  rss[$name.$format]=$(echo "$out" | grep -oE 'peak [0-9]+' | grep -oE '[0-9]+' || echo 0)
  end[$name.$format]=$(median3 "$helpers/ttend.sh" "$first" "$last" 120 "$@")
}

for format in csv parquet; do
  file=$data/numeric.$format
  # A first look builds the row index, as a user's first session does.
  "$helpers/ttff.sh" "$first" 60 "$bin" "$data/$format-project" --graphics none >/dev/null
  measure kindling $format "$bin" "$data/$format-project" --graphics none
  if [[ $format == csv ]]; then
    # A first session: no row index cached yet (each run starts without one).
    measure "kindling, no index yet" csv \
      "rm -f $data/csv-project/.kindling/cache/rows-*.idx; exec $bin $data/csv-project --graphics none"
  fi
  jump[kindling.$format]=$(median3 after ":$jump_row" "$jump_id" 30 "$bin" "$data/$format-project" --graphics none)
  [[ $format == csv ]] && measure csvlens $format csvlens "$file"
  measure tabiew $format tw "$file"
  measure visidata $format "$tools/venv/bin/vd" "$file"
done

ratio() { # kindling figure, peer figures...
  local k=$1 best=""; shift
  for v in "$@"; do [[ -n $v && $v != 999 ]] && { [[ -z $best ]] || (($(echo "$v < $best" | bc))); } && best=$v; done
  # A peer below the timers' resolution (0.00 s) gives no ratio.
  if [[ -z $best ]] || (($(echo "$best == 0" | bc))); then echo "–"; else printf "%.2f" "$(echo "$k / $best" | bc -l)"; fi
}
# Launch → last row on screen: the first frame plus `G` after it (a viewer that loads the
# whole file before its first frame has an instant `G`).
total() { printf "%.2f" "$(echo "${frame[$1]} + ${end[$1]}" | bc)"; }

echo
echo "| table | viewer | first frame | peak memory | \`G\` until the last row shows | launch → last row | \`:$jump_row\` |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for format in csv parquet; do
  peers=(tabiew visidata)
  own=(kindling)
  [[ $format == csv ]] && peers=(csvlens tabiew visidata) && own=(kindling "kindling, no index yet")
  for name in "${own[@]}" "${peers[@]}"; do
    echo "| $format | $name | ${frame[$name.$format]} s | ${rss[$name.$format]} MB | ${end[$name.$format]} s | $(total "$name.$format") s | ${jump[$name.$format]:-} ${jump[$name.$format]:+s} |"
  done
  f=() m=() e=() t=()
  for name in "${peers[@]}"; do
    f+=("${frame[$name.$format]}"); m+=("${rss[$name.$format]}"); e+=("${end[$name.$format]}"); t+=("$(total "$name.$format")")
  done
  echo "| $format | **Kindling ÷ best peer** | $(ratio "${frame[kindling.$format]}" "${f[@]}") | $(ratio "${rss[kindling.$format]}" "${m[@]}") | $(ratio "${end[kindling.$format]}" "${e[@]}") | $(ratio "$(total kindling.$format)" "${t[@]}") | |"
done

# Key press → frame drawn, from the workbench's own log, while moving through the table.
echo
for format in csv parquet; do
  log=$(mktemp)
  s=keys$$
  tmux new-session -d -s $s -x 160 -y 45 "KINDLING_FRAME_LOG=$log $bin $data/$format-project --graphics none"
  sleep 2
  for _ in $(seq 40); do tmux send-keys -t $s j; sleep 0.02; done
  for _ in $(seq 20); do tmux send-keys -t $s PageDown; sleep 0.05; done
  tmux send-keys -t $s G; sleep 1.5
  for _ in $(seq 40); do tmux send-keys -t $s k; sleep 0.02; done
  for _ in $(seq 20); do tmux send-keys -t $s l h; sleep 0.05; done
  tmux send-keys -t $s ":$jump_row" Enter; sleep 1
  for _ in $(seq 20); do tmux send-keys -t $s PageUp; sleep 0.05; done
  tmux send-keys -t $s q; sleep 0.5; tmux kill-session -t $s 2>/dev/null || true
  sort -n "$log" | awk -v f=$format '{ v[NR] = $1 } END { printf "%s: key press to frame  p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d keys)\n", f, v[int(NR*0.5)]/1000, v[int(NR*0.99)]/1000, v[NR]/1000, NR }'
  rm -f "$log"
done
