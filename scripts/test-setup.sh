#!/usr/bin/env bash
# First step of `npm test`: installs what the browser and WebGPU tests need when it is missing.
# The browser tests (test/browser) drive Debian's Chromium; the WebGPU tests run Dawn (npm `webgpu`)
# on SwiftShader, the CPU Vulkan driver Chromium ships, through the Vulkan loader (libvulkan1).
# Installs with apt-get as root, or through sudo when that needs no password; otherwise it prints
# one line saying what is missing and succeeds, and those tests skip with their reason (under
# CI=true they fail instead).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || missing+=(libvulkan1)
[ ${#missing[@]} -eq 0 ] && exit 0

skip() {
  echo "test-setup: ${missing[*]} missing ($1): the browser and WebGPU tests will skip" >&2
  exit 0
}

command -v apt-get >/dev/null || skip 'no apt-get here to install it'
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo)
  else
    skip 'installing needs root or passwordless sudo'
  fi
fi

echo "test-setup: installing ${missing[*]} with apt-get" >&2
"${as_root[@]}" apt-get update -qq || skip 'apt-get update failed'
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
  skip 'apt-get install failed'
