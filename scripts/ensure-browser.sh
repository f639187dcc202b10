#!/usr/bin/env bash
# The browser journeys drive Debian's Chromium (no browser is ever downloaded by Playwright).
# Install it, and a font with Chinese glyphs for readable screenshots, when missing.
set -eu
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || missing+=(fonts-wqy-microhei)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing ${missing[*]} for the browser journeys" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
command -v chromium >/dev/null 2>&1 || { echo "chromium is still missing" >&2; exit 1; }
