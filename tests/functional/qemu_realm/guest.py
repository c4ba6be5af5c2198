# SPDX-License-Identifier: GPL-2.0-or-later
"""Base class for tests that boot the Debian arm64 kernel with a busybox /init."""

import logging
import os
import signal

from qemu_test import QemuSystemTest

from .assets import GuestAssets
from .init import INIT_EPILOGUE, INIT_PROLOGUE, MARKER
from .initramfs import Initramfs


class TestTimeout(Exception):
    pass


class GuestTest(QemuSystemTest):
    """
    Boot the Debian arm64 kernel with an initramfs whose /init runs a
    test-supplied shell fragment, and follow its markers on the console.

    Each test method gets `timeout` seconds (scaled by
    $QEMU_REALM_TIMEOUT_FACTOR); past that it fails with TestTimeout
    instead of hanging the suite.  The console is logged to console.log
    in the test's log directory, as with every QemuSystemTest.
    """

    timeout = 120
    memory = '512M'
    append = 'console=ttyAMA0 rdinit=/init panic=-1'

    def setUp(self):
        super().setUp()
        self.assets = GuestAssets()
        self._console_buf = b''
        factor = float(os.environ.get('QEMU_REALM_TIMEOUT_FACTOR', '1'))
        seconds = max(1, int(self.timeout * factor))

        def expire(_signum, _frame):
            raise TestTimeout(f'{self.id()} did not finish within {seconds}s')
        self._old_alarm = signal.signal(signal.SIGALRM, expire)
        signal.alarm(seconds)

    def tearDown(self):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self._old_alarm)
        super().tearDown()

    def initramfs(self, script, modules=(), load_modules=True):
        """
        Write an initramfs whose /init loads @modules in order (unless
        @load_modules is false: then they are only in /lib/modules), then
        runs @script; return its path.
        """
        rd = Initramfs()
        rd.add_busybox(self.assets.busybox())
        for m in modules:
            rd.add_module(m, self.assets.module(m))
        loads = ''.join(f'load {m}\n' for m in modules if load_modules)
        rd.add_file('init', INIT_PROLOGUE + loads + script + INIT_EPILOGUE,
                    0o755)
        return rd.write(self.scratch_file('initramfs.cpio.gz'))

    def launch_realm(self, script, modules=(), args=(), realm_options='',
                     append=None, load_modules=True):
        """
        launch_guest() on a virt machine that is an Arm CCA Realm, with
        QEMU answering the Realm Services Interface under TCG.
        """
        options = 'rme-guest,id=rme0' + (',' + realm_options
                                         if realm_options else '')
        self.launch_guest(script, modules,
                          ['-machine', 'confidential-guest-support=rme0',
                           '-object', options, *args], append=append,
                          load_modules=load_modules)

    def launch_guest(self, script, modules=(), args=(), machine='virt',
                     append=None, load_modules=True):
        """
        Boot the kernel under TCG with /init running @script after loading
        @modules (names from the assets' modules/ directory, in order).
        @args are extra QEMU arguments.
        """
        self.set_machine(machine)
        self.vm.set_console()
        self.vm.add_args('-accel', 'tcg', '-cpu', 'max', '-m', self.memory,
                         '-kernel', self.assets.kernel(),
                         '-initrd', self.initramfs(script, modules,
                                                   load_modules),
                         '-append', append or self.append,
                         '-nodefaults', '-no-reboot', *args)
        self.vm.launch()

    def _console_line(self):
        while b'\n' not in self._console_buf:
            data = self.vm.console_socket.recv(4096)
            if not data:
                line, self._console_buf = self._console_buf, b''
                return None if not line else line.decode(errors='replace')
            self._console_buf += data
        line, self._console_buf = self._console_buf.split(b'\n', 1)
        text = line.decode(errors='replace').rstrip('\r')
        logging.getLogger('console').debug(text)
        return text

    def wait_marker(self, name):
        """
        Read the console until /init prints the marker @name; return the
        rest of that line.  Fails on an /init failure marker, a kernel
        panic, or the end of the console.
        """
        want = f'{MARKER} {name}'
        while True:
            line = self._console_line()
            if line is None:
                self.fail(f'console closed before "{want}"')
            if f'{MARKER} FAIL' in line:
                self.fail(f'guest reported: {line.strip()}')
            if 'Kernel panic' in line:
                self.fail(f'guest kernel panicked: {line.strip()}')
            pos = line.find(want)
            if pos >= 0:
                rest = line[pos + len(want):]
                if rest == '' or rest[0] == ' ':
                    return rest.strip()

    def wait_console(self, text):
        """Read the console until a line contains @text; return that line."""
        while True:
            line = self._console_line()
            if line is None:
                self.fail(f'console closed before "{text}"')
            if 'Kernel panic' in line:
                self.fail(f'guest kernel panicked: {line.strip()}')
            if text in line:
                return line

    def wait_poweroff(self):
        """Wait for the guest's /init to finish and QEMU to exit cleanly."""
        self.wait_marker('done')
        self.vm.wait(timeout=60)
        self.assertEqual(self.vm.exitcode(), 0, 'QEMU exit status')
