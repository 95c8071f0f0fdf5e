#!/bin/sh
# check-install.sh: `meson install` into a prefix gives a working Chancery
#
# Copyright 2026 The Chancery developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   check-install.sh SOURCE_ROOT
#
# Configures a second build of SOURCE_ROOT with --prefix in a scratch
# directory, installs it, removes the build directory (so that nothing can be
# found there) and checks the installed tree: the binary, the bundled
# dataset, the compiled GSettings schema, the fa/az/ru catalogues, the desktop
# file, metainfo and icons; that `chancery list` lists the 22 bundled events
# without a display; and that a bad --kind is refused in Russian when the
# ru_RU.UTF-8 locale exists and the message is translated, in English
# otherwise. Prints TAP.
set -u

src=$(cd "$1" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chancery-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
app_id=io.github.chancery.Chancery
n=0
failed=0

check () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi
}

exists () {
  [ -f "$prefix/$1" ]; check $? "installs $1"
}

echo "1..16"
# The nested build is the toolchain's business: meson test's MALLOC_PERTURB_
# (meant for the program under test) and the caller's language stay out of it.
unset MALLOC_PERTURB_
LC_ALL=C.UTF-8 meson setup "$tmp/build" "$src" --prefix="$prefix" -Dgui_tests=false </dev/null >"$tmp/setup.log" 2>&1 &&
  LC_ALL=C.UTF-8 meson install -C "$tmp/build" </dev/null >"$tmp/install.log" 2>&1
status=$?
[ $status = 0 ] || tail -n 30 "$tmp/setup.log" "$tmp/install.log" | sed 's/^/# /'
check $status "meson install into $prefix"
rm -rf "$tmp/build"

exists bin/chancery
exists share/chancery/chancery.db
exists share/glib-2.0/schemas/$app_id.gschema.xml
# meson's post-install step compiles the schemas; when it could not, do it
# as a packager would, and check the result.
[ -f "$prefix/share/glib-2.0/schemas/gschemas.compiled" ] ||
  glib-compile-schemas "$prefix/share/glib-2.0/schemas"
exists share/glib-2.0/schemas/gschemas.compiled
for lang in fa az ru; do
  exists share/locale/$lang/LC_MESSAGES/chancery.mo
done
exists share/applications/$app_id.desktop
exists share/metainfo/$app_id.metainfo.xml
exists share/icons/hicolor/scalable/apps/$app_id.svg
exists share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg

GSETTINGS_SCHEMA_DIR="$prefix/share/glib-2.0/schemas" \
  gsettings list-keys $app_id >/dev/null 2>&1
check $? "the installed schema is readable by gsettings"

# The CLI needs no display and finds the installed dataset by itself.
out=$(env -u CHANCERY_DATABASE -u MESON_DEVENV -u DISPLAY -u WAYLAND_DISPLAY "$prefix/bin/chancery" list 2>"$tmp/err")
status=$?
count=$(printf '%s\n' "$out" | grep -c .)
[ $status = 0 ] && [ "$count" = 22 ]
check $? "chancery list prints the 22 bundled events (exit $status, $count lines)"
[ $status = 0 ] || sed 's/^/# /' "$tmp/err"

# A bad option value: one clear line on stderr, exit 2, in the user's language.
err=$(env -u CHANCERY_DATABASE -u MESON_DEVENV LC_ALL= LANGUAGE=ru LANG=ru_RU.UTF-8 \
  "$prefix/bin/chancery" list --kind bogus 2>&1 >/dev/null)
status=$?
echo "# ru: $err"
[ $status = 2 ] && [ "$(printf '%s\n' "$err" | grep -c .)" = 1 ]
check $? "a bad --kind exits 2 with one line"

english="Unknown kind “bogus”"
russian=$(LANGUAGE=ru LC_ALL=ru_RU.UTF-8 TEXTDOMAINDIR="$prefix/share/locale" \
  gettext chancery "Unknown kind “%s”; expected one of visit, meeting, talks, press-conference, agreement, statement, milestone, summit, incident, election, other" 2>/dev/null)
if locale -a 2>/dev/null | grep -qix 'ru_RU.utf-\?8' &&
   [ -n "$russian" ] && [ "${russian#Unknown kind}" = "$russian" ]; then
  case "$err" in
    *"$english"*) check 1 "the error is in Russian";;
    *bogus*) check 0 "the error is in Russian";;
    *) check 1 "the error is in Russian";;
  esac
else
  echo "# ru_RU.UTF-8 missing or the message not yet translated: expecting English"
  case "$err" in
    *"$english"*) check 0 "the error is in English (no Russian translation or locale yet)";;
    *) check 1 "the error is in English (no Russian translation or locale yet)";;
  esac
fi

exit $failed
