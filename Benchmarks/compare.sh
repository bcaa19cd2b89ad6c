#!/usr/bin/env bash
# Runs PyTorch's reference (../shared/bench/torch_reference.py) and Framework's benchmarks one after the
# other in this session, and joins the two tables by row name into ratios (Framework / PyTorch).
# Usage: Benchmarks/compare.sh [--quick] [filter words]
# Needs Debian's python3-torch, python3-torchvision and libopenblas0-pthread (see ../shared/bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${TORCH_REFERENCE:-../shared/bench/torch_reference.py}
quick=""; words=()
for a in "$@"; do if [ "$a" = "--quick" ]; then quick="--quick"; else words+=("$a"); fi; done
torch_out=$(mktemp); ours_out=$(mktemp)
/usr/bin/python3 "$ref" "${words[@]}" | tee "$torch_out"
dotnet run -c Release --project Benchmarks -- $quick "${words[@]}" | tee "$ours_out"
echo
echo "| workload | PyTorch ms | Framework ms | ratio"
awk -F'|' '
  NR == FNR { if (NF >= 4 && $3 ~ /[0-9]/) { n = $2; gsub(/^ +| +$/, "", n); torch[n] = $3 + 0 } next }
  NF >= 4 && $3 ~ /[0-9]/ { n = $2; gsub(/^ +| +$/, "", n); if (n in torch) printf "| %-56s | %10.4f | %12.4f | %6.2f\n", n, torch[n], $3 + 0, ($3 + 0) / torch[n] }
' "$torch_out" "$ours_out"
