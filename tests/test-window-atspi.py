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
# not by class names such as "GtkListItemWidget". With xdotool, it also
# presses keys as a keyboard user: every Tab stop has a name, and the
# dialogs (shortcuts, import error, GDELT options, export) read each
# control once, by name; Enter in the GDELT options imports. Prints TAP.

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# G_DEBUG=fatal-warnings is for Chancery, not for this client: libatspi
# warns about things it then handles (a cache it asks for and falls back from).
APP_G_DEBUG = os.environ.pop('G_DEBUG', None)

import gi  # noqa: E402
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib  # noqa: E402

CONTROL_ROLES = {'push button', 'toggle button', 'check box', 'entry', 'radio button'}
SUMMARY = re.compile(r'^(\d+) of (\d+) events?$')
CLASS_NAME = re.compile(r'^(Gtk|Adw|Chancery)[A-Z]')
# Roles a screen reader announces on the way through (fillers and panels
# are layout, never read).
ANNOUNCED_ROLES = CONTROL_ROLES | {'text', 'list', 'list item', 'image', 'frame', 'dialog',
                                   'table', 'table cell', 'scroll pane', 'label'}
TESTS_DIR = os.path.dirname(os.path.abspath(__file__))


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


def badly_named(node):
    """What is wrong with how node reads, or None: a control without a name,
    a name that is a class name, shows a mnemonic or says itself twice."""
    role, name = role_and_name(node)
    if role is None:
        return None
    if role in ANNOUNCED_ROLES and CLASS_NAME.match(name):
        return '%s %r' % (role, name)
    if role in CONTROL_ROLES | {'text'} and (name == '' or re.search(r'(^|\s)_\w', name)
                                             or re.match(r'^(.+) \1$', name)):
        return '%s %r' % (role, name)
    return None


class Keyboard:
    """Real key presses into the window (xdotool), and where the focus goes."""

    def __init__(self, pid):
        self.pid = pid
        self.focused = []
        self.listener = Atspi.EventListener.new(self._on_focus)
        self.listener.register('object:state-changed:focused')

    def _on_focus(self, event):
        if event.detail1:
            self.focused.append(event.source)

    def pump(self, seconds=0.3):
        deadline = time.monotonic() + seconds
        context = GLib.MainContext.default()
        while time.monotonic() < deadline:
            while context.iteration(False):
                pass
            time.sleep(0.02)

    def focus_window(self, title=None):
        """Gives the keyboard to the main window, or to the window titled
        title (there is no window manager to do it)."""
        search = ['--name', '^%s$' % re.escape(title)] if title else ['--pid', str(self.pid)]
        out = subprocess.run(['xdotool', 'search', '--onlyvisible'] + search,
                             capture_output=True, text=True, timeout=20).stdout.split()
        if out:
            subprocess.run(['xdotool', 'windowactivate', '--sync', out[-1]], capture_output=True)
            subprocess.run(['xdotool', 'windowfocus', '--sync', out[-1]], capture_output=True)

    def press(self, *keys):
        subprocess.run(['xdotool', 'key', '--delay', '50'] + list(keys), check=True)
        self.pump()

    def type(self, text):
        subprocess.run(['xdotool', 'type', '--delay', '20', text], check=True)
        self.pump()

    def focus(self):
        """The accessible that last took the focus, or None."""
        self.pump(0.1)
        return self.focused[-1] if self.focused else None


def find(root, role, name=None):
    return next((node for node in walk(root)
                 if role_and_name(node)[0] == role and (name is None or role_and_name(node)[1] == name)),
                None)


