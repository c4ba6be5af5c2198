#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The Realm Services Interface under TCG answers bad arguments with the
architected errors, and nothing the guest passes can stop QEMU; the
Realm's memory and CPU behave as the RMM specification says.

A small bare-metal program (realm-rsi-probe/, built at test time with
Debian's aarch64-linux-gnu-gcc) runs at EL1 in a Realm, calls RSI
directly with valid and invalid arguments, makes accesses that must
abort with its exception vectors installed, reboots the Realm and prints
the results.
"""

import os
import re
import shutil

from qemu_test import QemuSystemTest
from qemu_realm.guest import RealmTestCase

RSI_SUCCESS = 0
RSI_ERROR_INPUT = 1
RSI_ERROR_STATE = 2
RSI_INCOMPLETE = 3
NOT_SUPPORTED = (1 << 64) - 1
RIPAS_EMPTY = 0
RIPAS_RAM = 1
ACCEPT = 0
REJECT = 1
RSI_1_0 = 0x10000
SMCCC_1_2 = 0x10002

# ESR_EL1 of a synchronous External abort taken from EL1 to EL1, as the
# RMM specification has it (FSC 0x10, EA set: A5.2.7), for a read, a
# write and an instruction fetch; and of an Undefined Instruction
ESR_SEA_READ = (0x25 << 26) | (1 << 25) | (1 << 9) | 0x10
ESR_SEA_WRITE = ESR_SEA_READ | (1 << 6)
ESR_SEA_FETCH = (0x21 << 26) | (1 << 25) | (1 << 9) | 0x10
ESR_UNDEF = 1 << 25
SCRUB_PATTERN = 0xdeadbeefdeadbeef
UART = 0x09000000
HOLE = 0x60000000
WALK_VA = 0x80000000


class RealmRsiErrors(RealmTestCase):

    timeout = 60
    CC = 'aarch64-linux-gnu-gcc'

    def build_probe(self):
        if not shutil.which(self.CC):
            self.skipTest(f'{self.CC} is not installed')
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'realm-rsi-probe')
        elf = self.scratch_file('probe.elf')
        self.run_bounded([self.CC, '-nostdlib', '-ffreestanding',
                          '-fno-pic', '-static', '-O2',
                          '-mgeneral-regs-only', '-mstrict-align',
                          '-Wl,--no-warn-rwx-segments',
                          '-T', os.path.join(src, 'probe.ld'), '-o', elf,
                          os.path.join(src, 'start.S'),
                          os.path.join(src, 'probe.c'),
                          os.path.join(src, 'memory.c')])
        return elf

    def setUp(self):
        super().setUp()
        self.set_machine('virt')

    def launch_realm(self, *args, realm_options=''):
        self.add_console()
        self.vm.add_args('-machine', 'confidential-guest-support=rme0',
                         '-object', 'rme-guest,id=rme0' + realm_options,
                         '-accel', 'tcg',
                         '-cpu', 'max', '-m', '256M', '-nodefaults',
                         '-no-shutdown', '-kernel', self.build_probe(),
                         *args)
        self.launch()

    def run_probe(self, *args, realm_options='', before_start=None):
        """
        Run the probe to its end and parse what it printed.  The console
        goes to a file (RealmTestCase), so a guest that prints before
        anyone reads never stalls QEMU; every read is bounded.  With
        @before_start, QEMU starts stopped (-S), and @before_start runs
        before the probe does.
        """
        if before_start:
            self.launch_realm('-S', *args, realm_options=realm_options)
            before_start()
            self.qmp('cont')
        else:
            self.launch_realm(*args, realm_options=realm_options)
        lines = []
        while True:
            line = self.console_line()
            if line is None:
                self.fail_console('console closed before the probe finished')
            if 'RSI-PROBE: done' in line:
                break
            lines.append(line)
        buf = '\n'.join(lines).encode()
        results = {}
        for m in re.finditer(rb'RSI-PROBE: (\S+) x0=(\w+) x1=(\w+) x2=(\w+)',
                             buf):
            results[m.group(1).decode()] = tuple(int(v, 16)
                                                 for v in m.groups()[1:])
        for name in ('rim', 'rim-after-reboot'):
            m = re.search(rb'RSI-PROBE: ' + name.encode() +
                          rb' ((?:0x[0-9a-f]{16} ){8})', buf)
            self.assertIsNotNone(m, f'the probe printed no {name}')
            # x1..x8, each a little-endian 64-bit word of the measurement
            results[name] = b''.join(int(w, 16).to_bytes(8, 'little')
                                     for w in m.group(1).split())
        return results

    def test_bad_arguments_get_architected_errors(self):
        r = self.run_probe()
        info = self.qmp('query-realm')
        par = info['shared-bit']

        self.assertEqual(r['smccc-version'][0], 0x10002)
        self.assertEqual(r['version-1.0'], (RSI_SUCCESS, 0x10000, 0x10000))
        self.assertEqual(r['version-2.0'][0], RSI_ERROR_INPUT)
        self.assertEqual(r['config'][0], RSI_SUCCESS)

        for name in ('config-unaligned', 'config-outside-par', 'config-mmio',
                     'set-unaligned', 'set-top-below-base', 'set-bad-ripas',
                     'set-bad-flags', 'set-outside-par', 'get-empty-range',
                     'measurement-read-bad', 'measurement-extend-rim',
                     'measurement-extend-too-long', 'host-call-unaligned'):
            self.assertEqual(r[name][0], RSI_ERROR_INPUT, name)

        # Converting a granule to EMPTY and back to RAM, with progress
        page = r['set-unaligned'][1] - 1
        self.assertEqual(r['set-empty'], (RSI_SUCCESS, page + 4096, ACCEPT))
        self.assertEqual(r['get-after-empty'],
                         (RSI_SUCCESS, page + 4096, RIPAS_EMPTY))
        self.assertEqual(r['set-ram'], (RSI_SUCCESS, page + 4096, ACCEPT))
        # MMIO has no memory to convert and reads as EMPTY
        self.assertEqual(r['set-mmio'], (RSI_SUCCESS, 0x09001000, ACCEPT))
        self.assertEqual(r['get-mmio'],
                         (RSI_SUCCESS, 0x09001000, RIPAS_EMPTY))
        self.assertEqual(r['config-outside-par'][1], par)

        self.assertEqual(r['token-continue-before-init'][0], RSI_ERROR_STATE)
        # A token: its size bound, then bad granules, then the first piece
        self.assertEqual(r['token-init'][0], RSI_SUCCESS)
        self.assertGreater(r['token-init'][1], 0)
        self.assertEqual(r['token-init'][1] % 4096, 0)
        for name in ('token-continue-unaligned',
                     'token-continue-offset-outside',
                     'token-continue-size-outside',
                     'token-continue-outside-par',
                     'token-continue-shared-granule'):
            self.assertEqual(r[name][0], RSI_ERROR_INPUT, name)
        self.assertEqual(r['set-empty-for-token'][0], RSI_SUCCESS)
        self.assertEqual(r['set-ram-after-token'][0], RSI_SUCCESS)
        self.assertIn(r['token-continue'][0], (RSI_SUCCESS, RSI_INCOMPLETE))
        self.assertGreater(r['token-continue'][1], 0)

        # What the guest reads as its RIM is what query-realm reports
        algo_len = 64 if info['measurement-algorithm'] == 'sha512' else 32
        self.assertEqual(r['measurement-read-rim'][0], RSI_SUCCESS)
        self.assertEqual(r['rim'][:algo_len].hex(), info['rim'])
        self.assertEqual(r['unknown-rsi-fid'][0], NOT_SUPPORTED)
        self.assertEqual(r['unknown-fid'][0], NOT_SUPPORTED)

        # Nothing stuck: the probe's granule went back to private, and
        # the reboot made the megabyte it left shared private again
        self.assertEqual(info['shared-bytes'], 0)
        self.assertEqual(info['state'], 'active')

    def test_rsi_details(self):
        r = self.run_probe()

        # RSI_VERSION: only 1.0 is compatible with 1.0; a higher request
        # gets the highest lower revision, a lower one lower == higher
        self.assertEqual(r['version-1.1'], (RSI_ERROR_INPUT, RSI_1_0, RSI_1_0))
        self.assertEqual(r['version-0.1'], (RSI_ERROR_INPUT, RSI_1_0, RSI_1_0))
        self.assertEqual(r['version-2.0'], (RSI_ERROR_INPUT, RSI_1_0, RSI_1_0))

        # The RMM writes REALM_CONFIG and reads HOST_CALL as the Realm:
        # a granule that is not RIPAS RAM is refused
        self.assertEqual(r['set-empty-for-config'][0], RSI_SUCCESS)
        self.assertEqual(r['config-empty-granule'][0], RSI_ERROR_INPUT)
        self.assertEqual(r['host-call-empty-granule'][0], RSI_ERROR_INPUT)
        self.assertEqual(r['set-ram-after-config'][0], RSI_SUCCESS)

        # ATTESTATION_TOKEN_CONTINUE: argument errors before the state
        self.assertEqual(r['token-continue-before-init-unaligned'][0],
                         RSI_ERROR_INPUT)

        # HOST_CALL: QEMU answers gprs[0] as a KVM host does
        self.assertEqual(r['host-call-version'][:2], (RSI_SUCCESS, SMCCC_1_2))
        self.assertEqual(r['host-call-features'][:2], (RSI_SUCCESS, 0))
        self.assertEqual(r['host-call-unknown'][:2],
                         (RSI_SUCCESS, NOT_SUPPORTED))
        info = self.qmp('query-realm')
        self.assertEqual(info['host-calls'], 3)

        # No other RSI 1.0 command IDs
        for fid in range(0x19a, 0x1a0):
            self.assertEqual(r[f'unknown-rsi-{fid:x}'][0], NOT_SUPPORTED)

    def test_memory_as_the_rmm_shows_it(self):
        r = self.run_probe()
        par = self.qmp('query-realm')['shared-bit']

        def sea(name, esr, far):
            self.assertEqual(r[name], (1, esr, far), name)

        def no_fault(name):
            self.assertEqual(r[name][0], 0, name)

        # RME hardware: EL3, EL2 and RME implemented, though the Realm
        # runs at EL1 only; HVC is undefined and returns after itself
        self.assertEqual(r['id-aa64pfr0'], (1, 1, 1))
        # No SME in a Realm, as the reference RMM has it
        self.assertEqual(r['id-aa64pfr1'][0], 0)
        self.assertEqual(r['hvc'], (1, ESR_UNDEF, 4))

        # Private RAM: data and code at the protected IPA only; FAR is
        # the address accessed
        priv, ret_fn = r['addresses'][:2]
        self.assertEqual(r['read-private'][:2], (0, 0x1122334455667788))
        sea('read-private-unprotected', ESR_SEA_READ, priv | par)
        no_fault('fetch-private')
        sea('fetch-private-unprotected', ESR_SEA_FETCH, ret_fn | par)

        # A granule made EMPTY aborts at its protected IPA, even with the
        # old translation in the TLB
        conv = priv + 4096
        no_fault('fetch-before-empty')
        self.assertEqual(r['mem-set-empty'],
                         (RSI_SUCCESS, conv + 4096, ACCEPT))
        sea('read-empty', ESR_SEA_READ, conv + 8)
        sea('write-empty', ESR_SEA_WRITE, conv + 8)
        sea('fetch-empty', ESR_SEA_FETCH, conv)
        # Its unprotected alias is host memory, fresh: data, no code
        self.assertEqual(r['read-shared-contents'][:2], (0, 0))
        sea('fetch-unprotected-shared', ESR_SEA_FETCH, conv | par)
        # Back to private: the alias aborts, the contents are UNKNOWN
        self.assertEqual(r['mem-set-ram'], (RSI_SUCCESS, conv + 4096, ACCEPT))
        sea('read-unprotected-after-ram', ESR_SEA_READ, (conv + 8) | par)
        self.assertEqual(r['read-converted-contents'][:2], (0, SCRUB_PATTERN))

        # MMIO is RIPAS EMPTY: data at the unprotected alias only
        sea('read-mmio-protected', ESR_SEA_READ, UART + 0x18)
        no_fault('read-mmio-unprotected')
        sea('fetch-mmio-unprotected', ESR_SEA_FETCH, par | UART)
        sea('read-hole-protected', ESR_SEA_READ, HOLE)
        sea('read-hole-unprotected', ESR_SEA_READ, HOLE | par)

        # With the MMU on, a walk into an EMPTY granule aborts the access
        self.assertEqual(r['walk-set-empty'][0], RSI_SUCCESS)
        sea('walk-empty', ESR_SEA_READ, WALK_VA)
        self.assertEqual(r['walk-set-ram'][0], RSI_SUCCESS)

    def test_preserve_contents_keeps_them_for_debugging(self):
        r = self.run_probe(realm_options=',x-preserve-contents=on')

        # One memory for both states, as before: what the probe wrote
        # privately shows through the shared alias, and back
        self.assertEqual(r['read-shared-contents'][:2],
                         (0, 0x1122334455667788))
        self.assertEqual(r['read-converted-contents'][:2],
                         (0, 0x99aabbccddeeff00))
        # The aborts do not depend on it
        self.assertEqual(r['read-empty'][0], 1)

    def test_guest_reboot_restarts_a_cold_realm(self):
        r = self.run_probe()
        info = self.qmp('query-realm')

        self.assertEqual(r['reboot-share'][0], RSI_SUCCESS)
        self.assertEqual(r['reboot-extend'][0], RSI_SUCCESS)
        self.assertEqual(r['reboot-token-init'][0], RSI_SUCCESS)
        # All memory private again, REMs zero, no token in progress
        base = r['reboot-ripas'][1] - 0x100000
        self.assertEqual(r['reboot-ripas'],
                         (RSI_SUCCESS, base + 0x100000, RIPAS_RAM))
        self.assertEqual(r['reboot-rem1'][:2], (RSI_SUCCESS, 0))
        self.assertEqual(r['reboot-token-continue'][0], RSI_ERROR_STATE)
        # ... and measured as at the cold start
        self.assertEqual(r['rim-after-reboot'], r['rim'])
        self.assertEqual(info['shared-bytes'], 0)

    def test_system_reset_restarts_a_cold_realm(self):
        self.launch_realm('-S')
        cold = self.qmp('query-realm')
        # The megabyte at the start of RAM holds the DTB, which the RIM
        # measures only if it is private
        self.qmp('x-realm-set-ipa-state', gpa=0x40000000, size=0x100000,
                    state='shared')
        self.assertEqual(self.qmp('query-realm')['shared-bytes'],
                         0x100000)
        self.qmp('system_reset')
        info = self.qmp('query-realm')
        self.assertEqual(info['shared-bytes'], 0)
        self.assertEqual(info['rim'], cold['rim'])

    def test_refused_share_is_rejected_and_undone(self):
        """
        A device's container that refuses the MAP of a granule the Realm
        shares makes RSI_IPA_STATE_SET answer REJECT with no progress,
        and the granule stays RIPAS RAM: the conversion fails closed.
        iommu-notifier-testdev plays a VFIO container with room for one
        mapping, which the host takes before the Realm runs.
        """
        taken = 0x48000000

        def fill_the_container():
            self.qmp('x-realm-set-ipa-state', gpa=taken, size=4096,
                     state='shared')

        r = self.run_probe('-device',
                           'iommu-notifier-testdev,unmap-exact=on,'
                           'max-mappings=1',
                           before_start=fill_the_container)
        page = r['set-unaligned'][1] - 1
        self.assertEqual(r['set-empty'], (RSI_SUCCESS, page, REJECT))
        self.assertEqual(r['get-after-empty'][0], RSI_SUCCESS)
        self.assertEqual(r['get-after-empty'][2], RIPAS_RAM)
        shared = self.qmp('query-realm-shared-memory')
        self.assertGreaterEqual(shared['refused-maps'], 1)
        self.assertEqual(shared['lost-maps'], 0)


if __name__ == '__main__':
    QemuSystemTest.main()
