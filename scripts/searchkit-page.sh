#!/usr/bin/env bash
# Builds Mixpeek's search widget (../shared/clients/mixpeek-searchkit, read-only there) in a copy
# under target/searchkit (npm ci from its own package-lock.json, npm run build), then the test page
# of src/test/searchkit with the widget's own vite and react, into target/searchkit/page/dist:
# the page PublishedWidgetBrowserTest serves on another origin. Rebuilt when the widget's sources
# or the page's change (a SHA-256 over both).
set -euo pipefail
cd "$(dirname "$0")/.."
widget=../shared/clients/mixpeek-searchkit
work=target/searchkit
[ -f "$widget/package.json" ] || { echo "searchkit-page: $widget is missing" >&2; exit 1; }
command -v npm >/dev/null || { echo "searchkit-page: node and npm are needed (apt-get install nodejs npm)" >&2; exit 1; }
stamp=$( (cd "$widget" && find . -path ./node_modules -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum; \
          cd - >/dev/null; sha256sum src/test/searchkit/* scripts/searchkit-page.sh) | sha256sum | cut -d' ' -f1)
if [ -f "$work/page/dist/index.html" ] && [ "$(cat "$work/.stamp" 2>/dev/null)" = "$stamp" ]; then exit 0; fi
echo "searchkit-page: building Mixpeek's search widget and the test page in $work..." >&2
rm -rf "$work"
mkdir -p "$work"
(cd "$widget" && tar --exclude=./node_modules --exclude=./dist -cf - .) | (cd "$work" && tar -xf -)
chmod -R u+w "$work"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error >&2 && npm run build --silent >&2)
mkdir -p "$work/page"
cp src/test/searchkit/* "$work/page/"
(cd "$work" && npx --no-install vite build --config page/vite.config.mjs >&2)
echo "$stamp" > "$work/.stamp"
