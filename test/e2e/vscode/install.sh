#!/bin/sh
# Install the end-to-end host: code-server 4.100.3 (VS Code 1.100.3, the newest on Node 20) and playwright-core,
# into test/e2e/vscode/host/node_modules, plus Debian's chromium, ripgrep and libkrb5-dev (a header for
# code-server's kerberos module). Idempotent: a second run with everything in place is quick.
# Recipe: ../shared/E2E.md (code-server's @vscode/ripgrep would download rg from GitHub; we seed its cache
# with Debian's rg, the same upstream 13.0.0).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
HOST="$HERE/host"
need=""
for b in chromium rg; do command -v "$b" >/dev/null 2>&1 || need="$need $b"; done
[ -e /usr/include/gssapi/gssapi.h ] || need="$need libkrb5-dev"
if [ -n "$need" ]; then
  pkgs=$(echo "$need" | sed 's/\brg\b/ripgrep/')
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs
fi
if [ -x "$HOST/node_modules/.bin/code-server" ] && [ -d "$HOST/node_modules/playwright-core" ]; then exit 0; fi
RG_PKG_VERSION=1.15.11   # @vscode/ripgrep pinned by code-server 4.100.3
RG_TAG=v13.0.0-10
TMPD=$(node -p 'require("os").tmpdir()')
CACHE="$TMPD/vscode-ripgrep-cache-$RG_PKG_VERSION"
mkdir -p "$CACHE"
if [ ! -f "$CACHE/ripgrep-$RG_TAG-x86_64-unknown-linux-musl.tar.gz" ]; then
  STAGE=$(mktemp -d)
  cp "$(command -v rg)" "$STAGE/rg"
  tar czf "$CACHE/ripgrep-$RG_TAG-x86_64-unknown-linux-musl.tar.gz" -C "$STAGE" rg
  rm -rf "$STAGE"
fi
cd "$HOST"
# unsafe_perm: code-server's postinstall refuses root without it; yes: node-pty runs `npx node-gyp`
if [ -f package-lock.json ]; then cmd=ci; else cmd=install; fi
npm_config_unsafe_perm=true npm_config_yes=true npm $cmd --no-audit --no-fund
XDG_CONFIG_HOME="$TMPD/lockscope-e2e-xdg" XDG_DATA_HOME="$TMPD/lockscope-e2e-xdg" "$HOST/node_modules/.bin/code-server" --version
