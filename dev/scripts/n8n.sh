#!/usr/bin/env bash
# Puts a pinned n8n 2.x on PATH, installing it from the npm registry into a cache folder when it is
# not there yet. Source it after dev/scripts/node24.sh: `. dev/scripts/n8n.sh`. Sets N8N_HOME to the
# install.
#
# n8n's install scripts are skipped (one downloads a Kafka binary, which this network refuses); the
# two native modules n8n needs are then built on their own.
N8N_VERSION="${N8N_VERSION:-2.41.1}"
n8n_cache="${N8N_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-bitrix24-paysystem/n8n-$N8N_VERSION}"
if [ ! -f "$n8n_cache/.installed" ]; then
	echo "Installing n8n $N8N_VERSION from the npm registry into $n8n_cache (a few minutes, once)"
	mkdir -p "$n8n_cache"
	printf '{"name":"n8n-runtime","private":true}\n' >"$n8n_cache/package.json"
	(
		cd "$n8n_cache" &&
			npm install --ignore-scripts --no-audit --no-fund --loglevel=error --yes=true "n8n@$N8N_VERSION" >/dev/null &&
			npm rebuild --loglevel=error sqlite3 isolated-vm >/dev/null
	) || {
		echo "n8n $N8N_VERSION could not be installed into $n8n_cache" >&2
		return 1 2>/dev/null || exit 1
	}
	touch "$n8n_cache/.installed"
fi
export N8N_HOME="$n8n_cache"
export PATH="$n8n_cache/node_modules/.bin:$PATH"
