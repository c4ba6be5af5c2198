#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
An unmodified Debian arm64 kernel boots as an Arm CCA Realm under TCG,
with QEMU answering the Realm Services Interface, and its virtio DMA goes
through the shared half of the IPA space.
"""

import hashlib
import os
import socket
import threading

from qemu_realm import DiskImage
from qemu_realm.guest import GuestTest

MIB = 1 << 20

VIRTIO_BLK = 'virtio-blk-pci,drive=d0,iommu_platform=on,disable-legacy=on'

# Read 4 MiB, copy the first MiB to 6 MiB.  A broken DMA path leaves the
# I/O stuck in the kernel, where no signal reaches it, so the I/O runs in
# the background and /init reports 'none' if it has not finished in time.
DISK_SCRIPT = '''
wait_dev /dev/vda
(head -c 4194304 /dev/vda | sha256sum > /tmp/read) &
for i in $(seq 200); do [ -s /tmp/read ] && break; sleep 0.1; done
if [ -s /tmp/read ]; then mark read "$(cat /tmp/read)"; else mark read none; fi
'''

# Without working DMA even loading virtio_blk blocks (it reads the
# partition table), so everything that may block runs in the background.
STUCK_DISK_SCRIPT = '''
insmod /lib/modules/virtio_blk.ko &
(for i in $(seq 100); do [ -e /dev/vda ] && break; sleep 0.1; done
 head -c 4194304 /dev/vda | sha256sum > /tmp/read) &
for i in $(seq 200); do [ -s /tmp/read ] && break; sleep 0.1; done
if [ -s /tmp/read ]; then mark read "$(cat /tmp/read)"; else mark read none; fi
'''

WRITE_SCRIPT = '''
dd if=/dev/vda of=/dev/vda bs=1M count=1 seek=6 conv=fsync 2>/dev/null &&
    mark wrote
sync
'''


class RealmTcgBoot(GuestTest):

    timeout = 180

    def disk_args(self, disk):
        return ['-drive', f'file={disk.path},format=raw,if=none,id=d0',
                '-device', VIRTIO_BLK]

    def test_kernel_finds_rsi_and_boots(self):
        self.launch_realm('mark rsi "$(dmesg | grep -c "RME: Using RSI")"\n')
        self.wait_console('RME: Using RSI version 1.0')
        self.assertEqual(self.wait_marker('rsi'), '1')
        self.wait_poweroff()

    def test_virtio_blk_through_shared_half(self):
        disk = DiskImage(self.scratch_file('disk.raw'), 8 * MIB)
        self.launch_realm(DISK_SCRIPT + WRITE_SCRIPT +
                          'mark bounce "$(dmesg | grep -c '
                          '"using DMA bounce buffers")"\n',
                          modules=['virtio_blk'], args=self.disk_args(disk))
        read = self.wait_marker('read').split()[0]
        self.assertEqual(read, disk.sha256(0, 4 * MIB),
                         'guest read different data than the host wrote')
        self.wait_marker('wrote')
        # The guest bounced its DMA through memory it shared
        self.assertEqual(self.wait_marker('bounce'), '1')
        info = self.qmp('query-realm')
        self.assertGreater(info['shared-bytes'], 0)
        self.assertEqual(info['denied-dma'], 0)
        self.wait_poweroff()
        self.assertEqual(disk.read(6 * MIB, MIB), disk.data[:MIB],
                         'guest write did not reach the disk image')
        self.assertEqual(disk.read(7 * MIB, MIB), disk.data[7 * MIB:],
                         'guest wrote outside the range it was asked to')

    def test_virtio_blk_mmio_through_shared_half(self):
        """
        The same disk on a virtio-mmio transport: the Realm's virtio-mmio
        DMA goes through the Realm DMA region too.
        """
        disk = DiskImage(self.scratch_file('disk.raw'), 8 * MIB)
        self.launch_realm(DISK_SCRIPT + WRITE_SCRIPT,
                          modules=['virtio_mmio', 'virtio_blk'],
                          args=['-drive', f'file={disk.path},format=raw,'
                                'if=none,id=d0',
                                '-device', 'virtio-blk-device,drive=d0'])
        read = self.wait_marker('read').split()[0]
        self.assertEqual(read, disk.sha256(0, 4 * MIB),
                         'guest read different data than the host wrote')
        self.wait_marker('wrote')
        info = self.qmp('query-realm')
        self.assertEqual(info['denied-dma'], 0)
        self.wait_poweroff()
        self.assertEqual(disk.read(6 * MIB, MIB), disk.data[:MIB],
                         'guest write did not reach the disk image')

    def test_virtio_net_moves_data_over_user_networking(self):
        """
        The guest downloads a blob from a TCP server on the host's
        loopback (slirp's 10.0.2.2), then uploads it back; both ends
        compare checksums.
        """
        payload = os.urandom(1 << 20)
        received = []
        srv = socket.socket()
        srv.bind(('127.0.0.1', 0))
        srv.listen(2)
        srv.settimeout(self.timeout)
        port = srv.getsockname()[1]

        def serve():
            with srv:
                conn, _ = srv.accept()          # download
                conn.settimeout(self.timeout)
                with conn:
                    conn.sendall(payload)
                conn, _ = srv.accept()          # upload
                conn.settimeout(self.timeout)
                with conn:
                    data = bytearray()
                    while chunk := conn.recv(65536):
                        data += chunk
                    received.append(bytes(data))
        server = threading.Thread(target=serve, daemon=True)
        server.start()

        self.launch_realm(f'''
ip link set eth0 up || fail "no eth0"
ip addr add 10.0.2.15/24 dev eth0
nc 10.0.2.2 {port} > /tmp/blob </dev/null || fail download
mark got "$(sha256sum < /tmp/blob)"
nc 10.0.2.2 {port} < /tmp/blob || fail upload
mark sent
''', modules=['failover', 'net_failover', 'virtio_net'],
                          # slirp turns 10.0.2.2 into the host's loopback
                          args=['-netdev', 'user,id=n0',
                                '-device', 'virtio-net-pci,netdev=n0,'
                                'romfile=,iommu_platform=on,'
                                'disable-legacy=on'])
        got = self.wait_marker('got').split()[0]
        self.assertEqual(got, hashlib.sha256(payload).hexdigest())
        self.wait_marker('sent')
        self.wait_poweroff()
        server.join(timeout=30)
        self.assertEqual(received, [payload])

    def test_without_dma_folding_the_disk_breaks(self):
        """
        The same disk test with the Realm DMA region's folding turned off:
        the device then sees the guest's top-half DMA addresses as they
        are, where nothing is mapped, so the data cannot be right.  This
        is what shows that guest DMA really goes through the shared half.
        """
        disk = DiskImage(self.scratch_file('disk.raw'), 8 * MIB)
        self.launch_realm(STUCK_DISK_SCRIPT, modules=['virtio_blk'],
                          args=self.disk_args(disk),
                          realm_options='x-dma-folding=off',
                          load_modules=False)
        read = self.wait_marker('read').split()[0]
        self.assertNotEqual(read, disk.sha256(0, 4 * MIB))
        self.assertEqual(read, 'none', 'the read should not complete')


if __name__ == '__main__':
    GuestTest.main()
