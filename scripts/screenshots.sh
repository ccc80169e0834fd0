#!/bin/sh
# Renders the demo site's pages with headless Chromium (Debian package `chromium`) to PNG screenshots.
#
# usage: scripts/screenshots.sh [OUT_DIR]      default OUT_DIR: /tmp/grantledger-screens
# Builds grant-ledger, rebuilds the demo ledger in OUT_DIR/ledger, publishes the site in OUT_DIR/site (with the
# demo's fictitious SIRETs, ledger/identifiants-scdl.csv), checks the pages with tidy when it is installed, then writes
# OUT_DIR/png/<page>.png for every page at desktop width (1280 px), and the overview, the projects list and a
# decision page at phone width (375 px) too (`*-mobile.png`).
set -eu
out=${1:-/tmp/grantledger-screens}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
swift build --product grant-ledger >/dev/null
bin=$root/.build/debug/grant-ledger
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "screenshots.sh: no Chromium found; install the Debian package chromium" >&2; exit 2; }

mkdir -p "$out"
"$bin" demo --out "$out/ledger" >/dev/null
"$bin" publish --ledger "$out/ledger" --out "$out/site"

if command -v tidy >/dev/null; then
    find "$out/site" -name '*.html' | sort | while read -r page; do
        tidy -errors -q -xml "$page" >/dev/null 2>"$out/tidy.log" || { echo "tidy: $page" >&2; cat "$out/tidy.log" >&2; exit 1; }
    done
fi

rm -rf "$out/png" && mkdir -p "$out/png"
shoot() { # page width height name
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
        --user-data-dir="$out/chromium-profile" --window-size="$2,$3" --screenshot="$out/png/$4.png" \
        "file://$out/site/$1" >/dev/null 2>&1
}
find "$out/site" -name '*.html' | sort | while read -r page; do
    rel=${page#"$out/site/"}
    shoot "$rel" 1280 2400 "$(echo "$rel" | sed 's/\.html$//; s#/#-#g')"
done
decision=$(cd "$out/site" && ls decisions/*.html | head -n 1)
shoot index.html 375 5000 index-mobile
shoot projets.html 375 3000 projets-mobile
shoot "$decision" 375 4000 decision-mobile
shoot "$decision" 1280 2400 decision
shoot index.html 1280 7000 index-full
ls "$out/png"
