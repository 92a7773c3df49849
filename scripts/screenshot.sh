#!/usr/bin/env bash
# Rewrites docs/search-page.png, the README's picture of the search page, from SearchPageTest's
# products in headless Chromium (needs chromium and chromium-driver, as ./loupe test installs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk.sh
mvn -B -q verify -Dtest='SearchPageTest#writesTheReadmeScreenshot' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dloupe.screenshot="$PWD/docs/search-page.png" "$@"
echo "wrote docs/search-page.png"
