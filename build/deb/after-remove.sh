#!/bin/sh
# Sandpiper deb postrm (rendered by electron-builder like after-install.sh). dpkg removes the package's own files;
# this removes what after-install created outside the package. SANDPIPER_DEB_ROOT: see after-install.sh.
set -eu

ROOT="${SANDPIPER_DEB_ROOT:-}"
APP_ABS='/opt/${sanitizedProductName}'
LAUNCHER_ABS="$APP_ABS/resources/helper/sandpiper-helper"
POLICY="$ROOT/usr/share/polkit-1/actions/org.sandpiper.capture.policy"

case "${1:-remove}" in
  upgrade | failed-upgrade | abort-install | abort-upgrade | disappear) exit 0 ;;
esac

if [ -z "$ROOT" ] && command -v update-alternatives >/dev/null 2>&1; then
  update-alternatives --remove '${executable}' "$APP_ABS/${executable}" || true
else
  rm -f "$ROOT/usr/bin/${executable}"
fi
if [ -z "$ROOT" ] && [ -f '/etc/apparmor.d/${executable}' ]; then
  if command -v apparmor_parser >/dev/null 2>&1 && ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; }; then
    apparmor_parser --remove '/etc/apparmor.d/${executable}' || true
  fi
  rm -f '/etc/apparmor.d/${executable}'
fi

# Only our policy: one written by `sandpiper helper install` (pointing at /usr/local/lib/sandpiper) stays.
if [ -f "$POLICY" ] && grep -qF ">$LAUNCHER_ABS<" "$POLICY"; then
  rm -f "$POLICY"
fi
exit 0
