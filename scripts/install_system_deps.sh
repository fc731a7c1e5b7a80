#!/usr/bin/env bash
# Debian packages the test suite needs, installed only when missing:
#   chromium         headless browser the Playwright tests drive (never `playwright install`)
#   poppler-utils    pdftotext and pdftoppm, to read and render generated PDFs
#   fonts-liberation Arial-metric fonts, so pages and PDFs render as they will for users
set -euo pipefail

packages=(chromium poppler-utils fonts-liberation)

installed() {
  if command -v dpkg-query >/dev/null 2>&1; then
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
  else
    case "$1" in
      chromium) [ -x /usr/bin/chromium ] ;;
      poppler-utils) command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null ;;
      *) true ;;
    esac
  fi
}

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need these system packages: ${missing[*]}." >&2
  echo "Install them as root, e.g.: sudo apt-get install -y ${missing[*]}" >&2
  echo "(Chromium must be at /usr/bin/chromium; do not use 'playwright install'.)" >&2
  exit 1
fi

echo "Installing system packages: ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
# Wait (up to 10 minutes) rather than fail if another apt run holds the lock.
apt_get=(apt-get -qq -o DPkg::Lock::Timeout=600)
"${apt_get[@]}" update >/dev/null
"${apt_get[@]}" install -y "${missing[@]}" >/dev/null
