#!/usr/bin/env bash
# The kernel matrix's summary: per kernel, how many checks passed, failed and were
# skipped, then the closing "N passed, N failed" line (of the matrix alone).
awk '
/^(ok|FAIL|skip) \[/ {
	k = $2; gsub(/[\[\]:]/, "", k)
	if (!(k in seen)) { seen[k] = 1; order[n++] = k }
	if ($1 == "ok") p[k]++; else if ($1 == "FAIL") f[k]++; else s[k]++
}
END {
	for (i = 0; i < n; i++) {
		k = order[i]
		printf "kernel %-14s %4d passed, %d failed, %d skipped\n", k, p[k], f[k], s[k]
		tp += p[k]; tf += f[k]; ts += s[k]
	}
	printf "\n%d passed, %d failed, %d skipped\n", tp, tf, ts
	exit tf > 0
}'
