# SPDX-License-Identifier: GPL-2.0-or-later
"""
The guest's serial console, written by QEMU to a file and read from there.

QEMU's PL011 writes every character with qemu_chr_fe_write_all() from the
vCPU thread, with the BQL held.  On a socket backend that nobody reads, the
socket fills after a few hundred characters (each one-byte write is its
own socket buffer), the write retries for ever, and the whole VM stops:
the main loop waits for the BQL, so QMP never answers, not even the
greeting.  A test that reads the console only after QMP negotiation then
hangs whenever the guest prints first, which it does under CPU load.

A file backend never pushes back, so the guest never waits for the test:
the console is "drained" from the first instruction, and what the guest
printed is on disk even if the test, or QEMU, dies.
"""

import logging
import os
import time


class Console:
    """
    Follow the console file @path of @vm line by line.

    Every read is bounded by a deadline (time.monotonic() seconds);
    readline() returns None once QEMU has exited and everything it wrote
    has been read.
    """

    POLL = 0.05

    def __init__(self, vm, path):
        self.vm = vm
        self.path = path
        self._offset = 0
        self._buf = b''
        self._log = logging.getLogger('console')

    @staticmethod
    def chardev_args(path):
        """QEMU options that put the first serial port on file @path."""
        return ['-chardev', 'file,id=console,path=' + path.replace(',', ',,'),
                '-serial', 'chardev:console']

    def _read_more(self):
        try:
            with open(self.path, 'rb') as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return False
        self._offset += len(data)
        self._buf += data
        return bool(data)

    def readline(self, deadline):
        """
        The next complete line, without its end; None at the end of the
        console.  Raises TimeoutError past @deadline.
        """
        while b'\n' not in self._buf:
            # Whether QEMU was still running is checked before reading, so
            # that nothing written just before it exited is missed.
            running = self.vm.is_running()
            if self._read_more():
                continue
            if not running:
                line, self._buf = self._buf, b''
                if not line:
                    return None
                return self._emit(line)
            if time.monotonic() >= deadline:
                raise TimeoutError
            time.sleep(self.POLL)
        line, self._buf = self._buf.split(b'\n', 1)
        return self._emit(line)

    def _emit(self, line):
        text = line.decode(errors='replace').rstrip('\r')
        self._log.debug(text)
        return text

    def tail(self, lines=20):
        """The last @lines lines QEMU wrote, for failure messages."""
        try:
            with open(self.path, 'rb') as f:
                f.seek(max(0, os.path.getsize(self.path) - 16384))
                data = f.read()
        except FileNotFoundError:
            return '(no console output)'
        text = data.decode(errors='replace').replace('\r', '')
        out = text.splitlines()[-lines:]
        return '\n'.join(out) if out else '(no console output)'
