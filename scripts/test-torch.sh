#!/usr/bin/env bash
# The tests of the `torch` feature, on this machine's CPU, against the libtorch that
# scripts/libtorch.sh lays out (or the one LIBTORCH names).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z ${LIBTORCH:-} ]]; then
    [[ -f scripts/libtorch.env ]] || scripts/libtorch.sh
    source scripts/libtorch.env
fi
cargo test --features torch --lib "$@" -- models::torch models::device features::encoder
cargo test --features torch --test cli torch "$@"
