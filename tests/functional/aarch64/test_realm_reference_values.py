#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Reference values: scripts/realm-rim.py computes a Realm's RIM offline,
from the kernel, initrd, DTB (-machine dumpdtb=) and machine options.
It must give the RIM a real RMM computed for the KVM CCA v14 test vector
(../shared/testvectors/realm-rim-kvm-v14), and the RIM that QEMU reports
under TCG for the same command line.  The script shares no code with
QEMU, so each checks the other.
"""

import os

from qemu_realm.guest import GuestTest
from qemu_realm.reference import VECTOR_RIM, realm_rim, vector_dir
from qemu_realm.initramfs import Initramfs


class RealmReferenceValues(GuestTest):

    timeout = 300

    def test_kvm_v14_vector(self):
        vec = vector_dir()
        if not vec:
            self.skipTest('../shared/testvectors/realm-rim-kvm-v14 not found')
        rim = realm_rim(
            '--mode', 'kvm-v14', '--kernel', self.assets.kernel(),
            '--initrd', os.path.join(vec, 'initrd.gz'),
            '--dtb', os.path.join(vec, 'kvm-virt.dtb'), '-m', '256M',
            '--num-bps', '5', '--num-wps', '3')
        self.assertEqual(rim, VECTOR_RIM)

    def qemu(self, name, cpu, memory, realm_options, initrd, extra=()):
        vm = self.get_vm(name=name)
        vm.set_machine('virt')
        vm.add_args('-machine', 'confidential-guest-support=rme0',
                    '-object', 'rme-guest,id=rme0,' + realm_options,
                    '-accel', 'tcg', '-cpu', cpu, '-m', memory,
                    '-smp', '2', '-nodefaults', '-display', 'none',
                    '-kernel', self.assets.kernel(), '-initrd', initrd,
                    '-append', self.append, *extra)
        return vm

    def check_tcg(self, cpu, memory, algorithm):
        rd = Initramfs()
        rd.add_busybox(self.assets.busybox())
        rd.add_file('init', '#!/bin/sh\npoweroff -f\n', 0o755)
        initrd = rd.write(self.scratch_file('initrd-%s.gz' % algorithm))
        options = 'measurement-algorithm=' + algorithm
        dtb = self.scratch_file('virt-%s.dtb' % algorithm)

        # The verifier's step 1: the DTB the Realm will get
        dump = self.qemu('dump-' + algorithm, cpu, memory, options, initrd,
                         ['-machine', 'dumpdtb=' + dtb])
        dump.set_qmp_monitor(enabled=False)
        self.launch(dump)
        self.wait_exit(dump)
        self.assertTrue(os.path.getsize(dtb) > 0)

        # Step 2: the reference value, offline
        args = ['--mode', 'tcg', '--kernel', self.assets.kernel(),
                '--initrd', initrd, '--dtb', dtb, '-m', memory,
                '--algorithm', algorithm, '--cpu', cpu]
        expected = realm_rim(*args)

        # Step 3: the Realm, stopped before its first instruction
        vm = self.qemu('realm-' + algorithm, cpu, memory, options, initrd,
                       ['-S'])
        self.launch(vm)
        info = self.qmp('query-realm', vm=vm)
        self.quit(vm)
        self.assertEqual(info['ipa-bits'], 41)
        self.assertEqual(info['rim'], expected)
        return expected

    def test_tcg_matches_query_realm(self):
        """-cpu max: SVE, PMU, breakpoints and watchpoints measured"""
        self.check_tcg('max', '256M', 'sha512')

    def test_tcg_matches_query_realm_sha256(self):
        self.check_tcg('max,sve=off,pmu=off', '384M', 'sha256')


if __name__ == '__main__':
    GuestTest.main()
