# Shared by bin/serve and bin/test: a virtualenv in .venv with the pinned packages,
# and the Debian libraries WeasyPrint needs. Sourced, not run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
  # Installs the named Debian packages that are missing; says plainly what to do if it can't.
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}"
    if as_root apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || { as_root apt-get update >/dev/null 2>&1 && as_root apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }; then
      return 0
    fi
  fi
  echo "Please install these system packages and run again: ${missing[*]}" >&2
  return 1
}

PYTHON=${PYTHON:-python3}
# WeasyPrint draws with Pango; Thai PDFs need a Thai font (Laksaman = TH Sarabun metrics).
echo "==> Checking the system packages (Pango for PDFs, a Thai font)"
apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-tlwg-laksaman || true
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtualenv .venv"
  "$PYTHON" -m venv .venv 2>/dev/null || { apt_install python3-venv && "$PYTHON" -m venv .venv; }
fi
# (sed drops this machine's notes about absent local package mirrors; errors still fail.)
echo "==> Installing the Python packages of ${REQUIREMENTS:-requirements.txt} (minutes the first time, seconds after)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "${REQUIREMENTS:-requirements.txt}" 2>&1 \
  | sed '/is ignored: it is neither a file nor a directory/d'

export PATH="$PWD/.venv/bin:$PATH"