def windows(app):
    """The application's windows (frames and dialogs), by name."""
    found = {}
    try:
        for i in range(app.get_child_count()):
            child = app.get_child_at_index(i)
            role, name = role_and_name(child)
            # GTK 4.8 gives a file chooser dialog the role "filler".
            if role in ('frame', 'dialog', 'file chooser', 'filler'):
                found[name] = child
    except Exception:
        pass
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

    print('1..%d' % (12 + 8), flush=True)
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

        # The rows GTK had built take the events left (the list keeps its
        # row widgets across a filter change): each reads its own title
        # and date, there is one per event, and they are the events that
        # `chancery list --search` gives for the same words.
        listed = subprocess.run([binary, 'list', '--database', env['CHANCERY_DATABASE'],
                                 '--search', 'railway'], env=env, capture_output=True,
                                text=True, check=True).stdout.splitlines()
        expected = sorted('%s, %s' % (line.split('\t')[2], line.split('\t')[0]) for line in listed)

        def rows_agree():
            read = []
            for node in walk(table):
                if role_and_name(node)[0] not in ('table row', 'list item'):
                    continue
                cells = [role_and_name(node.get_child_at_index(i))
                         for i in range(node.get_child_count())]
                texts = [name for role, name in cells if role == 'table cell']
                if len(texts) >= 2:
                    read.append((role_and_name(node)[1], '%s, %s' % (texts[1], texts[0])))
            if (narrowed and len(read) == narrowed[0] and all(a == b for a, b in read)
                    and sorted(a for a, _ in read) == expected):
                return read
            return None
        agreed = wait_for(rows_agree, timeout=10) if table is not None else None
        if not agreed and table is not None:
            for node in walk(table):
                if role_and_name(node)[0] in ('table row', 'list item'):
                    print('# row %r: %r' % (role_and_name(node),
                                            [role_and_name(node.get_child_at_index(i))
                                             for i in range(node.get_child_count())]))
        check(agreed, 'after the search, each of the %s rows reads its own title and date, '
              'the events the CLI lists (%s)'
              % (narrowed[0] if narrowed else '?', agreed[0][0] if agreed else
                 'they do not; expected %s' % '; '.join(expected)))

        # With a filter on, the window shows its chip ("Remove filter
        # Text: railway"): nothing on screen reads as a class name (a chip's
        # cell in the flow box that held the chips read "GtkFlowBoxChild",
        # its cross "GtkImage"; the chips' box, ChanceryWrapBox, is a group
        # named "Active filters" with the chips as its children).
        def chips_shown():
            return next((node for node in walk(frame)
                         if role_and_name(node)[1].startswith('Remove filter')), None)
        chip = wait_for(chips_shown, timeout=10)
        def where(node):
            path = []
            while node is not None and node != frame and len(path) < 8:
                path.append('%s %r' % role_and_name(node))
                node = node.get_parent()
            return ' < '.join(path)
        misread = sorted({where(node) for node in walk(frame) if badly_named(node)})
        check(chip is not None and not misread,
              'with a filter chip shown, nothing reads as a class name (%s)'
              % (', '.join(misread) or role_and_name(chip)[1] if chip is not None else 'no chip'))

        keyboard_checks(app, frame, entry, proc.pid, check, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()

    return 0 if all(ok for ok, _ in results) else 1


def keyboard_checks(app, frame, entry, pid, check, env):
    n_checks = 8
    if shutil.which('xdotool') is None or entry is None:
        for i in range(n_checks):
            check(True, '# SKIP xdotool is not installed (or no search entry): keys not tested')
        return
    keyboard = Keyboard(pid)
    keyboard.focus_window()
    scratch = env['XDG_DATA_HOME']

    def tab_round(what):
        """Tabs from the search field once round the window: every stop
        must have a name a person can understand."""
        keyboard.press('ctrl+f')
        unnamed, stops = [], []
        for _ in range(60):
            keyboard.press('Tab')
            node = keyboard.focus()
            role, name = role_and_name(node)
            if role == 'entry' and name == 'Search events':
                break
            stops.append('%s %r' % (role, name))
            if role is not None and (name == '' or CLASS_NAME.match(name)):
                unnamed.append('%s %r' % (role, name))
        print('# %s: %s' % (what, ', '.join(stops)), flush=True)
        check(stops and not unnamed, 'every Tab stop has a name, %s (%s)'
              % (what, ', '.join(unnamed) or '%d stops' % len(stops)))

    # No event selected: the empty detail page is no Tab stop.
    Atspi.EditableText.set_text_contents(entry, 'Baku')
    keyboard.pump(1.0)
    tab_round('with filter chips and no event selected')

    # An event selected (Enter on the first in the list): its countries
    # are chips.
    keyboard.press('ctrl+f')
    row = None
    for _ in range(40):
        keyboard.press('Tab')
        if role_and_name(keyboard.focus())[0] in ('table row', 'table cell', 'list item'):
            row = keyboard.focus()
            keyboard.press('Return')
            keyboard.pump(1.0)
            break
    tab_round('with an event selected')

    # The detail pane's date reads as words; the EDTF text it was written
    # as ("../2025-12-07") is for the eye, in a tooltip, not read aloud.
    edtf = re.compile(r'^(\.\./)?\d{4}(-\d{2}){0,2}[~?%]?(/(\.\.|\d{4}(-\d{2}){0,2}[~?%]?))?$')
    raw = sorted({'%r: %r' % (role_and_name(n)[1], n.get_description())
                  for n in walk(frame) if edtf.match(n.get_description() or '')})
    check(row is not None and not raw,
          'no description is a raw EDTF date (%s)' % (', '.join(raw) or 'an event selected'))

    def dialog_checks(name, predicate, timeout=20):
        dialog = wait_for(lambda: next((w for n, w in windows(app).items() if predicate(n)), None),
                          timeout)
        if dialog is None:
            check(False, '%s: the dialog opens (windows: %r)' % (name, list(windows(app))))
            return None
        keyboard.pump(0.5)
        bad = sorted({b for b in map(badly_named, walk(dialog)) if b is not None})
        controls = [role_and_name(n)[1] for n in walk(dialog) if role_and_name(n)[0] in CONTROL_ROLES]
        check(controls and not bad and not CLASS_NAME.match(role_and_name(dialog)[1]),
              '%s reads each control once, by name (%s)'
              % (name, ', '.join(bad) or ', '.join(sorted(set(controls)))))
        return dialog

    def dialog_closed(predicate):
        return wait_for(lambda: not any(predicate(n) for n in windows(app)), 10)

    keyboard.focus_window()
    keyboard.press('ctrl+question')
    is_shortcuts = lambda n: n not in (role_and_name(frame)[1], '')  # noqa: E731
    # Only the window's name: what is inside is GTK's own making.
    shortcuts = wait_for(lambda: next((w for n, w in windows(app).items() if is_shortcuts(n)), None), 20)
    check(shortcuts is not None and not CLASS_NAME.match(role_and_name(shortcuts)[1]),
          'the shortcuts window has a name (%r)' % (role_and_name(shortcuts),))
    if shortcuts is not None:
        keyboard.focus_window(role_and_name(shortcuts)[1])
        keyboard.press('Escape')
        dialog_closed(is_shortcuts)

    def pick_in_chooser(path):
        keyboard.focus_window()
        keyboard.press('ctrl+i')
        wait_for(lambda: 'Import Events' in windows(app), 20)
        keyboard.pump(1.0)
        keyboard.type(path)
        keyboard.pump(0.5)
        keyboard.press('Return')

    broken = os.path.join(scratch, 'broken.json')
    with open(broken, 'w') as f:
        f.write('{ "format": "chancery", "version": 1, "events": [ {"id": ')
    pick_in_chooser(broken)
    is_error = lambda n: n.startswith('Could Not Import')  # noqa: E731
    if dialog_checks('the “Could Not Import” dialog', is_error) is not None:
        keyboard.focus_window(next(n for n in windows(app) if is_error(n)))
        keyboard.press('Escape')
        dialog_closed(is_error)

    gdelt = os.path.join(TESTS_DIR, 'fixtures', 'gdelt', '20170701234500.export.sample.tsv')
    pick_in_chooser(gdelt)
    is_options = lambda n: n == 'Import GDELT Events'  # noqa: E731
    options = dialog_checks('the GDELT options dialog', is_options)
    imported = None
    if options is not None:
        # The focus starts in the first field, Countries.
        countries = find(options, 'text', 'Countries')
        keyboard.focus_window('Import GDELT Events')
        keyboard.type('IRN AZE')
        text = Atspi.Text.get_text(countries, 0, Atspi.Text.get_character_count(countries)) \
            if countries is not None else None
        print('# Countries: %r' % text, flush=True)
        if text == 'IRN AZE':
            keyboard.press('Return')
            imported = wait_for(lambda: '20170701234500.export.sample' in windows(app), 30)
    check(imported, 'Enter in the GDELT options imports (windows: %r)' % list(windows(app)))

    keyboard.pump(1.0)
    keyboard.focus_window(next((n for n, w in windows(app).items() if role_and_name(w)[0] == 'frame'), None))
    keyboard.press('ctrl+e')
    # Only its buttons: the file chooser inside is GTK's own making (and
    # reads many class names in GTK 4.8).
    export = wait_for(lambda: windows(app).get('Export'), 20)
    buttons = [role_and_name(n)[1] for n in walk(export) if role_and_name(n)[0] == 'push button'] \
        if export is not None else []
    garbled = [name for name in buttons if re.search(r'(^|\s)_\w', name) or re.match(r'^(.+) \1$', name)]
    check('Cancel' in buttons and 'Export' in buttons and not garbled,
          'the export dialog\'s buttons read once, without mnemonics (%s)'
          % ', '.join(garbled or [b for b in buttons if b in ('Cancel', 'Export')]))
    if export is not None:
        keyboard.focus_window('Export')
        keyboard.press('Escape')


if __name__ == '__main__':
    sys.exit(main())
