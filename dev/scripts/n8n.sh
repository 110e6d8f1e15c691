#!/usr/bin/env bash
# Puts a pinned n8n on PATH, installing it from the npm registry into a cache folder when it is not
# there yet. Source it after dev/scripts/node24.sh: `. dev/scripts/n8n.sh`. N8N_VERSION picks the
# version (default 2.41.1, the one the package is developed against; 1.123.81 is the tested 1.x), each
# in a folder of its own (n8n-<version>, done once its .installed marker is there). Exports
# N8N_VERSION and N8N_HOME, the install.
#
# n8n's install scripts are skipped (one downloads a Kafka binary, which this network refuses); the
# native modules n8n needs are then built on their own: sqlite3 (below), and for 2.x isolated-vm (its
# expression sandbox, from the prebuilt binary its package carries). n8n 1.x does not load
# isolated-vm by default, and its version (6.x) would not build against Node.js 24. n8n 1.x's nodes depend on an xlsx tarball from cdn.sheetjs.com, outside
# the npm registry: the install takes xlsx 0.18.5 from the registry instead.
export N8N_VERSION="${N8N_VERSION:-2.41.1}"
n8n_cache="${N8N_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-bitrix24-paysystem/n8n-$N8N_VERSION}"
if [ ! -f "$n8n_cache/.installed" ]; then
	echo "Installing n8n $N8N_VERSION from the npm registry into $n8n_cache (a few minutes, once)"
	case "$N8N_VERSION" in
	1.*)
		n8n_manifest='{"name":"n8n-runtime","private":true,"overrides":{"xlsx":"0.18.5"}}'
		n8n_native=''
		;;
	*)
		n8n_manifest='{"name":"n8n-runtime","private":true}'
		n8n_native='isolated-vm'
		;;
	esac
	mkdir -p "$n8n_cache"
	printf '%s\n' "$n8n_manifest" >"$n8n_cache/package.json"
	# sqlite3 builds from source (its prebuilt binaries are not on the registry): a minute or more of
	# CPU. It is an N-API module, one build for every Node.js, and both n8n lines use the same version:
	# the first line to get there builds it and keeps it beside the installs (sqlite3-<version>.node),
	# holding a lock meanwhile, and a line installing at the same time waits for it and copies it.
	(
		cd "$n8n_cache" &&
			npm install --ignore-scripts --no-audit --no-fund --loglevel=error --yes=true "n8n@$N8N_VERSION" >/dev/null &&
			sqlite3_build="$(dirname "$n8n_cache")/sqlite3-$(node -p "require('./node_modules/sqlite3/package.json').version").node" &&
			(
				flock 9 &&
					if [ -f "$sqlite3_build" ]; then
						mkdir -p node_modules/sqlite3/build/Release &&
							cp "$sqlite3_build" node_modules/sqlite3/build/Release/node_sqlite3.node
					else
						npm rebuild --loglevel=error sqlite3 >/dev/null &&
							cp node_modules/sqlite3/build/Release/node_sqlite3.node "$sqlite3_build.$$" &&
							mv "$sqlite3_build.$$" "$sqlite3_build"
					fi
			) 9>"$sqlite3_build.lock" &&
			if [ -n "$n8n_native" ]; then
				# shellcheck disable=SC2086 # one word per module
				npm rebuild --loglevel=error $n8n_native >/dev/null
			fi
	) || {
		echo "n8n $N8N_VERSION could not be installed into $n8n_cache" >&2
		return 1 2>/dev/null || exit 1
	}
	touch "$n8n_cache/.installed"
fi
export N8N_HOME="$n8n_cache"
export PATH="$n8n_cache/node_modules/.bin:$PATH"
