#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The Realm Services Interface under TCG answers bad arguments with the
architected errors, and nothing the guest passes can stop QEMU.

A small bare-metal program (realm-rsi-probe/, built at test time with
Debian's aarch64-linux-gnu-gcc) runs at EL1 in a Realm, calls RSI
directly with valid and invalid arguments and prints the results.
"""

import os
import re
import shutil

from qemu_realm.guest import RealmTestCase

RSI_SUCCESS = 0
RSI_ERROR_INPUT = 1
RSI_ERROR_STATE = 2
RSI_INCOMPLETE = 3
NOT_SUPPORTED = (1 << 64) - 1
RIPAS_EMPTY = 0
ACCEPT = 0


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
                          '-mgeneral-regs-only',
                          '-Wl,--no-warn-rwx-segments',
                          '-T', os.path.join(src, 'probe.ld'), '-o', elf,
                          os.path.join(src, 'start.S'),
                          os.path.join(src, 'probe.c')])
        return elf

    def run_probe(self):
        self.set_machine('virt')
        self.add_console()
        self.vm.add_args('-machine', 'confidential-guest-support=rme0',
                         '-object', 'rme-guest,id=rme0', '-accel', 'tcg',
                         '-cpu', 'max', '-m', '256M', '-nodefaults',
                         '-no-shutdown', '-kernel', self.build_probe())
        self.launch()
        results = {}
        lines = []
        while True:
            line = self.console_line()
            if line is None:
                self.fail_console('console closed before the probe finished')
            if 'RSI-PROBE: done' in line:
                break
            lines.append(line)
        buf = '\n'.join(lines)
        for m in re.finditer(r'RSI-PROBE: (\S+) x0=(\w+) x1=(\w+) x2=(\w+)',
                             buf):
            results[m.group(1)] = tuple(int(v, 16) for v in m.groups()[1:])
        m = re.search(r'RSI-PROBE: rim ((?:0x[0-9a-f]{16} ){8})', buf)
        self.assertIsNotNone(m, 'the probe printed no RIM')
        # x1..x8, each a little-endian 64-bit word of the measurement
        results['rim'] = b''.join(int(w, 16).to_bytes(8, 'little')
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

        for name in ('config-unaligned', 'config-outside-par',
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

        # Nothing stuck: the probe's granule went back to private
        self.assertEqual(info['shared-bytes'], 0)
        self.assertEqual(info['state'], 'active')


if __name__ == '__main__':
    RealmTestCase.main()
