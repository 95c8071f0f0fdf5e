#!/usr/bin/python3
# test-window-atspi.py: read and drive the window as a screen reader would
#
# Copyright 2026 The Chancery developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-window-atspi.py CHANCERY_BINARY
#
# Starts Chancery on the bundled dataset (CHANCERY_DATABASE) with the
# accessibility bus on, then through AT-SPI: every button, check box and
# entry has a name for people (not a class name such as "GtkMenuButton",
# nor "_Open Open"),
# the summary reads "N of N events", typing into "Search events"
# narrows it, each facet is one check box named for the facet, and the
# event list's rows and cells are read by their event (title and date),
# not by class names such as "GtkListItemWidget". Prints TAP.

import os
import re
import subprocess
import sys
import tempfile
import time

# G_DEBUG=fatal-warnings is for Chancery, not for this client: libatspi
# warns about things it then handles (a cache it asks for and falls back from).
APP_G_DEBUG = os.environ.pop('G_DEBUG', None)

import gi  # noqa: E402
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402

CONTROL_ROLES = {'push button', 'toggle button', 'check box', 'entry', 'radio button'}
SUMMARY = re.compile(r'^(\d+) of (\d+) events?$')


def role_and_name(node):
    """(role, name), or (None, None) for an object that went away meanwhile."""
    try:
        return node.get_role_name(), node.get_name() or ''
    except Exception:
        return None, None


def walk(node, depth=0):
    """Every accessible under node (bounded, lists can be long)."""
    if node is None or depth > 60:
        return
    yield node
    try:
        n = node.get_child_count()
    except Exception:
        return
    for i in range(min(n, 200)):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        yield from walk(child, depth + 1)


def find_app(name):
    """The application named name on the desktop, or None for now.

    libatspi caches the desktop's children and can miss an application that
    registers while the cache is filled; the cache is dropped on each try, and
    an application that goes away while it is read is skipped.
    """
    desktop = Atspi.get_desktop(0)
    try:
        desktop.clear_cache()
        n = desktop.get_child_count()
    except Exception:
        return None
    for i in range(n):
        try:
            child = desktop.get_child_at_index(i)
            if child is not None and child.get_name() == name:
                return child
        except Exception:
            continue
    return None


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    return None


def summaries(frame):
    found = []
    for node in walk(frame):
        role, name = role_and_name(node)
        if role == 'label':
            m = SUMMARY.match(name)
            if m:
                found.append((int(m.group(1)), int(m.group(2))))
    return found


