#!/usr/bin/env bash
# Idempotent setup: Debian packages (Chromium, ChromeDriver, the export's fonts, Node with npm), then
# .venv with the project installed, then the JavaScript the dashboard serves (plotly.js's geo bundle,
# from package-lock.json: npm ci --omit=dev). Usage: scripts/setup.sh [--test]   (--test also
# installs the test extras: GDAL's command-line tools, poppler's pdftotext/pdffonts, LibreOffice
# Impress, redis-server and the npm test and benchmark tools of package-lock.json)
set -euo pipefail
cd "$(dirname "$0")/.."

testing=false
[[ "${1:-}" == "--test" ]] && testing=true
extras="build"
$testing && extras="test,build"

# fonts: Noto Sans (Latin) and BIZ UDPGothic (Japanese) are TrueType, so the PDF export embeds
# them as real fonts with correct text; Noto Sans CJK JP is the fallback for other glyphs
debian_packages=(chromium chromium-driver fonts-noto-core fonts-morisawa-bizud-gothic fonts-noto-cjk)
# redis-server: the export queue's test; poppler-utils, libreoffice-impress: the exports' tests
$testing && debian_packages+=(gdal-bin poppler-utils libreoffice-impress redis-server)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# Node may come from elsewhere than Debian (a nodesource package brings its own npm)
! command -v npm >/dev/null && missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "setup: Python 3.11 or newer is needed (found $("$python" --version))" >&2; exit 1; }
[[ -x .venv/bin/python ]] || "$python" -m venv .venv

stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-$extras"
if [[ ! -f "$stamp" ]]; then
  echo "setup: installing the project into .venv ($extras)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$extras]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# node_modules/: the runtime dependencies (the dashboard serves plotly.js's geo bundle from there,
# else the full bundle with a warning), plus the devDependencies with --test. The stamp says which.
node_stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if $testing && [[ ! -f "$node_stamp-all" ]]; then
  echo "setup: installing the npm packages and test tools (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$node_stamp-all"
elif ! $testing && [[ ! -f "$node_stamp-all" && ! -f "$node_stamp-runtime" ]]; then
  echo "setup: installing the npm packages the dashboard serves (npm ci --omit=dev)"
  npm ci --omit=dev --no-audit --no-fund --loglevel=error
  touch "$node_stamp-runtime"
fi
