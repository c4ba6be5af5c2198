#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The verifier's path, end to end, under TCG:

  1. dump the DTB the Realm will get (-machine dumpdtb=);
  2. compute the reference RIM and the expected measurement log offline
     with scripts/realm-rim.py;
  3. boot the Debian kernel as a Realm with measurement-log=on and fetch
     its CCA attestation token through configfs-tsm;
  4. verify the token, replay the Realm's measurement log (read through
     QMP) and compare: replayed RIM == token RIM == reference RIM, and the
     Realm's log == the offline log, byte for byte.

The offline log of the KVM v14 test vector must replay to that vector's
RIM, as a real RMM computed it.
"""

import base64
import os
import subprocess
import sys

from qemu_realm.cca_token import CcaToken
from qemu_realm.guest import GuestTest
from qemu_realm.reference import (VECTOR_RIM, realm_rim, script_path,
                                  vector_dir)

MODULES = ['configfs', 'tsm_report', 'arm-cca-guest']


class RealmMeasurementLog(GuestTest):

    timeout = 300

    def dump_dtb(self, initrd, realm_options, name):
        """The DTB of launch_realm()'s command line, through dumpdtb"""
        dtb = self.scratch_file(name)
        vm = self.get_vm(name=name)
        vm.set_machine('virt')
        vm.set_qmp_monitor(enabled=False)
        vm.add_args('-machine', 'confidential-guest-support=rme0',
                    '-object', 'rme-guest,id=rme0,' + realm_options,
                    '-accel', 'tcg', '-cpu', 'max', '-m', self.memory,
                    '-kernel', self.assets.kernel(), '-initrd', initrd,
                    '-append', self.append, '-nodefaults', '-no-reboot',
                    '-machine', 'dumpdtb=' + dtb)
        self.launch(vm)
        self.wait_exit(vm)
        with open(dtb, 'rb') as f:
            return dtb, f.read()

    def test_verifier_path(self):
        challenge = os.urandom(64)
        script = self.token_script(challenge)
        options = 'measurement-log=on'
        # The same initramfs bytes launch_realm() will build
        initrd = self.initramfs(script, MODULES)

        dtb, dtb_on = self.dump_dtb(initrd, options, 'log-on.dtb')
        _, dtb_off = self.dump_dtb(initrd, 'measurement-log=off',
                                   'log-off.dtb')
        self.assertEqual(dtb_on, dtb_off,
                         'the log changed what the Realm measures')

        offline_log = self.scratch_file('offline.log')
        reference = realm_rim(
            '--mode', 'tcg', '--kernel', self.assets.kernel(),
            '--initrd', initrd, '--dtb', dtb, '-m', self.memory,
            '--log', offline_log)

        self.launch_realm(script, modules=MODULES, realm_options=options)
        # The log is there from the start (the guest powers off at the end)
        ret = self.qmp('query-realm-measurement-log')
        raw = self.read_token()
        token = CcaToken(raw)           # signatures, RAK binding, profile
        self.assertEqual(token.challenge, challenge)

        self.assertEqual(ret['algorithm'], 'sha512')
        realm_log = self.scratch_file('realm.log')
        with open(realm_log, 'wb') as f:
            f.write(base64.b64decode(ret['data']))
        replayed = realm_rim('--replay', realm_log, '--image',
                                  self.assets.kernel(), '--image', initrd,
                                  '--image', dtb)
        self.assertEqual(replayed, token.rim.hex(),
                         'the replayed log does not give the token\'s RIM')
        self.assertEqual(reference, token.rim.hex(),
                         'the reference value is not the token\'s RIM')
        with open(offline_log, 'rb') as a, open(realm_log, 'rb') as b:
            self.assertEqual(a.read(), b.read(),
                             'the offline log differs from the Realm\'s')
        self.wait_poweroff()

    def test_vector_log_replays_to_the_rmm_rim(self):
        """The offline log of the KVM v14 vector replays to its RIM"""
        vec = vector_dir()
        if not vec:
            self.skipTest('../shared/testvectors/realm-rim-kvm-v14 not found')
        log = self.scratch_file('vector.log')
        args = ['--mode', 'kvm-v14', '--kernel', self.assets.kernel(),
                '--initrd', os.path.join(vec, 'initrd.gz'),
                '--dtb', os.path.join(vec, 'kvm-virt.dtb'), '-m', '256M',
                '--num-bps', '5', '--num-wps', '3']
        self.assertEqual(realm_rim(*args, '--log', log), VECTOR_RIM)
        images = ['--image', self.assets.kernel(),
                  '--image', os.path.join(vec, 'initrd.gz'),
                  '--image', os.path.join(vec, 'kvm-virt.dtb')]
        self.assertEqual(realm_rim('--replay', log, *images),
                         VECTOR_RIM)
        # Without the DTB the log cannot be replayed: it says which image
        out = subprocess.run([sys.executable, script_path(), '--replay', log,
                              *images[:4]], capture_output=True, text=True,
                             timeout=120)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn('DTB', out.stderr)


if __name__ == '__main__':
    GuestTest.main()
