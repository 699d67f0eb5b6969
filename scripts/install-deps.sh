#!/usr/bin/env bash
# Installs the Debian packages Polyforge builds against, only when missing. Safe to run repeatedly.
set -euo pipefail
packages=(libcurl4-openssl-dev libomp-dev libpng-dev libturbojpeg0-dev libdraco-dev libmeshoptimizer-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    sudo_cmd=()
    [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then export PATH=/opt/swift/usr/bin:$PATH; else
        echo "error: Swift 6 toolchain not found (expected on PATH or in /opt/swift)" >&2; exit 1; fi
fi
