#!/usr/bin/env bash
# Runs PyTorch's reference (../shared/bench/torch_reference.py) and Framework's benchmarks one after the
# other in this session, and joins the two tables by row name into ratios (Framework / PyTorch).
# With --rounds N the pair is run N times, alternating, and each row reports the median of its N ratios:
# these machines are noisy, and a slow minute hits both sides of a round instead of one.
# Usage: Benchmarks/compare.sh [--quick] [--rounds N] [filter words]
# Needs Debian's python3-torch, python3-torchvision and libopenblas0-pthread (see ../shared/bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${TORCH_REFERENCE:-../shared/bench/torch_reference.py}
quick=""; rounds=1; words=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick="--quick" ;;
    --rounds) rounds="$2"; shift ;;
    *) words+=("$1") ;;
  esac
  shift
done
dotnet build -c Release Benchmarks >/dev/null
dir=$(mktemp -d)
for r in $(seq 1 "$rounds"); do
  /usr/bin/python3 "$ref" "${words[@]}" > "$dir/torch.$r"
  dotnet Benchmarks/bin/Release/net10.0/Benchmarks.dll $quick "${words[@]}" > "$dir/ours.$r"
  [ "$rounds" -eq 1 ] && { cat "$dir/torch.$r" "$dir/ours.$r"; }
done
echo
echo "| workload | PyTorch ms | Framework ms | ratio$([ "$rounds" -gt 1 ] && echo " (median of $rounds rounds)")"
for r in $(seq 1 "$rounds"); do
  awk -F'|' -v round="$r" '
    NR == FNR { if (NF >= 4 && $3 ~ /[0-9]/) { n = $2; gsub(/^ +| +$/, "", n); torch[n] = $3 + 0 } next }
    NF >= 4 && $3 ~ /[0-9]/ { n = $2; gsub(/^ +| +$/, "", n); if (n in torch) printf "%s\t%d\t%.4f\t%.4f\t%.4f\n", n, FNR, torch[n], $3 + 0, ($3 + 0) / torch[n] }
  ' "$dir/torch.$r" "$dir/ours.$r"
done | sort -t$'\t' -k2,2n -k5,5g | awk -F'\t' '
  { name[$2] = $1; t[$2, ++k[$2]] = $3; o[$2, k[$2]] = $4; q[$2, k[$2]] = $5; if (!($2 in seen)) { seen[$2] = 1; order[++rows] = $2 } }
  END {
    for (i = 1; i <= rows; i++) {
      r = order[i]; m = int((k[r] + 1) / 2)
      printf "| %-56s | %10.4f | %12.4f | %6.2f\n", name[r], t[r, m], o[r, m], q[r, m]
    }
  }'
rm -rf "$dir"
