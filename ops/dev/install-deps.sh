#!/usr/bin/env bash
# Installs the Debian packages Shannon builds and tests against, when they are missing.
# As root it runs apt-get; otherwise it prints the exact command and stops.
set -euo pipefail

packages=(librdkafka-dev libzstd-dev libsimdjson-dev pkg-config kcat gdb chromium python3)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "Shannon needs these Debian packages: ${missing[*]}" >&2
    echo "Install them with:  sudo sh -c '$cmd'" >&2
    exit 1
fi
echo "installing: ${missing[*]}" >&2
sh -c "$cmd" >&2
