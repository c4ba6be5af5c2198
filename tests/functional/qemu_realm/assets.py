# SPDX-License-Identifier: GPL-2.0-or-later
"""Locate and verify the Debian arm64 guest assets (kernel, busybox, modules)."""

import hashlib
import lzma
import os
from pathlib import Path


class GuestAssets:
    """
    The files listed in SHA256SUMS of an assets directory.

    The directory comes from $QEMU_REALM_ASSETS, which the test runner sets
    (to ../shared/assets/debian-arm64, or to the directory that
    build-aux/fetch-assets filled from Debian's archive).  Every file is
    checked against SHA256SUMS before it is handed out, so a test never
    boots something it did not mean to.
    """

    KERNEL_PREFIX = 'vmlinuz-'
    BUSYBOX_PREFIX = 'busybox-'

    def __init__(self, directory=None):
        directory = directory or os.environ.get('QEMU_REALM_ASSETS')
        if not directory:
            raise RuntimeError('QEMU_REALM_ASSETS is not set: it must name '
                               'the directory holding SHA256SUMS')
        self.dir = Path(directory)
        self._sums = {}
        with open(self.dir / 'SHA256SUMS', encoding='utf-8') as f:
            for line in f:
                if line.strip():
                    digest, name = line.split(maxsplit=1)
                    self._sums[name.strip().lstrip('*')] = digest
        self._verified = set()

    def path(self, name):
        """Return the path of asset @name after checking its SHA-256."""
        if name not in self._sums:
            raise KeyError(f'{name} is not listed in {self.dir}/SHA256SUMS')
        p = self.dir / name
        if name not in self._verified:
            h = hashlib.sha256()
            with open(p, 'rb') as f:
                for chunk in iter(lambda: f.read(1 << 20), b''):
                    h.update(chunk)
            if h.hexdigest() != self._sums[name]:
                raise RuntimeError(f'{p}: SHA-256 mismatch, refusing to use it')
            self._verified.add(name)
        return str(p)

    def _find(self, prefix):
        names = [n for n in self._sums if n.startswith(prefix)]
        if len(names) != 1:
            raise RuntimeError(f'expected one {prefix}* in SHA256SUMS, '
                               f'found {names}')
        return self.path(names[0])

    def kernel(self):
        """The arm64 kernel Image."""
        return self._find(self.KERNEL_PREFIX)

    def busybox(self):
        """A static arm64 busybox."""
        return self._find(self.BUSYBOX_PREFIX)

    def module(self, name):
        """
        The contents of kernel module @name (without .ko), decompressed:
        busybox insmod cannot read xz.
        """
        data = Path(self.path(f'modules/{name}.ko.xz')).read_bytes()
        return lzma.decompress(data)
