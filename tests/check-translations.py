#!/usr/bin/python3
# check-translations.py: every translation compiles and is complete
#
# Copyright 2026 The Chancery developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-translations.py [SOURCE_ROOT]
#
# 1. Every file in po/POTFILES.in exists, and every file under src/ and ui/
#    that marks strings for translation is listed there.
# 2. Each language in po/LINGUAS passes `msgfmt --check`.
# 3. The template is extracted afresh from the sources with xgettext (the same
#    keywords as meson's glib preset), and every message in it must be present,
#    translated and not fuzzy in every po file.
#
# It fails listing each problem; new strings make it fail until someone runs
# `meson compile -C _build chancery-update-po` and translates them (see
# docs/translating.md).

import ast
import os
import re
import subprocess
import sys
import tempfile

XGETTEXT_ARGS = [
    '--from-code=UTF-8',
    '--add-comments',
    '--keyword=_',
    '--keyword=N_',
    '--keyword=C_:1c,2',
    '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2',
    '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3',
]

# The plural rules each language must declare (po/LINGUAS may grow beyond these).
PLURAL_FORMS = {
    'fa': 'nplurals=2; plural=(n > 1);',
    'az': 'nplurals=2; plural=(n != 1);',
    'ru': 'nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && '
          'n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);',
}

# What marks a string for translation in C and in GtkBuilder files.
C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|g_dcgettext|g_dngettext|'
                    r'g_dpgettext2|ngettext)\s*\(')
UI_MARK = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')
SCANNED_DIRS = ('src', 'ui')
SCANNED_EXTS = ('.c', '.h', '.ui')


def read_list(path):
    with open(path, encoding='utf-8') as f:
        items = []
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                items.extend(line.split())
        return items


def marked_files(root):
    found = []
    for top in SCANNED_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(SCANNED_EXTS):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding='utf-8', errors='replace') as f:
                    text = f.read()
                mark = UI_MARK if name.endswith('.ui') else C_MARK
                if mark.search(text):
                    found.append(os.path.relpath(path, root))
    return found


def unquote(s):
    return ast.literal_eval(s)


def parse_po(path):
    """Returns {(msgctxt, msgid): (msgstrs, fuzzy)}, the header excluded."""
    entries = {}
    cur = {}
    field = None
    fuzzy = False

    def flush():
        nonlocal cur, fuzzy
        if 'msgid' in cur:
            key = (cur.get('msgctxt'), cur['msgid'])
            strs = [v for k, v in sorted(cur.items()) if k.startswith('msgstr')]
            if key != (None, ''):
                entries[key] = (strs, fuzzy)
        cur = {}
        fuzzy = False

    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.strip()
            if not line:
                flush()
                field = None
                continue
            if line.startswith('#~'):
                continue
            if line.startswith('#'):
                if 'msgid' in cur and field is not None and field.startswith('msgstr'):
                    flush()
                    field = None
                if line.startswith('#,') and \
                        'fuzzy' in [w.strip() for w in line[2:].split(',')]:
                    fuzzy = True
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
            if m:
                if m.group(1) in ('msgctxt', 'msgid') and field is not None \
                        and field.startswith('msgstr'):
                    flush()
                field = m.group(1)
                cur[field] = unquote(m.group(2))
            elif line.startswith('"') and field is not None:
                cur[field] += unquote(line)
            else:
                raise ValueError(f'{path}: cannot parse line: {raw.rstrip()}')
    flush()
    return entries


def header(path):
    text = open(path, encoding='utf-8').read()
    fields = {}
    m = re.search(r'msgid ""\nmsgstr ((?:".*"\n?)+)', text)
    if m:
        body = ''.join(unquote(s) for s in re.findall(r'".*"', m.group(1)))
        for line in body.split('\n'):
            if ':' in line:
                k, v = line.split(':', 1)
                fields[k.strip()] = v.strip()
    return fields


def describe(key):
    ctxt, msgid = key
    shown = msgid if len(msgid) <= 70 else msgid[:67] + '...'
    return f'"{shown}"' + (f' (context "{ctxt}")' if ctxt else '')


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        'CHANCERY_SOURCE_ROOT', os.path.join(os.path.dirname(__file__), '..'))
    po_dir = os.path.join(root, 'po')
    problems = []

    potfiles = read_list(os.path.join(po_dir, 'POTFILES.in'))
    for name in potfiles:
        if not os.path.isfile(os.path.join(root, name)):
            problems.append(f'po/POTFILES.in lists {name}, which does not exist')
    for name in marked_files(root):
        if name not in potfiles:
            problems.append(f'{name} has translatable strings but is not in po/POTFILES.in')

    existing = [n for n in potfiles if os.path.isfile(os.path.join(root, n))]
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'chancery.pot')
        subprocess.run(['xgettext', '--package-name=chancery', '--output', pot,
                        '--force-po', *XGETTEXT_ARGS, *existing],
                       cwd=root, check=True)
        template = parse_po(pot)

    print(f'{len(template)} messages in the sources')
    for lang in read_list(os.path.join(po_dir, 'LINGUAS')):
        po = os.path.join(po_dir, lang + '.po')
        if not os.path.isfile(po):
            problems.append(f'po/LINGUAS lists {lang}, but po/{lang}.po does not exist')
            continue
        res = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po],
                             capture_output=True, text=True)
        print(f'{lang}: {res.stderr.strip()}')
        if res.returncode != 0:
            problems.append(f'po/{lang}.po: msgfmt --check failed:\n{res.stderr.rstrip()}')

        fields = header(po)
        if fields.get('Language') != lang:
            problems.append(f'po/{lang}.po: header says Language: {fields.get("Language")}')
        want = PLURAL_FORMS.get(lang)
        if want and fields.get('Plural-Forms') != want:
            problems.append(f'po/{lang}.po: Plural-Forms should be "{want}", '
                            f'not "{fields.get("Plural-Forms")}"')

        entries = parse_po(po)
        for key in template:
            if key not in entries:
                problems.append(f'po/{lang}.po: missing {describe(key)}')
                continue
            strs, fuzzy = entries[key]
            if fuzzy:
                problems.append(f'po/{lang}.po: fuzzy {describe(key)}')
            elif not strs or any(s == '' for s in strs):
                problems.append(f'po/{lang}.po: untranslated {describe(key)}')

    for p in problems:
        print('FAIL: ' + p)
    if problems:
        print(f'{len(problems)} problem(s). Run `meson compile -C BUILDDIR chancery-update-po`, '
              'then translate; see docs/translating.md.')
        return 1
    print('All translations complete.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
