#!/usr/bin/env bash
# Label efficiency of the live model's queue orders.
#
# On real data (bench/active_real.py; the sets of bench/real_sets.py: the manual pages by
# section, scikit-learn's digits and breast-cancer table, none made by Kindling): the walk
# of a careful practitioner — the held-out split labelled first (or no split in the
# project), 30 random labels, then rounds of the next 30 from `kindling queue --order O`,
# `kindling train --model logistic` after each round, scored on the held-out samples —
# every order beside random order and scikit-learn's margin sampling, SEEDS seeds
# (default 5), ORDERS (default all), REAL_SETS (default man,digits,cancer), ROUNDS (default
# 12: to 390 labels).
#
# With GENERATED=1, also the older simulation on generated text, image and table sets
# (examples/active.rs): accuracy after 50–400 labels and the Enter acceptance rate.
#
# Installs numpy and scikit-learn into target/bench-tools/venv when missing.
# PROFILE=debug uses the test build.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn, numpy" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scikit-learn
if [[ ${PROFILE:-release} == release ]]; then
  cargo build --release --bin kindling --example active
  bin=target/release
else
  cargo build --bin kindling --example active
  bin=target/debug
fi
real=target/bench-real
[[ -d $real/man ]] || "$venv/bin/python" bench/real_sets.py "$real"
"$venv/bin/python" bench/active_real.py "$bin/kindling" "$real" target/bench-active-real \
  --seeds "${SEEDS:-5}" --orders "${ORDERS:-random,auto,margin,entropy,least_confident,diverse}" \
  --sets "${REAL_SETS:-man,digits,cancer}" --rounds "${ROUNDS:-12}"
if [[ ${GENERATED:-0} == 1 ]]; then
  work=$(realpath -m target/bench-active)
  rm -rf "$work"
  "$bin/examples/active" "$work" "${SEEDS:-3}" "${SETS:-text,image,table}"
fi
