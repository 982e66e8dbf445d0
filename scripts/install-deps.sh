#!/usr/bin/env bash
# Install the Debian packages bpfdump needs to build, test and benchmark.
# Idempotent: installs only what is missing. Must run as root.
set -euo pipefail

need=(make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev bpftool
      iproute2 python3 libclang-rt-14-dev python3-docutils groff-base
      hyperfine lsof procps time libfuse3-dev fuse3 man-db libsqlite3-dev
      libmicrohttpd-dev prometheus curl dpkg-dev debhelper lintian)
[ "${1:-}" = "--bench" ] && need+=(hyperfine lsof procps time prometheus-node-exporter)

missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "bpfdump: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "bpfdump: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get update -qq
timeout 900 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
