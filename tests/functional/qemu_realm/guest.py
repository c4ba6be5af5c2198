# SPDX-License-Identifier: GPL-2.0-or-later
"""
Base classes for the qemu-realm functional tests: bounded waits, the
serial console in a file, and a guest with a busybox /init.
"""

import asyncio
import base64
import os
import signal
import subprocess
import threading
import time

from qemu.machine.machine import AbnormalShutdown
from qemu_test import QemuSystemTest

from .assets import GuestAssets
from .console import Console
from .init import INIT_EPILOGUE, INIT_PROLOGUE, MARKER
from .initramfs import Initramfs


class RealmTestCase(QemuSystemTest):
    """
    A QemuSystemTest in which nothing waits for ever.

    Each test method gets `timeout` seconds, scaled by
    $QEMU_REALM_TIMEOUT_FACTOR, from setUp on.  Console reads stop at that
    deadline; a watchdog thread kills every QEMU the test started once it
    has passed, so that a wait on QEMU (the QMP greeting, a QMP command,
    QEMU's exit) ends too.  Either way the test fails with a message that
    says what it was waiting for and ends with the console's last lines.

    The guest's serial console goes to a file in the test's log directory
    (see console.py for why not a socket); console.log has the same
    lines, with the time each was read.
    """

    timeout = 120

    def setUp(self):
        super().setUp()
        factor = float(os.environ.get('QEMU_REALM_TIMEOUT_FACTOR', '1'))
        self.seconds = max(1, int(self.timeout * factor))
        self.deadline = time.monotonic() + self.seconds
        self.expired = False
        self._consoles = []
        self._stop = threading.Event()
        self._watchdog = threading.Thread(target=self._watch,
                                          args=(self.deadline,), daemon=True)
        self._watchdog.start()

    def _watch(self, deadline):
        if self._stop.wait(max(0, deadline - time.monotonic())):
            return
        self.expired = True
        # Until the test is torn down: a QEMU launched after the deadline
        # is killed as well.
        while True:
            for vm in list(self._vms.values()):
                pid = vm.get_pid()
                if pid:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            if self._stop.wait(1):
                return

    def tearDown(self):
        self._stop.set()
        self._watchdog.join()
        # QemuSystemTest.tearDown asks QEMU to quit over QMP, which never
        # returns from a QEMU that stopped answering: bound that as well.
        self._stop.clear()
        self.expired = False
        guard = threading.Thread(target=self._watch,
                                 args=(time.monotonic() + 60,), daemon=True)
        guard.start()
        try:
            super().tearDown()
        finally:
            self._stop.set()
            guard.join()

    def remaining(self):
        """Seconds left before the test's deadline (at least 1)."""
        return max(1, int(self.deadline - time.monotonic()))

    def console_report(self):
        """The last lines of every console, for failure messages."""
        out = []
        for console in self._consoles:
            out.append(f'--- last console lines ({console.path}):\n'
                       f'{console.tail()}')
        return '\n'.join(out)

    def fail_console(self, msg):
        self.fail(f'{msg}\n{self.console_report()}')

    def fail_timeout(self, what):
        self.fail_console(f'timed out: no {what} within {self.seconds}s '
                          f'(timeout {self.timeout}s x '
                          f'$QEMU_REALM_TIMEOUT_FACTOR)')

    def add_console(self, vm=None, name='default'):
        """
        Put @vm's first serial port on a file in the log directory and
        return the Console that reads it.  Call before launch().
        """
        vm = vm or self.vm
        console = Console(vm, self.log_file(f'guest-console-{name}.log'))
        vm.add_args(*Console.chardev_args(console.path))
        self._consoles.append(console)
        return console

    def launch(self, vm=None):
        vm = vm or self.vm
        try:
            vm.launch()
            return
        except Exception:
            if not self.expired:
                raise
        # Outside the except clause: the timeout is the failure, not the
        # EOF it caused
        self.fail_timeout('QMP greeting from QEMU')

    def qmp(self, cmd, vm=None, **args):
        """
        Run QMP command @cmd on @vm (the default VM) and return its
        result; argument names use '_' for '-'.
        """
        vm = vm or self.vm
        try:
            return vm.cmd(cmd, **args)
        except Exception:
            if not self.expired:
                raise
        self.fail_timeout(f'answer to QMP {cmd}')
        return None

    def console_line(self, console=None):
        """The next console line, or None once QEMU has exited."""
        console = console or self._consoles[0]
        try:
            return console.readline(self.deadline)
        except TimeoutError:
            pass
        self.fail_timeout('console line')
        return None

    def wait_console(self, text, console=None):
        """Read the console until a line contains @text; return that line."""
        while True:
            line = self.console_line(console)
            if line is None:
                self.fail_console(f'console closed before "{text}"')
            if 'Kernel panic' in line:
                self.fail_console(f'guest kernel panicked: {line.strip()}')
            if text in line:
                return line

    def wait_event(self, name, vm=None):
        """Wait, within the deadline, for QMP event @name; return it."""
        vm = vm or self.vm
        try:
            # A float: pull_event() takes an int for "wait for ever"
            event = vm.event_wait(name, timeout=float(self.remaining()))
            if event is not None:
                return event
        except (asyncio.TimeoutError, TimeoutError):
            pass
        except Exception:
            if not self.expired:
                raise
        self.fail_timeout(f'QMP event {name}')
        return None

    def quit(self, vm=None):
        """Quit QEMU over QMP, within the deadline; return its status."""
        vm = vm or self.vm
        try:
            vm.shutdown(timeout=self.remaining())
            return vm.exitcode()
        except AbnormalShutdown:
            pass
        self.fail_timeout('exit of QEMU after quit')
        return None

    def wait_exit(self, vm=None):
        """Wait, within the deadline, for QEMU to exit; return its status."""
        vm = vm or self.vm
        try:
            vm.wait(timeout=self.remaining())
            return vm.exitcode()
        except AbnormalShutdown:
            pass
        self.fail_timeout('exit of QEMU')
        return None

    def run_bounded(self, cmd, **kwargs):
        """subprocess.run(@cmd, check=True) within the test's deadline."""
        try:
            return subprocess.run(cmd, check=True, capture_output=True,
                                  timeout=self.remaining(), **kwargs)
        except subprocess.TimeoutExpired:
            pass
        self.fail_timeout(f'end of {cmd[0]}')
        return None


