#!/usr/bin/env bash
# Stops a release whose tag is not the version in package.json, or whose version has no section in
# CHANGELOG.md: what npm receives must be what the tag names and what the changelog describes.
# Usage: check-release-tag.sh TAG [PACKAGE_DIR]   (PACKAGE_DIR defaults to the current folder)
set -euo pipefail

tag="${1:-}"
dir="${2:-.}"
if [ -z "$tag" ]; then
	echo "Usage: check-release-tag.sh TAG [PACKAGE_DIR]" >&2
	exit 2
fi

if [ ! -f "$dir/package.json" ]; then
	echo "No package.json in $dir." >&2
	exit 1
fi
version="$(node -p 'require(require("node:path").resolve(process.argv[1], "package.json")).version' "$dir")"
if [ "$tag" != "$version" ]; then
	echo "Tag $tag does not match the version in package.json ($version). Tag the commit as $version." >&2
	exit 1
fi

# A Keep a Changelog heading: "## [1.0.0] - 2026-11-28". The closing bracket keeps 1.0.0 from
# matching 1.0.0-rc.1.
if ! awk -v heading="## [$version]" 'index($0, heading) == 1 { found = 1 } END { exit !found }' "$dir/CHANGELOG.md" 2>/dev/null; then
	echo "CHANGELOG.md has no section for $version. Add a \"## [$version] - YYYY-MM-DD\" heading." >&2
	exit 1
fi

echo "Tag $tag matches package.json and has a CHANGELOG.md section."
