#!/usr/bin/python3
# parse-export.py: read an exported file with parsers nobody here wrote
#
# Copyright 2026 The Chancery developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: parse-export.py csv FILE   prints the rows (lists of strings) as JSON
#        parse-export.py ics FILE   prints the VEVENTs as JSON objects
#
# Run with /usr/bin/python3: it needs Debian's python3-icalendar.

import csv
import datetime
import json
import sys


def read_csv(path):
    with open(path, encoding='utf-8-sig', newline='') as f:
        return list(csv.reader(f, strict=True))


def categories(component):
    value = component.get('categories')
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    cats = []
    for v in values:
        cats.extend(str(c) for c in v.cats)
    return cats


def day(component, name):
    prop = component.get(name)
    if prop is None:
        return None
    value = prop.dt
    # An all-day value is a date, not a datetime (datetime is a date subclass).
    if isinstance(value, datetime.datetime):
        return 'datetime:' + value.isoformat()
    return value.isoformat()


def days(component, name):
    prop = component.get(name)
    if prop is None:
        return None
    # All-day events last whole days: anything else is a mistake to show.
    value = prop.dt
    if value.seconds or value.microseconds:
        return 'not whole days: ' + str(value)
    return value.days


def read_ics(path):
    import icalendar

    with open(path, 'rb') as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    result = {
        'version': str(calendar.get('version')),
        'prodid': str(calendar.get('prodid')),
        'events': [],
    }
    for component in calendar.walk('VEVENT'):
        result['events'].append({
            'uid': str(component.get('uid')),
            'dtstart': day(component, 'dtstart'),
            'dtend': day(component, 'dtend'),
            'duration_days': days(component, 'duration'),
            'has_dtstamp': component.get('dtstamp') is not None,
            'summary': str(component.get('summary', '')),
            'description': str(component.get('description', '')),
            'location': str(component.get('location', '')),
            'status': str(component.get('status', '')),
            'categories': categories(component),
            'url': str(component.get('url', '')),
        })
    return result


def main():
    kind, path = sys.argv[1], sys.argv[2]
    data = read_csv(path) if kind == 'csv' else read_ics(path)
    json.dump(data, sys.stdout, ensure_ascii=False)


if __name__ == '__main__':
    main()
