#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qemu-realm demo: boot the Debian arm64 kernel as an Arm CCA Realm on the
virt board under TCG, with QEMU answering the Realm Services Interface;
move data through a virtio-blk-pci disk, which the Realm reaches through
the shared half of its address space; print what happened.

usage: realm-demo.py --qemu QEMU --assets DIR [--keep]

The guest's console is streamed to stdout as it boots; a summary follows.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'tests', 'functional'))
# pylint: disable=wrong-import-position
from qemu_realm.assets import GuestAssets      # noqa: E402
from qemu_realm.disk import DiskImage          # noqa: E402
from qemu_realm.init import INIT_PROLOGUE, INIT_EPILOGUE, MARKER  # noqa: E402
from qemu_realm.initramfs import Initramfs     # noqa: E402

MIB = 1 << 20

INIT = '''
mark rsi "$(dmesg | grep -o 'RME: Using RSI version [0-9.]*')"
mark kernel "$(uname -r)"
mark cpus "$(grep -c ^processor /proc/cpuinfo)"
mark memory "$(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"
wait_dev /dev/vda
mark disk-read "$(head -c 4194304 /dev/vda | sha256sum | cut -d' ' -f1)"
echo "hello from the guest" | dd of=/dev/vda bs=512 seek=16384 conv=fsync 2>/dev/null
mark disk-written 8M
mark bounce "$(dmesg | grep -c 'using DMA bounce buffers')"
'''


def qmp(path, *commands):
    """Run QMP commands on the socket at @path; return their results."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(path)
        f = sock.makefile('rw')
        json.loads(f.readline())                    # greeting
        results = []
        for cmd in ('qmp_capabilities',) + commands:
            f.write(json.dumps({'execute': cmd}) + '\n')
            f.flush()
            while True:
                msg = json.loads(f.readline())
                if 'return' in msg or 'error' in msg:
                    break
            results.append(msg.get('return', msg.get('error')))
        return results[1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--assets', required=True)
    ap.add_argument('--keep', action='store_true',
                    help='keep the scratch directory')
    args = ap.parse_args()

    assets = GuestAssets(args.assets)
    work = tempfile.mkdtemp(prefix='qemu-realm-demo-')
    disk = DiskImage(os.path.join(work, 'disk.raw'), 16 * MIB)
    rd = Initramfs()
    rd.add_busybox(assets.busybox())
    rd.add_module('virtio_blk', assets.module('virtio_blk'))
    rd.add_file('init', INIT_PROLOGUE + 'load virtio_blk\n' + INIT +
                INIT_EPILOGUE, 0o755)
    initrd = rd.write(os.path.join(work, 'initramfs.cpio.gz'))

    qmp_path = os.path.join(work, 'qmp.sock')
    cmd = [args.qemu, '-M', 'virt,confidential-guest-support=rme0',
           '-object', 'rme-guest,id=rme0', '-accel', 'tcg', '-cpu', 'max',
           '-m', '512M', '-nodefaults', '-display', 'none', '-no-reboot',
           '-no-shutdown', '-serial', 'stdio',
           '-qmp', f'unix:{qmp_path},server=on,wait=off',
           '-kernel', assets.kernel(), '-initrd', initrd,
           '-append', 'console=ttyAMA0 rdinit=/init panic=-1 quiet',
           '-drive', f'file={disk.path},format=raw,if=none,id=d0',
           '-device', 'virtio-blk-pci,drive=d0,iommu_platform=on,'
                      'disable-legacy=on']
    print('demo: running', ' '.join(cmd), flush=True)
    start = time.monotonic()
    marks = {}
    realm = {}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as qemu:
        for raw in qemu.stdout:
            line = raw.decode(errors='replace').rstrip()
            print('  guest| ' + line, flush=True)
            if line.startswith(MARKER):
                key, _, value = line[len(MARKER):].strip().partition(' ')
                marks.setdefault(key, (value, time.monotonic() - start))
                if key == 'done':
                    # -no-shutdown: QEMU waits for us after the power-off
                    time.sleep(0.5)
                    realm = qmp(qmp_path, 'query-realm', 'quit')[0]
        status = qemu.wait(timeout=120)
    elapsed = time.monotonic() - start

    written = disk.read(8 * MIB, 21)
    ok = (status == 0 and 'done' in marks and
          marks.get('rsi', ('',))[0].startswith('RME: Using RSI') and
          realm.get('shared-bytes', 0) > 0 and
          marks.get('disk-read', ('',))[0] == disk.sha256(0, 4 * MIB) and
          written == b'hello from the guest\n')
    print()
    print('demo: summary')
    print(f'  QEMU exit status          {status}')
    print(f'  guest kernel              {marks.get("kernel", ("?",))[0]}')
    print(f'  Realm                     {marks.get("rsi", ("no RSI",))[0]}')
    print(f'  Realm state / backend     {realm.get("state")} / '
          f'{realm.get("backend")}')
    print(f'  RIM ({realm.get("measurement-algorithm")})'
          f'{" " * max(1, 20 - len(str(realm.get("measurement-algorithm"))))}'
          f'{realm.get("rim", "?")[:32]}...')
    print(f'  IPA bits / shared bit     {realm.get("ipa-bits")} / '
          f'{realm.get("shared-bit", 0):#x}')
    print(f'  memory shared by guest    '
          f'{realm.get("shared-bytes", 0) // 1024} KiB')
    print(f'  refused device DMA        {realm.get("denied-dma")}')
    print(f'  DMA via bounce buffers    '
          f'{"yes" if marks.get("bounce", ("0",))[0] == "1" else "no"}')
    print(f'  /init reached after       {marks.get("init", ("", 0))[1]:.1f} s')
    print(f'  disk read checksum        '
          f'{"matches the host" if marks.get("disk-read", ("",))[0] == disk.sha256(0, 4 * MIB) else "MISMATCH"}')
    print(f'  guest write seen by host  {written!r}')
    print(f'  total wall time           {elapsed:.1f} s')
    print(f'  result                    {"OK" if ok else "FAILED"}')
    if args.keep:
        print(f'  scratch directory         {work}')
    else:
        for f in os.listdir(work):
            os.unlink(os.path.join(work, f))
        os.rmdir(work)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
