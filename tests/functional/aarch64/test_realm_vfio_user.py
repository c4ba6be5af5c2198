#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
A real VFIO consumer of a Realm's DMA mappings: QEMU's vfio-user-pci
client and the project's libvfio-user server (tests/vfio-user), which
records every DMA map and unmap, applies type1-like rules and does device
DMA through its mappings when asked.

The server must end up with exactly the memory the Realm shares: one
mapping per maximal aligned power-of-two block of the shared set, at
gpa | shared bit, with nothing refused; a conversion that the server
cannot take fails and leaves everything as it was.
"""

import json
import os

from qemu_realm.guest import GuestTest
from qemu_realm.vfio_user import VfioUserServer, blocks, merge

KIB = 1 << 10
MIB = 1 << 20
# virt's RAM starts at 1 GiB; the memfd backend's file offsets count from
# there, so a mapping of gpa has file offset gpa - RAM_BASE.
RAM_BASE = 0x40000000
MEMORY = '1G'
RAM_ARGS = ['-object', f'memory-backend-memfd,id=mem,size={MEMORY},share=on',
            '-machine', 'memory-backend=mem']
DEVICE = ('0x1234', '0x11ea')
# The Realm's IPA size, fixed so that the guest script knows the shared bit
IPA_BITS = 41

# The guest checks that it sees the device and its BAR0 identification
# register ("RDMA"), read through vfio-user, then waits for the host.
# MMIO is RIPAS EMPTY: a Realm reaches it at its unprotected alias (the
# shared bit set); at the protected address it takes an external abort,
# as on an RMM.
FIND_DEVICE = f'''
dev=
for d in /sys/bus/pci/devices/*; do
    [ "$(cat $d/vendor) $(cat $d/device)" = "{DEVICE[0]} {DEVICE[1]}" ] && dev=$d
done
[ -n "$dev" ] || fail "no {DEVICE[0]}:{DEVICE[1]} device"
echo 1 > $dev/enable
bar=$(( $(head -n 1 $dev/resource | cut -d' ' -f1) | {1 << (IPA_BITS - 1)} ))
mark bar0 "$(devmem $bar 32)"
mark ready
sleep 600
'''


class RealmVfioUserTest(GuestTest):
    """Helpers shared by the booted and the guest-less tests."""

    memory = MEMORY
    timeout = 240

    def setUp(self):
        super().setUp()
        self.servers = []

    def tearDown(self):
        try:
            super().tearDown()          # QEMU first, then its servers
        finally:
            for server in self.servers:
                server.stop()

    def start_server(self, **kwargs):
        server = VfioUserServer(log_dir=self.outputdir, **kwargs)
        self.servers.append(server)
        return server

    def qmp(self, cmd, **args):
        return self.vm.cmd(cmd, **args)

    def set_state(self, gpa, size, state):
        """x-realm-set-ipa-state; the QMP response (return or error)."""
        return self.vm.qmp('x-realm-set-ipa-state', gpa=gpa, size=size,
                           state=state)

    def shared_memory(self):
        """query-realm-shared-memory as (ranges, mappings) pair lists."""
        shm = self.qmp('query-realm-shared-memory')
        return ([(r['base'], r['size']) for r in shm['ranges']],
                [(m['base'], m['size']) for m in shm['mappings']])

    def read_gpa(self, gpa, size):
        """Guest memory at @gpa as QEMU sees it (pmemsave)."""
        path = self.scratch_file(f'mem-{gpa:x}')
        self.qmp('pmemsave', val=gpa, size=size, filename=path)
        with open(path, 'rb') as f:
            data = f.read()
        os.unlink(path)
        return data

    def assert_nothing_refused(self, server):
        refused = [e for e in server.events()
                   if e['op'] in ('map', 'unmap') and e['result']]
        self.assertEqual(refused[:5], [],
                         f'the server refused {len(refused)} DMA events')

    def assert_mapped_as_shared(self, server):
        """
        The server's mappings are the Realm's shared set: the blocks QEMU
        says it notified, covering exactly the shared ranges, each at
        gpa | shared bit, split as the canonical decomposition.
        """
        sbit = self.qmp('query-realm')['shared-bit']
        shared_bytes = self.qmp('query-realm')['shared-bytes']
        ranges, mappings = self.shared_memory()
        maps = server.maps()
        self.assertEqual(maps, sorted(mappings),
                         'server mappings differ from what QEMU notified')
        for iova, size in maps:
            self.assertTrue(iova & sbit, f'IOVA {iova:#x} lacks the shared bit')
        gpas = [(iova & ~sbit, size) for iova, size in maps]
        self.assertEqual(merge(gpas), merge(ranges),
                         'mapped memory is not the shared memory')
        self.assertEqual(sum(s for _, s in maps), shared_bytes)
        canonical = [b for r in merge(ranges) for b in blocks(*r)]
        self.assertEqual(gpas, canonical,
                         'mappings are not the maximal aligned blocks')
        # Each mapping points at its gpa in the memory backend
        live = {(e['iova'], e['size']): e for e in server.events('map')
                if not e['result']}
        for iova, size in maps:
            self.assertEqual(live[(iova, size)]['offset'],
                             (iova & ~sbit) - RAM_BASE,
                             f'mapping {iova:#x} has the wrong file offset')
        return sbit, maps


class RealmVfioUserBoot(RealmVfioUserTest):
    """A Debian kernel booted as a Realm with the device attached."""

    def launch_with_device(self, server):
        self.launch_realm(FIND_DEVICE, realm_options=f'ipa-bits={IPA_BITS}',
                          args=[*RAM_ARGS, '-device',
                                json.dumps(server.device_json())])

    def test_boot_shared_set_is_mapped(self):
        server = self.start_server()
        self.launch_with_device(server)
        self.assertEqual(self.wait_marker('bar0'), '0x414D4452')
        self.wait_marker('ready')
        self.qmp('stop')
        self.assert_nothing_refused(server)
        _, maps = self.assert_mapped_as_shared(server)
        self.assertGreater(len(maps), 0, 'the Realm shared nothing')
        self.assertLessEqual(len(maps), 16)

    def test_device_dma_and_unsharing(self):
        """
        Device DMA into a page the guest shared lands at its gpa; after the
        page is made private (splitting the block it was in) the server
        has no mapping for it, its DMA faults and memory is unchanged.
        """
        # Splitting the largest block in the middle takes about
        # 2 * log2(its pages) mappings: more than libvfio-user's 16
        server = self.start_server(exact_unmap=True, max_maps=64)
        self.launch_with_device(server)
        self.wait_marker('ready')
        self.qmp('stop')
        sbit, maps = self.assert_mapped_as_shared(server)
        iova, size = max(maps, key=lambda m: m[1])
        self.assertGreaterEqual(size, 16 * KIB, 'no block to split')
        page = iova + size // 2         # inside the block, not at an edge
        gpa = page & ~sbit
        data = os.urandom(4 * KIB)
        self.assertEqual(server.dma_write(page, data), {'ok': True})
        self.assertEqual(self.read_gpa(gpa, len(data)), data,
                         'device DMA did not land at the gpa')
        self.assertEqual(server.dma_read(page, 64)['data'], data[:64])

        self.assertIn('return', self.set_state(gpa, 4 * KIB, 'private'))
        # Private again: as on an RMM, the host's data is gone
        private = self.read_gpa(gpa, len(data))
        self.assertNotEqual(private, data, 'the shared contents survived')
        self.assert_nothing_refused(server)
        self.assert_mapped_as_shared(server)
        for m_iova, m_size in server.maps():
            self.assertFalse(m_iova <= page < m_iova + m_size,
                             f'{page:#x} is private but still mapped')
        reply = server.dma_write(page, os.urandom(4 * KIB))
        self.assertFalse(reply['ok'], 'DMA to a private page succeeded')
        self.assertIn('no mapping', reply['error'])
        self.assertEqual(self.read_gpa(gpa, len(data)), private,
                         'a refused DMA changed memory')
        # The neighbours stay reachable
        self.assertEqual(server.dma_write(page - 4 * KIB, b'\xa5' * 8),
                         {'ok': True})

    def test_guest_conversion_refused_by_the_server(self):
        """
        A server with room for 4 mappings cannot take the swiotlb pool the
        kernel shares at boot: RSI_IPA_STATE_SET is rejected, and the Realm
        and the server still agree on what is shared and mapped.
        """
        server = self.start_server(max_maps=4)
        self.launch_realm('mark ready\nsleep 600\n', args=[
            *RAM_ARGS, '-device', json.dumps(server.device_json())])
        # Linux keeps the pool private and leaks it rather than use it
        self.wait_console('Failed to decrypt memory')
        self.wait_marker('ready')
        self.qmp('stop')
        refused = [e for e in server.events('map') if e['result']]
        self.assertTrue(refused, 'the server refused nothing')
        self.assertLess(self.qmp('query-realm')['shared-bytes'], 64 * MIB,
                        'the refused swiotlb pool counts as shared')
        self.assert_mapped_as_shared(server)
        self.assertLessEqual(len(server.maps()), 4)

    def test_hotplug_gets_shared_set_by_replay(self):
        """device_add after boot: the replay maps what is shared now."""
        server = self.start_server()
        self.launch_realm('mark ready\nsleep 600\n', args=[
            *RAM_ARGS, '-device',
            'pcie-root-port,id=rp0,bus=pcie.0,chassis=1'])
        self.wait_marker('ready')
        self.qmp('device_add', **server.device_json('vu0', bus='rp0'))
        server.wait_connected()
        self.qmp('stop')
        self.assert_nothing_refused(server)
        _, maps = self.assert_mapped_as_shared(server)
        self.assertGreater(len(maps), 0)


class RealmVfioUserConversions(RealmVfioUserTest):
    """
    Conversions with x-realm-set-ipa-state on a Realm that runs no code
    (-S): nothing but the test changes what is shared.
    """

    timeout = 120

    def launch_bare(self, server):
        self.set_machine('virt')
        self.vm.add_args('-machine', 'confidential-guest-support=rme0',
                         '-object', 'rme-guest,id=rme0', '-accel', 'tcg',
                         '-cpu', 'max', '-m', self.memory, '-nodefaults',
                         '-S', *RAM_ARGS,
                         '-device', json.dumps(server.device_json()))
        self.vm.launch()
        self.assertEqual(server.maps(), [])

    def share(self, gpa, size):
        resp = self.set_state(gpa, size, 'shared')
        self.assertIn('return', resp, f'sharing {gpa:#x}+{size:#x}: {resp}')

    def unshare(self, gpa, size):
        resp = self.set_state(gpa, size, 'private')
        self.assertIn('return', resp, f'unsharing {gpa:#x}+{size:#x}: {resp}')

    def test_conversions_keep_the_server_in_step(self):
        server = self.start_server(exact_unmap=True, max_maps=64)
        self.launch_bare(server)
        sbit = self.qmp('query-realm')['shared-bit']
        base = RAM_BASE + 16 * MIB

        self.share(base, 2 * MIB)
        self.assertEqual(server.maps(), [(sbit | base, 2 * MIB)])
        # Next to it, and a page inside it made private again
        self.share(base + 2 * MIB, 4 * KIB)
        self.assert_mapped_as_shared(server)
        self.unshare(base + 8 * KIB, 4 * KIB)
        self.assert_mapped_as_shared(server)
        hole = sbit | (base + 8 * KIB)
        self.assertEqual([m for m in server.maps()
                          if m[0] <= hole < m[0] + m[1]], [],
                         'the page made private is still mapped')
        # Every other page of a window, then the holes
        frag = RAM_BASE + 64 * MIB
        for off in range(0, 64 * KIB, 8 * KIB):
            self.share(frag + off, 4 * KIB)
        self.assert_mapped_as_shared(server)
        for off in range(4 * KIB, 64 * KIB, 8 * KIB):
            self.share(frag + off, 4 * KIB)
        self.assert_mapped_as_shared(server)
        self.assertIn((sbit | frag, 64 * KIB), server.maps())

        self.unshare(RAM_BASE, 1 << 30)
        self.assertEqual(server.maps(), [])
        self.assert_mapped_as_shared(server)

        # All of RAM, an aligned 1 GiB: one mapping
        self.share(RAM_BASE, 1 << 30)
        self.assertEqual(server.maps(), [(sbit | RAM_BASE, 1 << 30)])
        self.unshare(RAM_BASE, 1 << 30)
        self.assertEqual(server.maps(), [])
        self.assert_nothing_refused(server)
        unmaps = server.events('unmap')
        self.assertTrue(unmaps)
        self.assertEqual([e for e in unmaps if e['removed'] != 1], [],
                         'an unmap did not match exactly one earlier map')

    def check_limit(self, advertise):
        server = self.start_server(max_maps=4, advertise=advertise)
        self.launch_bare(server)
        for i in range(3):
            self.share(RAM_BASE + i * 64 * KIB, 4 * KIB)
        before = (server.maps(), self.shared_memory(),
                  self.qmp('query-realm')['shared-bytes'])
        self.assertEqual(len(before[0]), 3)
        # 12 KiB at a 256 KiB boundary is two blocks: one more than fits
        resp = self.set_state(RAM_BASE + 256 * KIB, 12 * KIB, 'shared')
        self.assertIn('error', resp, 'a conversion beyond the limit worked')
        self.error = resp['error']['desc']
        after = (server.maps(), self.shared_memory(),
                 self.qmp('query-realm')['shared-bytes'])
        self.assertEqual(after, before, 'the failed conversion left traces')
        # The limit itself is usable
        self.share(RAM_BASE + 512 * KIB, 4 * KIB)
        self.assertEqual(len(server.maps()), 4)
        self.assert_mapped_as_shared(server)
        return server

    def test_advertised_limit_refuses_conversion_cleanly(self):
        self.check_limit(advertise=True)
        self.assertIn('at most 4 DMA mappings', self.error)

    def test_server_refusal_fails_conversion_cleanly(self):
        server = self.check_limit(advertise=False)
        refused = [e for e in server.events('map') if e['result']]
        self.assertEqual(len(refused), 1, 'expected one refused MAP')
        self.vm.shutdown()
        errors = [line for line in self.vm.get_log().splitlines()
                  if 'dma_map' in line]
        self.assertLessEqual(len(errors), 1, 'one refusal, many messages')


if __name__ == '__main__':
    GuestTest.main()
