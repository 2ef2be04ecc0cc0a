#!/usr/bin/env bash
# Label QA against a simulated labeller whose mistakes are known (examples/qa_sim.rs): on
# the manual pages by section (bench/real_sets.py; none made by Kindling), a labeller who
# swaps `library` and `syscall` pages at 8 % until half-way, 30 % after; SEEDS seeds
# (default 200) of LABELS own labels (default 900). Prints κ's interval coverage of the true
# κ, gold accuracy, where the drop was flagged (re-asks and the live model's out-of-fold view
# of every label), the review queue's share of wrong labels (beside the live model's flags
# every seed, and a trained run's for FLAG_SEEDS seeds) and the re-asks per label, each
# beside the truth. NO_DROP=1 keeps the 8 % all along (the false alarms).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn, numpy" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scikit-learn
real=target/bench-real
[[ -d $real/man ]] || "$venv/bin/python" bench/real_sets.py "$real"
truth=target/bench-qa-truth.csv
( echo "id,label"; cd "$real/man" && for d in */; do for f in "$d"*; do echo "$f,${d%/}"; done; done ) > "$truth"
cargo build --release --example qa_sim
cargo build --release
# The model's flags beside the review: a project over the same pages, whose labels each of
# the first FLAG_SEEDS seeds replaces to train a 5-fold logistic regression (a minute each).
project=target/bench-qa-project
[[ -f $project/kindling.toml ]] || target/release/kindling init "$project" --source "$real/man" --labels-from-folders >/dev/null
# SQLite syncs every label: a memory-backed folder keeps 200 seeds to minutes.
QA_SIM_DIR=${QA_SIM_DIR:-/dev/shm} QA_SIM_PROJECT=$project QA_SIM_FLAG_SEEDS=${FLAG_SEEDS:-20} \
  target/release/examples/qa_sim "$truth" "${SEEDS:-200}" "${LABELS:-900}" library syscall \
  0.08 "$([[ -n ${NO_DROP:-} ]] && echo 0.08 || echo 0.30)"