def main():
    binary = os.path.abspath(sys.argv[1])
    results = []

    def check(ok, what):
        results.append((bool(ok), what))
        print(('ok' if ok else 'not ok') + ' %d %s' % (len(results), what), flush=True)

    env = dict(os.environ)
    env.pop('NO_AT_BRIDGE', None)
    env['XDG_DATA_HOME'] = tempfile.mkdtemp(prefix='chancery-atspi-')
    env['LC_ALL'] = 'C.UTF-8'
    if APP_G_DEBUG is not None:
        env['G_DEBUG'] = APP_G_DEBUG

    print('1..10', flush=True)
    # Bring up the accessibility bus and its registry before the application
    # starts, so that the application's registration is never lost in a race.
    find_app('')
    proc = subprocess.Popen([binary], env=env)
    try:
        app = wait_for(lambda: find_app('chancery'))
        check(app is not None, 'the application is on the accessibility bus')
        if app is None:
            desktop = Atspi.get_desktop(0)
            names = [role_and_name(desktop.get_child_at_index(i))[1]
                     for i in range(desktop.get_child_count())]
            print('# applications on the bus: %r' % names, flush=True)
            return 1

        def loaded_frame():
            for i in range(app.get_child_count()):
                frame = app.get_child_at_index(i)
                if frame is not None and frame.get_role_name() == 'frame' \
                        and frame.get_name() not in ('', 'Chancery') and summaries(frame):
                    return frame
            return None

        frame = wait_for(loaded_frame)
        check(frame is not None, 'the window is titled with the dataset name and shows a summary')
        if frame is None:
            return 1

        unnamed = []
        for node in walk(frame):
            role, name = role_and_name(node)
            if role in CONTROL_ROLES:
                if name == '' or re.match(r'^(Gtk|Adw|Chancery)[A-Z]', name):
                    unnamed.append('%s %r' % (role, name))
        check(not unnamed, 'every control has a name (%s)' % (', '.join(unnamed) or 'all named'))

        # GTK 4.8 joins a button's own label to the labels that label it:
        # "_Open Open", "Recent Files Recent Files".
        garbled = []
        for node in walk(frame):
            role, name = role_and_name(node)
            if role in CONTROL_ROLES and (re.search(r'(^|\s)_\w', name)
                                          or re.match(r'^(.+) \1$', name)):
                garbled.append('%s %r' % (role, name))
        check(not garbled, 'no control name shows a mnemonic or says itself twice (%s)'
              % (', '.join(garbled) or 'none'))

        # Each facet is one check box (the row; its check button is hidden),
        # named for the facet, with its count as description.
        facets = [node for node in walk(frame) if role_and_name(node)[0] == 'check box']
        per_list = {}
        for node in facets:
            parent = node.get_parent()
            per_list.setdefault(role_and_name(parent), []).append(role_and_name(node)[1])
        doubled = ['%s in %s' % (name, list_name) for (_, list_name), names in per_list.items()
                   for name in set(names) if names.count(name) > 1]
        kinds = per_list.get(('list', 'Kind'), [])
        check(kinds and not doubled
              and all(re.match(r'^\d+ events?$', node.get_description() or '') for node in facets),
              'each facet is one check box with its count (Kind: %s; said twice: %s)'
              % (', '.join(kinds) or 'none', ', '.join(doubled) or 'none'))

        table = next((node for node in walk(frame) if role_and_name(node) == ('table', 'Events')), None)
        rows = [node for node in walk(table) if role_and_name(node)[0] in ('table row', 'list item')] \
            if table is not None else []
        cells = [node for node in walk(table) if role_and_name(node)[0] == 'table cell'] \
            if table is not None else []
        by_class = sorted({'%s %r' % role_and_name(node) for node in rows + cells
                           if re.match(r'^(Gtk|Adw|Chancery)[A-Z]', role_and_name(node)[1])})
        check(len(rows) > 5 and not by_class,
              'the event list\'s rows and cells have names (%s)' % (', '.join(by_class) or 'all named'))
        dated = [role_and_name(node)[1] for node in rows
                 if re.search(r'^.+, .*\b20\d\d\b', role_and_name(node)[1])]
        check(any(name.startswith('Araghchi visits Baku, ') for name in dated)
              and any(', before ' in name for name in dated),
              'an event row reads its title and date (%s)' % (dated[0] if dated else 'none'))

        # A cell cut short is read whole: its label's description has the
        # whole text (it came from the tooltip text before the tooltips were
        # asked for only when shown).
        labels = [node for cell in cells for node in walk(cell)
                  if role_and_name(node)[0] == 'label']
        undescribed = [role_and_name(node)[1] for node in labels
                       if role_and_name(node)[1]
                       and not re.match(r'^(Gtk|Adw|Chancery)[A-Z]', role_and_name(node)[1])
                       and node.get_description() != role_and_name(node)[1]]
        check(len(labels) > 5 and not undescribed,
              'the event list\'s cells describe themselves with their whole text (%s)'
              % (', '.join(undescribed[:3]) or '%d cells' % len(labels)))

        total = summaries(frame)[0][1]
        check(all(n == total for n, _ in summaries(frame)) and total > 0,
              'the summary reads "%d of %d events"' % (total, total))

        entry = next((node for node in walk(frame)
                      if role_and_name(node) == ('entry', 'Search events')), None)
        narrowed = None
        if entry is not None:
            Atspi.EditableText.set_text_contents(entry, 'railway')
            narrowed = wait_for(lambda: [n for n, t in summaries(frame) if 0 < n < t])
        check(narrowed, 'typing “railway” into “Search events” narrows it to %s of %d'
              % (narrowed[0] if narrowed else '?', total))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()

    return 0 if all(ok for ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