class GuestTest(RealmTestCase):
    """
    Boot the Debian arm64 kernel with an initramfs whose /init runs a
    test-supplied shell fragment, and follow its markers on the console.
    """

    memory = '512M'
    append = 'console=ttyAMA0 rdinit=/init panic=-1'

    def setUp(self):
        super().setUp()
        self.assets = GuestAssets()

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
        self.add_console()
        self.vm.add_args('-accel', 'tcg', '-cpu', 'max', '-m', self.memory,
                         '-kernel', self.assets.kernel(),
                         '-initrd', self.initramfs(script, modules,
                                                   load_modules),
                         '-append', append or self.append,
                         # QEMU stays up when the guest powers off, so that
                         # the test can still query it: the guest does not
                         # wait for the test to read its console.
                         '-nodefaults', '-no-reboot', '-no-shutdown', *args)
        self.launch()

    def wait_marker(self, name):
        """
        Read the console until /init prints the marker @name; return the
        rest of that line.  Fails on an /init failure marker, a kernel
        panic, or the end of the console.
        """
        want = f'{MARKER} {name}'
        while True:
            line = self.console_line()
            if line is None:
                self.fail_console(f'console closed before "{want}"')
            if f'{MARKER} FAIL' in line:
                self.fail_console(f'guest reported: {line.strip()}')
            if 'Kernel panic' in line:
                self.fail_console(f'guest kernel panicked: {line.strip()}')
            pos = line.find(want)
            if pos >= 0:
                rest = line[pos + len(want):]
                if rest == '' or rest[0] == ' ':
                    return rest.strip()

    @staticmethod
    def token_script(challenge):
        """
        An /init fragment that asks configfs-tsm for an attestation token
        with the 64-byte @challenge and prints it for read_token(), after
        the provider's name and the token's size as markers.
        """
        escaped = ''.join(f'\\{b:03o}' for b in challenge)
        return f'''
mount -t configfs configfs /sys/kernel/config || fail "mount configfs"
r=/sys/kernel/config/tsm/report/r0
mkdir $r || fail "mkdir $r"
mark provider "$(cat $r/provider)"
printf '{escaped}' > $r/inblob || fail inblob
cat $r/outblob > /tmp/token || fail outblob
mark size "$(wc -c < /tmp/token)"
base64 /tmp/token | while read -r line; do mark tok "$line"; done
mark tokend
'''

    def read_token(self):
        """
        The attestation token /init printed in base64, one "tok" marker
        line at a time, up to its "tokend" marker.
        """
        chunks = []
        while True:
            line = self.console_line()
            if line is None:
                self.fail_console('console closed inside the token')
            if f'{MARKER} tokend' in line:
                return base64.b64decode(''.join(chunks))
            if f'{MARKER} FAIL' in line:
                self.fail_console(f'guest reported: {line.strip()}')
            pos = line.find(f'{MARKER} tok ')
            if pos >= 0:
                chunks.append(line[pos + len(f'{MARKER} tok '):].strip())

    def wait_poweroff(self):
        """
        Wait for the guest's /init to finish and the guest to power off
        (not reset, as a panic would), then for QEMU to quit cleanly.
        """
        self.wait_marker('done')
        event = self.wait_event('SHUTDOWN')
        self.assertEqual(event['data']['reason'], 'guest-shutdown',
                         'the guest did not power off')
        self.assertEqual(self.quit(), 0, 'QEMU exit status')
