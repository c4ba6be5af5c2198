#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The guest harness on a plain (non-Realm) virt machine.

Boots the Debian arm64 kernel with a busybox /init, loads virtio_blk from
the assets, and moves data through a virtio-blk-pci disk in both
directions; the host checks what the guest read and wrote.  Realm tests
run the same flow with an rme-guest and compare against this baseline.
"""

from qemu_realm import DiskImage
from qemu_realm.guest import GuestTest

MIB = 1 << 20


class GuestHarness(GuestTest):

    def test_init_runs_and_reports_kernel(self):
        self.launch_guest('mark uname "$(uname -r)"\n')
        self.assertEqual(self.wait_marker('uname'), '7.2.13+deb14-arm64')
        self.wait_poweroff()

    def test_virtio_blk_read_write_checked_on_host(self):
        disk = DiskImage(self.scratch_file('disk.raw'), 8 * MIB)
        self.launch_guest(
            'wait_dev /dev/vda\n'
            'mark read "$(head -c 4194304 /dev/vda | sha256sum)"\n'
            # Copy the first MiB to 6 MiB and make sure it reaches the disk.
            'dd if=/dev/vda of=/dev/vda bs=1M count=1 seek=6 conv=fsync '
            '  2>/dev/null || fail dd\n'
            'sync\n',
            modules=['virtio_blk'],
            args=['-drive', f'file={disk.path},format=raw,if=none,id=d0',
                  '-device', 'virtio-blk-pci,drive=d0,'
                             'iommu_platform=on,disable-legacy=on'])
        read = self.wait_marker('read').split()[0]
        self.assertEqual(read, disk.sha256(0, 4 * MIB),
                         'guest read different data than the host wrote')
        self.wait_poweroff()
        self.assertEqual(disk.read(6 * MIB, MIB), disk.data[:MIB],
                         'guest write did not reach the disk image')
        self.assertEqual(disk.read(7 * MIB, MIB), disk.data[7 * MIB:],
                         'guest wrote outside the range it was asked to')

    def test_virtio_blk_mmio_still_works_outside_realms(self):
        """A plain machine's virtio-mmio transports are unchanged."""
        disk = DiskImage(self.scratch_file('disk.raw'), 8 * MIB)
        self.launch_guest(
            'wait_dev /dev/vda\n'
            'mark read "$(head -c 4194304 /dev/vda | sha256sum)"\n',
            modules=['virtio_mmio', 'virtio_blk'],
            args=['-drive', f'file={disk.path},format=raw,if=none,id=d0',
                  '-device', 'virtio-blk-device,drive=d0'])
        read = self.wait_marker('read').split()[0]
        self.assertEqual(read, disk.sha256(0, 4 * MIB))
        self.wait_poweroff()


if __name__ == '__main__':
    GuestTest.main()
