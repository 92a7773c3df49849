#!/usr/bin/env bash
# Builds Mixpeek's search widget (../shared/clients/mixpeek-searchkit, read-only there) in a copy
# under target/searchkit (npm ci from its own package-lock.json, npm run build), then the test page
# of src/test/searchkit with the widget's own vite and react, into target/searchkit/page/dist (and
# embed.html, a page with no build step, beside the widget's UMD build and React's UMD files):
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
# embed.html uses no bundler: the widget's UMD build and React's UMD files beside it.
mkdir -p "$work/page/dist/umd"
cp src/test/searchkit/embed.html "$work/page/dist/"
cp "$work/dist/searchkit.umd.js" "$work/dist/style.css" "$work/node_modules/react/umd/react.production.min.js" \
   "$work/node_modules/react-dom/umd/react-dom.production.min.js" "$work/page/dist/umd/"
echo "$stamp" > "$work/.stamp"
