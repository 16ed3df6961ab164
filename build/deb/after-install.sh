#!/bin/sh
# Sandpiper deb postinst. electron-builder renders ${executable} and ${sanitizedProductName} before packaging, so
# shell variables here are written $NAME, never with braces. SANDPIPER_DEB_ROOT is empty on a real install; the
# tests point it at a scratch tree to run this script against a fake root.
set -eu

ROOT="${SANDPIPER_DEB_ROOT:-}"
APP_ABS='/opt/${sanitizedProductName}'
APP="$ROOT$APP_ABS"
HELPER="$APP/resources/helper"
LAUNCHER_ABS="$APP_ABS/resources/helper/sandpiper-helper"
ACTIONS="$ROOT/usr/share/polkit-1/actions"
POLICY="$ACTIONS/org.sandpiper.capture.policy"
TEMPLATE="$APP/resources/polkit/org.sandpiper.capture.policy"

fail() { echo "sandpiper: $*" >&2; exit 1; }

# --- what electron-builder's default script does: command on PATH, chrome-sandbox mode ---
if [ -z "$ROOT" ] && command -v update-alternatives >/dev/null 2>&1; then
  if [ -L '/usr/bin/${executable}' ] && [ "$(readlink '/usr/bin/${executable}')" != '/etc/alternatives/${executable}' ]; then
    rm -f '/usr/bin/${executable}'
  fi
  update-alternatives --install '/usr/bin/${executable}' '${executable}' "$APP_ABS/${executable}" 100 \
    || ln -sf "$APP_ABS/${executable}" '/usr/bin/${executable}'
else
  mkdir -p "$ROOT/usr/bin"
  ln -sf "$APP_ABS/${executable}" "$ROOT/usr/bin/${executable}"
fi
if [ -e "$APP/chrome-sandbox" ]; then
  # setuid chrome-sandbox only where unprivileged user namespaces do not work.
  if [ -L /proc/self/ns/user ] && unshare --user true 2>/dev/null; then
    chmod 0755 "$APP/chrome-sandbox" || true
  else
    chmod 4755 "$APP/chrome-sandbox" || true
  fi
fi
if [ -z "$ROOT" ] && command -v apparmor_status >/dev/null 2>&1 && apparmor_status --enabled >/dev/null 2>&1 \
  && [ -f "$APP/resources/apparmor-profile" ] \
  && apparmor_parser --skip-kernel-load --debug "$APP/resources/apparmor-profile" >/dev/null 2>&1; then
  cp -f "$APP/resources/apparmor-profile" '/etc/apparmor.d/${executable}'
  if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; }; then
    apparmor_parser --replace --write-cache --skip-read-cache '/etc/apparmor.d/${executable}' || true
  fi
fi
if [ -z "$ROOT" ]; then
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database /usr/share/applications || true
fi

# --- the capture helper: root-owned, root-writable only, all the way up; then its polkit action ---
[ -d "$HELPER" ] || fail "the capture helper is missing from $HELPER"
[ -f "$TEMPLATE" ] || fail "the polkit action template is missing from $TEMPLATE"
if [ -n "$(find "$HELPER" ! -type f ! -type d)" ]; then
  fail "the capture helper in $HELPER contains links or special files; refusing to install its polkit action"
fi
chown -R root:root "$HELPER"
find "$HELPER" -type d -exec chmod 0755 {} +
find "$HELPER" -type f -exec chmod 0644 {} +
chmod 0755 "$HELPER/sandpiper-helper" "$HELPER/node"
for d in "$APP" "$APP/resources"; do
  chown root:root "$d"
  chmod go-w "$d"
done
# Integrity of the unpacked files against the manifest the helper was built with (dpkg checks the archive; this
# checks what is on disk now, and that no file is missing or extra).
( cd "$HELPER" && sha256sum --quiet --strict -c SHA256SUMS ) >/dev/null 2>&1 \
  || fail "the capture helper in $HELPER does not match its SHA256SUMS; refusing to install its polkit action"
listed=$(sed 's/^[0-9a-fA-F]* [ *]//; s|^\./||' "$HELPER/SHA256SUMS" | sort)
present=$(cd "$HELPER" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | sort)
[ "$listed" = "$present" ] || fail "the capture helper in $HELPER has files not listed in SHA256SUMS"

mkdir -p "$ACTIONS"
tmp="$ACTIONS/.org.sandpiper.capture.policy.$$"
sed "s|@HELPER_LAUNCHER@|$LAUNCHER_ABS|" "$TEMPLATE" > "$tmp"
chown root:root "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$POLICY"
exit 0
