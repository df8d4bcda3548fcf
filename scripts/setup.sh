#!/usr/bin/env bash
# `npm run setup`: everything a fresh Debian machine needs before `npm test`.
# Installs the Debian packages of scripts/debian-packages.txt that are missing (apt-get update runs
# only when something is missing; sudo is used when not root), then runs `npm install`, which builds
# the native addon and compiles TypeScript to dist/. Running it again changes nothing.
#
#   NOVA_SETUP_PACKAGES="a b"  check these packages instead of the list (tests use it)
#   NOVA_SETUP_DRY_RUN=1       print the commands that would change the machine instead of running them
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }
run() {
  if [[ "${NOVA_SETUP_DRY_RUN:-}" == 1 ]]; then printf 'dry-run: %s\n' "$*"; else "$@"; fi
}

node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 10) ? 0 : 1)' ||
  fail "Node.js >= 20.10 is needed (found $(node --version))"

if [[ -n "${NOVA_SETUP_PACKAGES:-}" ]]; then
  read -r -a wanted <<<"$NOVA_SETUP_PACKAGES"
else
  mapfile -t wanted < <(awk '!/^#/ && NF { print $1 }' scripts/debian-packages.txt)
fi

command -v dpkg-query >/dev/null 2>&1 ||
  fail "dpkg-query not found: this script installs Debian packages; install ${wanted[*]} with your package manager, then run npm install"

missing=()
for pkg in "${wanted[@]}"; do
  # "install ok installed" only: a package that was removed but not purged leaves "deinstall ok config-files".
  [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  say "all ${#wanted[@]} Debian packages are installed"
else
  if [[ "$(id -u)" -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    fail "missing Debian packages: ${missing[*]}; run npm run setup as root, or install sudo (as root: apt-get install -y ${missing[*]})"
  fi
  say "installing ${missing[*]}"
  run "${sudo[@]}" apt-get update
  run "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# The lockfile is committed and matches package.json, so this installs exactly it and leaves it unchanged.
run npm install
