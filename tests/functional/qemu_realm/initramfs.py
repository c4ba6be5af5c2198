# SPDX-License-Identifier: GPL-2.0-or-later
"""Build a busybox initramfs (newc cpio) without root privileges."""

import gzip
import stat


class Initramfs:
    """
    An initramfs assembled in memory and written as a gzip'd newc cpio.

    Device nodes need no privileges in a cpio archive, so /dev/console is
    included and the kernel has a console for /init from the first line.
    """

    def __init__(self):
        self._entries = []
        self._ino = 1
        for d in ('bin', 'dev', 'proc', 'sys', 'tmp', 'lib', 'lib/modules',
                  'mnt', 'sys/kernel/config'):
            self.add_dir(d)
        self.add_node('dev/console', stat.S_IFCHR | 0o600, 5, 1)

    def _add(self, name, mode, data=b'', rdev=(0, 0)):
        self._entries.append((name, mode, data, rdev, self._ino))
        self._ino += 1

    def add_dir(self, name):
        self._add(name, stat.S_IFDIR | 0o755)

    def add_node(self, name, mode, major, minor):
        self._add(name, mode, rdev=(major, minor))

    def add_file(self, name, data, mode=0o644):
        if isinstance(data, str):
            data = data.encode()
        self._add(name, stat.S_IFREG | mode, data)

    def add_symlink(self, name, target):
        self._add(name, stat.S_IFLNK | 0o777, target.encode())

    def add_busybox(self, path):
        """Install busybox as /bin/busybox and /bin/sh."""
        with open(path, 'rb') as f:
            self.add_file('bin/busybox', f.read(), 0o755)
        self.add_symlink('bin/sh', 'busybox')

    def add_module(self, name, data):
        """Add a decompressed kernel module as /lib/modules/@name.ko."""
        self.add_file(f'lib/modules/{name}.ko', data)

    @staticmethod
    def _pad(n):
        return b'\0' * (-n % 4)

    def _header(self, name, mode, size, rdev, ino):
        name_b = name.encode() + b'\0'
        fields = (ino, mode, 0, 0, 1, 0, size, 0, 0, rdev[0], rdev[1],
                  len(name_b), 0)
        hdr = b'070701' + b''.join(b'%08X' % v for v in fields)
        return hdr + name_b + self._pad(len(hdr) + len(name_b))

    def cpio(self):
        """Return the uncompressed newc archive."""
        out = bytearray()
        for name, mode, data, rdev, ino in self._entries:
            out += self._header(name, mode, len(data), rdev, ino)
            out += data + self._pad(len(data))
        out += self._header('TRAILER!!!', 0, 0, (0, 0), 0)
        return bytes(out)

    def write(self, path):
        with open(path, 'wb') as f:
            # mtime=0: the same contents give the same bytes, and so the
            # same Realm Initial Measurement on every run
            f.write(gzip.compress(self.cpio(), compresslevel=1, mtime=0))
        return path
