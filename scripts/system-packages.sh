#!/usr/bin/env bash
# Debian packages the app needs (the CJK font for Chinese PDFs) plus any named as arguments
# (the test command adds chromium). Installs what is missing when run as root; otherwise
# says what to install.
set -euo pipefail
wanted=(fonts-wqy-zenhei "$@")
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "· installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "missing Debian packages: run 'sudo apt-get install ${missing[*]}'" >&2
  exit 1
fi
