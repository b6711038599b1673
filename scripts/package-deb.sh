#!/usr/bin/env bash
# Builds Gleaner's Debian package: the tray app (/usr/bin/gleaner-desktop,
# its desktop entry and icons) and the `gleaner` command line
# (/usr/bin/gleaner) in one .deb.
#
# The CLI is a separate binary of the workspace, so it is built first, in
# release, and staged where tauri.conf.json's bundle.linux.deb.files expects
# it (target/deb-cli/gleaner); then `tauri build --bundles deb` builds the UI,
# the app in release, and the package. Slow (a full release build): not part
# of CI. Prints the package's path and checks its contents with dpkg -c.
#
# Usage: scripts/package-deb.sh   (after scripts/setup-debian.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d $HOME/.cargo/bin ]] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/gleaner-target}

cargo build --release -p gleaner-cli --bin gleaner
mkdir -p target/deb-cli
install -m 0755 "$CARGO_TARGET_DIR/release/gleaner" target/deb-cli/gleaner

npx --no-install tauri build --bundles deb

deb=$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb | head -n 1)
contents=$(dpkg -c "$deb")
for wanted in usr/bin/gleaner usr/bin/gleaner-desktop usr/share/applications/Gleaner.desktop; do
  # dpkg -c prints paths with or without a leading "./", depending on the builder.
  grep -Eq " (\./)?$wanted\$" <<<"$contents" || { echo "package-deb: $deb lacks /$wanted" >&2; exit 1; }
done
echo "package-deb: $deb"
