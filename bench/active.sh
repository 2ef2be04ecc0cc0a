#!/usr/bin/env bash
# Label efficiency of the live model's queue orders (examples/active.rs): a simulated
# labeller that always answers the true class labels generated text, image and table sets
# ten samples at a time, as a script does with `kindling queue` + `labels set`; test accuracy
# of the live model on a held-out quarter after 50, 100, 200 and 400 labels, random order
# against each active order, averaged over SEEDS seeds (default 3); how many labels each
# order needs to reach random order's accuracy at 400; and how often Enter would have
# accepted a right suggestion, per 100 labels. PROFILE=debug uses the test build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${PROFILE:-release} == release ]]; then
  cargo build --release --example active
  ex=target/release/examples/active
else
  cargo build --example active
  ex=target/debug/examples/active
fi
work=$(realpath -m target/bench-active)
rm -rf "$work"
"$ex" "$work" "${SEEDS:-3}" "${SETS:-text,image,table}"
