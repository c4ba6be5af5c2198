#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
One Realm boot under the ASan/UBSan build (build-aux/sanitizer-tests):
TCG, the Debian kernel, virtio-blk through the shared half, and a CCA
attestation token read through configfs-tsm.  The guest reads and writes
the disk and asks for a token; the test checks the data, verifies the
token, and that QEMU exited cleanly: a sanitizer report aborts QEMU
(abort_on_error), which fails the test.

It lives outside tests/functional so that the normal functional stage
does not run it: it is the same boot as test_realm_tcg_boot and
test_realm_attestation, only slower.
"""

import os

from qemu_realm import DiskImage
from qemu_realm.cca_token import CcaToken
from qemu_realm.guest import GuestTest

MIB = 1 << 20

SCRIPT = '''
wait_dev /dev/vda
mark read "$(head -c 4194304 /dev/vda | sha256sum | cut -d' ' -f1)"
dd if=/dev/vda of=/dev/vda bs=1M count=1 seek=6 conv=fsync 2>/dev/null &&
    mark wrote
sync
'''


class SanitizerBoot(GuestTest):

    timeout = 300

    def test_realm_disk_and_token(self):
        disk = DiskImage(self.scratch_file('disk.raw'), 8 * MIB)
        challenge = os.urandom(64)
        self.launch_realm(
            SCRIPT + self.token_script(challenge),
            modules=['virtio_blk', 'configfs', 'tsm_report', 'arm-cca-guest'],
            args=['-drive', f'file={disk.path},format=raw,if=none,id=d0',
                  '-device', 'virtio-blk-pci,drive=d0,iommu_platform=on,'
                  'disable-legacy=on'])
        self.wait_console('RME: Using RSI version 1.0')
        self.assertEqual(self.wait_marker('read'), disk.sha256(0, 4 * MIB))
        self.wait_marker('wrote')
        token = CcaToken(self.read_token())
        self.assertEqual(token.challenge, challenge)
        info = self.qmp('query-realm')
        self.assertEqual(token.rim.hex(), info['rim'])
        self.assertGreater(info['shared-bytes'], 0)
        self.wait_poweroff()        # and QEMU exited with status 0
        self.assertEqual(disk.read(6 * MIB, MIB), disk.data[:MIB])


if __name__ == '__main__':
    GuestTest.main()
