#!/usr/bin/env bash
# The embedding benchmarks on real data sets this machine already holds (bench/real_sets.py:
# scikit-learn's bundled UCI digits, breast-cancer and wine sets, and the manual pages in
# /usr/share/man by section), none made by Kindling's generators: `similar` beside
# NearestNeighbors (precision@10), `clusters` beside KMeans (purity), `map` beside TSNE and
# umap-learn (agree@10), and a `map --png` of each to look at, in target/bench-real/; then
# 100,000 passages of the manual pages: Kindling from nothing (bench/at_size.py), then beside
# the peers but for t-SNE.
# Installs the peers into target/bench-tools/venv when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-tools/venv
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn, scipy, umap" 2>/dev/null || "$venv/bin/pip" install --quiet numpy scipy scikit-learn umap-learn
cargo build --release --bin kindling
kindling=target/release/kindling
out=target/bench-real
[[ -d $out/man ]] || "$venv/bin/python" bench/real_sets.py "$out"
[[ -d $out/digits-project ]] || $kindling init $out/digits-project --source $out/digits --kind images --labels-from-folders >/dev/null
[[ -d $out/man-project ]] || $kindling init $out/man-project --source $out/man --kind text --labels-from-folders >/dev/null
for t in cancer wine; do
  [[ -d $out/$t-project ]] || $kindling init $out/$t-project --source $out/$t.csv --label-column label >/dev/null
done
[[ -d $out/passages-project ]] || $kindling init $out/passages-project --source $out/passages.csv --kind text --label-column label >/dev/null
dirs="$out/digits-project $out/man-project $out/cancer-project $out/wine-project"
for d in $dirs; do
  $kindling embed "$d" >/dev/null
  $kindling map "$d" --method umap --png "$d.umap.png" >/dev/null
done
# shellcheck disable=SC2086 # the folders are words
"$venv/bin/python" bench/similar.py $dirs --queries 30
# shellcheck disable=SC2086
"$venv/bin/python" bench/clusters.py $dirs
# shellcheck disable=SC2086
"$venv/bin/python" bench/map.py $dirs --method tsne --peers tsne
# shellcheck disable=SC2086
"$venv/bin/python" bench/map.py $dirs --method umap --peers umap
"$venv/bin/python" bench/at_size.py $out/passages-project
# The 100,000 passages beside the peers too, now that their TF-IDF travels as a long CSV;
# no t-SNE (scikit-learn's takes most of an hour at this size on two cores).
"$venv/bin/python" bench/similar.py $out/passages-project --queries 30
"$venv/bin/python" bench/clusters.py $out/passages-project --repeat 1
"$venv/bin/python" bench/map.py $out/passages-project --method umap --peers umap
$kindling map $out/passages-project --png $out/passages-project.umap.png >/dev/null
echo "pictures: $out/*.umap.png"
