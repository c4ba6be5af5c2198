#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Check that documentation pages are reachable from the manual's root
through toctree directives, as Sphinx would see them.

usage: check-toctree.py DOCSDIR PAGE...

DOCSDIR is QEMU's docs/ directory (index.rst is the root); each PAGE is a
path relative to it, such as system/arm/rme.rst.  Prints the pages that no
toctree reaches and exits non-zero if there are any.
"""

import fnmatch
import os
import posixpath
import re
import sys

DIRECTIVE = re.compile(r'^(\s*)\.\. toctree::\s*$')
EXPLICIT = re.compile(r'^.*<([^>]+)>\s*$')


def toctree_entries(path):
    """(entry, glob) pairs of every toctree in the file at @path."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        m = DIRECTIVE.match(lines[i])
        i += 1
        if not m:
            continue
        indent = len(m.group(1))
        glob = False
        while i < len(lines):
            line = lines[i]
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break
            text = line.strip()
            i += 1
            if not text:
                continue
            if text.startswith(':'):
                glob = glob or text == ':glob:'
                continue
            m2 = EXPLICIT.match(text)
            yield (m2.group(1) if m2 else text), glob


def main():
    docs, pages = sys.argv[1], sys.argv[2:]
    alldocs = set()
    for root, _dirs, files in os.walk(docs):
        for name in files:
            if name.endswith('.rst'):
                rel = os.path.relpath(os.path.join(root, name), docs)
                alldocs.add(rel[:-4].replace(os.sep, '/'))

    reached = {'index'}
    todo = ['index']
    while todo:
        doc = todo.pop()
        base = posixpath.dirname(doc)
        for entry, glob in toctree_entries(os.path.join(docs, doc + '.rst')):
            if entry.endswith('.rst'):
                entry = entry[:-4]
            if entry.startswith('/'):
                name = entry[1:]
            else:
                name = posixpath.normpath(posixpath.join(base, entry))
            found = (fnmatch.filter(alldocs, name) if glob else
                     [name] if name in alldocs else [])
            for d in found:
                if d not in reached:
                    reached.add(d)
                    todo.append(d)

    missing = [p for p in pages if p[:-4] not in reached]
    for p in missing:
        print(f'check-toctree: docs/{p} is in no toctree reachable from '
              f'docs/index.rst', file=sys.stderr)
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
