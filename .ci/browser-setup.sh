#!/usr/bin/env bash
# Headless Chromium for the browser tests (tests/e2e, marker "browser"): Debian's chromium and
# chromium-driver packages. Idempotent: installs only what is missing. Playwright (Python) is in
# pyproject's [dev] extra and drives this system browser; `playwright install` is never run.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
/usr/bin/chromium --version 2>/dev/null
python3 -c "import playwright" 2>/dev/null || python3 -m pip install -q "playwright>=1.40"
