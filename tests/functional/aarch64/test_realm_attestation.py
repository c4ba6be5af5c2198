#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Realm measurements and attestation under TCG: the guest asks for a CCA
attestation token through configfs-tsm (arm-cca-guest), and the test
verifies it against QEMU's view of the Realm; the Realm Initial
Measurement follows what is loaded into the Realm.
"""

import base64
import os
import shutil

from qemu_realm.cca_token import CcaToken
from qemu_realm.guest import GuestTest

class RealmAttestation(GuestTest):

    timeout = 240

    def test_token_verifies_and_matches_the_realm(self):
        challenge = os.urandom(64)
        rpv = bytes(range(64))
        self.launch_realm(self.token_script(challenge),
                          modules=['configfs', 'tsm_report', 'arm-cca-guest'],
                          realm_options='personalization-value=' +
                          base64.b64encode(rpv).decode())
        self.assertEqual(self.wait_marker('provider'), 'arm_cca_guest')
        size = int(self.wait_marker('size'))
        raw = self.read_token()
        self.assertEqual(len(raw), size)

        token = CcaToken(raw)       # both signatures, RAK binding, profile
        self.assertEqual(token.challenge, challenge,
                         'the token does not echo the challenge')
        self.assertEqual(token.rpv, rpv)
        self.assertEqual(token.hash_algo, 'sha-512')
        info = self.qmp('query-realm')
        self.assertEqual(info['state'], 'active')
        self.assertEqual(info['backend'], 'tcg')
        self.assertEqual(token.rim.hex(), info['rim'])
        self.assertEqual(len(token.rim), 64)
        self.assertNotEqual(token.rim, bytes(64))
        self.assertEqual([r.hex() for r in token.rems], info['rems'])
        self.assertEqual(token.rems, [bytes(64)] * 4)
        hmp = self.qmp('human-monitor-command', command_line='info realm')
        self.assertIn(f'rim: {info["rim"]}', hmp)
        self.assertIn('state: active', hmp)
        self.wait_poweroff()

    def test_tampered_token_fails_verification(self):
        """The verifier is not a rubber stamp: flip a bit, it refuses."""
        challenge = bytes(64)
        self.launch_realm(self.token_script(challenge),
                          modules=['configfs', 'tsm_report', 'arm-cca-guest'])
        self.wait_marker('size')
        raw = bytearray(self.read_token())
        CcaToken(bytes(raw))
        # The last bytes are the realm token's signature
        raw[-1] ^= 1
        with self.assertRaises(Exception):
            CcaToken(bytes(raw))
        self.wait_poweroff()


class RealmMeasurement(GuestTest):
    """The RIM under -accel qtest: the Realm is built and measured only."""

    timeout = 120

    def rim(self, kernel, realm_options=''):
        vm = self.get_vm(name=f'rim{len(self._vms)}')
        vm.set_machine('virt')
        options = 'rme-guest,id=rme0' + (',' + realm_options
                                         if realm_options else '')
        vm.add_args('-machine', 'confidential-guest-support=rme0',
                    '-object', options, '-accel', 'qtest', '-qtest', 'null',
                    '-cpu', 'max', '-m', self.memory, '-nodefaults',
                    '-kernel', kernel, '-append', self.append)
        self.launch(vm)
        info = self.qmp('query-realm', vm=vm)
        vm.shutdown()
        self.assertEqual(info['state'], 'active')
        self.assertEqual(info['backend'], 'qtest')
        return info['rim']

    def test_rim_follows_the_loaded_kernel(self):
        kernel = self.assets.kernel()
        base = self.rim(kernel)
        self.assertEqual(len(base), 128)
        self.assertEqual(self.rim(kernel), base,
                         'the RIM is not reproducible')
        changed = self.scratch_file('Image')
        shutil.copyfile(kernel, changed)
        with open(changed, 'r+b') as f:
            f.seek(0x100000)
            byte = f.read(1)
            f.seek(0x100000)
            f.write(bytes([byte[0] ^ 0x80]))
        self.assertNotEqual(self.rim(changed), base,
                            'a changed kernel byte left the RIM unchanged')

    def test_rim_parameters(self):
        kernel = self.assets.kernel()
        base = self.rim(kernel)
        sha256 = self.rim(kernel, 'measurement-algorithm=sha256')
        self.assertEqual(len(sha256), 64)
        self.assertNotEqual(sha256, base[:64])
        # RMM 1.0 B4.3.9.4: the IPA size is measured ...
        self.assertNotEqual(self.rim(kernel, 'ipa-bits=42'), base)
        # ... the RPV is not: it is a claim of the token instead
        rpv = base64.b64encode(b'\x5a' * 64).decode()
        self.assertEqual(self.rim(kernel, f'personalization-value={rpv}'),
                         base)


if __name__ == '__main__':
    GuestTest.main()
