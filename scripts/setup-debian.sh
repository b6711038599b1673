#!/usr/bin/env bash
# Prepares a Debian/Ubuntu machine to build, test and run Gleaner:
#   1. system packages: the Tauri/WebKitGTK build dependencies, plus what the
#      tests and a headless run need (Xvfb, D-Bus, WebDriver, a notification
#      daemon, ImageMagick, poppler-utils, Python venv);
#   2. Rust through rustup, only when cargo is missing;
#   3. the npm packages of the UI (npm ci, or npm install without a lockfile).
# Idempotent and quick on a prepared machine: apt is skipped when every
# package is already installed. Uses sudo unless run as root.
#
# What is installed depends on what the machine is for:
#   scripts/setup-debian.sh          build, run and test (everything above);
#   scripts/setup-debian.sh --run    build and run the app: no test tools;
#   scripts/setup-debian.sh --cli    build the command line only: a C
#                                    compiler and Rust (no WebKit, GTK, npm).
#
# Usage: scripts/setup-debian.sh [--run | --cli]
set -euo pipefail

cd "$(dirname "$0")/.."
mode=${1:-test}
case $mode in
  test | --run | --cli) ;;
  *)
    echo "usage: scripts/setup-debian.sh [--run | --cli]" >&2
    exit 2
    ;;
esac

# Building the desktop app (tauri 2 on Linux).
BUILD_PACKAGES=(
  build-essential
  pkg-config
  libwebkit2gtk-4.1-dev
  libgtk-3-dev
  libayatana-appindicator3-dev
  librsvg2-dev
  libxdo-dev
  libssl-dev
)
# Running the tests and the app without a desktop.
TEST_PACKAGES=(
  xvfb
  xauth
  dbus-x11
  webkit2gtk-driver
  dunst
  imagemagick
  libnotify-bin
  poppler-utils
  python3-venv
  python3-gi
  # The desktop tests' tray host (its systray plugin is a StatusNotifierItem
  # host) and the clicks that open its menu for the screenshot.
  xfce4-panel
  xdotool
  # Closes a window the way a window manager asks (WM_DELETE_WINDOW): the
  # test of a desktop with no tray.
  python3-xlib
)
# Node.js and npm for the UI, only when the machine has none (Debian's own
# package is older than vite wants on some releases: prefer Node >= 20.19).
command -v npm >/dev/null || BUILD_PACKAGES+=(nodejs npm)
case $mode in
  --run) TEST_PACKAGES=() ;;
  # The CLI links SQLite (built from source) and nothing of the desktop.
  --cli)
    BUILD_PACKAGES=(build-essential ca-certificates curl)
    TEST_PACKAGES=()
    ;;
esac

say() { printf 'setup-debian: %s\n' "$*"; }

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null; then
  SUDO=(sudo)
else
  say "not root and sudo is missing: run this script as root" >&2
  exit 1
fi

# --- 1. system packages -------------------------------------------------------
missing=()
for package in "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  say "system packages: all installed"
else
  say "installing ${#missing[@]} system package(s): ${missing[*]}"
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

# --- 2. Rust ------------------------------------------------------------------
# rustup installs into ~/.cargo; a later step in this same shell needs it on PATH.
if [[ -d $HOME/.cargo/bin && :$PATH: != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if command -v cargo >/dev/null; then
  say "rust: $(cargo --version)"
else
  say "cargo is missing: installing Rust with rustup (needs https://sh.rustup.rs)"
  if ! command -v curl >/dev/null; then
    "${SUDO[@]}" apt-get install -y --no-install-recommends curl ca-certificates
  fi
  if curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt; then
    export PATH="$HOME/.cargo/bin:$PATH"
    say "rust: $(cargo --version); open a new shell or run: . \"\$HOME/.cargo/env\""
  else
    say "could not install Rust (offline?): install a Rust toolchain >= 1.91 yourself, then re-run" >&2
    exit 1
  fi
fi

if [[ $mode == --cli ]]; then
  say "done. Build and install the command line with 'scripts/install-cli.sh'."
  exit 0
fi

# --- 3. npm packages ----------------------------------------------------------
if ! command -v npm >/dev/null; then
  say "npm is missing: install Node.js >= 20.19 with npm, then re-run" >&2
  exit 1
fi
if [[ -f package-lock.json ]]; then
  say "npm ci"
  npm ci
else
  say "npm install (no package-lock.json)"
  npm install
fi

say "done. Build the UI with 'npm run ui:build', the app with 'cargo build -p gleaner-desktop'."
