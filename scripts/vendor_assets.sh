#!/usr/bin/env bash
# Re-vendor the map's front-end assets from the npm registry (pinned), each with its licence.
# Output: locator/maps/vendor/<package>@<version>/ — committed, served by us, never from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=locator/maps/vendor
PACKAGES=(leaflet@1.9.4 supercluster@8.0.1 leaflet.fullscreen@3.0.2)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$DEST"
for spec in "${PACKAGES[@]}"; do
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  name=${spec%@*}
  mkdir -p "$tmp/$name" "$DEST/$spec"
  tar -xzf "$tmp/${name}-${spec##*@}.tgz" -C "$tmp/$name"
  pkg="$tmp/$name/package"
  find "$pkg" -maxdepth 1 -iname "*licen[cs]e*" -exec cp {} "$DEST/$spec/" \;
  ls "$DEST/$spec" | grep -qi licen || { echo "no licence file in $spec" >&2; exit 1; }
  case "$name" in
    leaflet)
      cp "$pkg/dist/leaflet.js" "$pkg/dist/leaflet.css" "$DEST/$spec/"
      cp -r "$pkg/dist/images" "$DEST/$spec/" ;;
    supercluster)
      cp "$pkg/dist/supercluster.min.js" "$DEST/$spec/" ;;
    leaflet.fullscreen)
      cp "$pkg/Control.FullScreen.js" "$pkg/Control.FullScreen.css" "$DEST/$spec/"
      cp "$pkg"/icon-fullscreen*.svg "$DEST/$spec/" 2>/dev/null || cp "$pkg"/*.png "$DEST/$spec/" 2>/dev/null || true ;;
  esac
done
find "$DEST" -type f | sort | xargs sha256sum > "$DEST/SHA256SUMS"
echo "vendored into $DEST:"; du -sh "$DEST"/*
