#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3 on Node 20) under .code-server/,
# the way its postinstall would, but with the steps that need network beyond the
# npm registry done by hand. Idempotent: a finished install is left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=4.100.3
ROOT="$PWD/.code-server"
DIR="$ROOT/code-server-$VERSION"
STAMP="$DIR/.capsule-setup-done"

if [[ -f "$STAMP" ]]; then
  echo "setup: code-server $VERSION already installed in $DIR"
  exit 0
fi

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v rg >/dev/null || need_apt+=(ripgrep)
[[ -e /usr/include/krb5.h || -e /usr/include/gssapi/gssapi.h ]] || need_apt+=(libkrb5-dev)
if (( ${#need_apt[@]} )); then
  echo "setup: apt-get install ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

started=$(date +%s)
mkdir -p "$ROOT"
rm -rf "$DIR"
tarball=$(cd "$ROOT" && npm pack "code-server@$VERSION" --silent | tail -n1)
mkdir -p "$DIR"
tar -xzf "$ROOT/$tarball" -C "$DIR" --strip-components=1
rm -f "$ROOT/$tarball"

export npm_config_yes=true npm_config_unsafe_perm=true npm_config_audit=false npm_config_fund=false
cd "$DIR"
echo "setup: npm install (code-server)"
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
# What postinstall.sh does: install the VS Code dependencies, then build natives.
echo "setup: npm install (lib/vscode)"
(cd lib/vscode && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "setup: npm install (lib/vscode/extensions)"
(cd lib/vscode/extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
# The symlinks postinstall.sh makes.
(cd lib/vscode && rm -rf node_modules.asar && ln -s node_modules node_modules.asar)
(cd lib/vscode/bin/remote-cli && rm -f code-server && ln -s code-linux.sh code-server)
(cd lib/vscode/bin/helpers && rm -f browser.sh && ln -s browser-linux.sh browser.sh)
# @vscode/ripgrep downloads its binary in its postinstall: use Debian's instead.
find "$DIR" -type d -path '*node_modules/@vscode/ripgrep' -prune | while read -r d; do
  mkdir -p "$d/bin" && cp /usr/bin/rg "$d/bin/rg"
done
# Rebuild every native module (node-gyp, against the Node headers npm is set to).
rebuild_natives() {
  local names
  names=$(find node_modules -name binding.gyp -not -path '*/node_modules/*/node_modules/*' \
    | sed -E 's#^node_modules/((@[^/]+/)?[^/]+)/.*#\1#' | sort -u | tr '\n' ' ')
  if [[ -n "$names" ]]; then
    echo "setup: rebuild in $PWD: $names"
    # shellcheck disable=SC2086
    npm rebuild $names --loglevel=error
  fi
}
rebuild_natives
(cd lib/vscode && rebuild_natives)
touch "$STAMP"
echo "setup: code-server $VERSION ready in $DIR ($(( $(date +%s) - started )) s, $(du -sh "$DIR" | cut -f1))"
