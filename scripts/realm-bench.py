#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qemu-realm benchmark: a Realm under TCG against a plain guest, same kernel.

usage: realm-bench.py --qemu QEMU --assets DIR [--runs N] [--disk-mib M]

Prints, as medians over --runs runs of each configuration:
  - wall time from QEMU's start until /init runs (target: Realm <= 1.5x);
  - virtio-blk sequential read throughput measured in the guest, steady
    state (second pass, O_DIRECT; target: Realm >= 0.9x), and the first
    pass for reference.
This is a measurement, not a test: it prints figures and checks nothing.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'tests', 'functional'))
# pylint: disable=wrong-import-position
from qemu_realm.assets import GuestAssets                       # noqa: E402
from qemu_realm.init import INIT_EPILOGUE, INIT_PROLOGUE, MARKER  # noqa: E402
from qemu_realm.initramfs import Initramfs                      # noqa: E402

# The first pass also pays one-time costs in both configurations (the
# host faulting in guest RAM, TCG translating the I/O paths); the second,
# with O_DIRECT so the guest page cache does not serve it, is the
# steady-state figure.  Both are printed.
READ_SCRIPT = '''
wait_dev /dev/vda
for pass in first steady; do
t0=$(cut -d' ' -f1 /proc/uptime)
dd if=/dev/vda of=/dev/null bs=1M count={mib} iflag=direct 2>/dev/null
t1=$(cut -d' ' -f1 /proc/uptime)
mark read-$pass "$(echo "$t0 $t1" | awk '{{print $2 - $1}}')"
done
'''


def run_once(qemu, kernel, initrd, disk, realm):
    machine = 'virt,confidential-guest-support=rme0' if realm else 'virt'
    cmd = [qemu, '-M', machine, '-accel', 'tcg', '-cpu', 'max',
           '-m', '512M', '-nodefaults', '-display', 'none', '-no-reboot',
           '-serial', 'stdio', '-kernel', kernel, '-initrd', initrd,
           '-append', 'console=ttyAMA0 rdinit=/init panic=-1 quiet',
           '-drive', f'file={disk},format=raw,if=none,id=d0,cache=unsafe',
           '-device', 'virtio-blk-pci,drive=d0,iommu_platform=on,'
                      'disable-legacy=on']
    if realm:
        cmd += ['-object', 'rme-guest,id=rme0']
    start = time.monotonic()
    init_at = read_s = first_s = None
    with subprocess.Popen(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as proc:
        for raw in proc.stdout:
            line = raw.decode(errors='replace')
            if f'{MARKER} init' in line and init_at is None:
                init_at = time.monotonic() - start
            elif f'{MARKER} read-first' in line:
                first_s = float(line.split()[-1])
            elif f'{MARKER} read-steady' in line:
                read_s = float(line.split()[-1])
        proc.wait(timeout=300)
    if init_at is None or read_s is None or first_s is None:
        raise RuntimeError(f'{"realm" if realm else "plain"} run failed')
    return init_at, read_s, first_s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--assets', required=True)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--disk-mib', type=int, default=256)
    args = ap.parse_args()

    assets = GuestAssets(args.assets)
    work = tempfile.mkdtemp(prefix='qemu-realm-bench-')
    disk = os.path.join(work, 'disk.raw')
    with open(disk, 'wb') as f:
        f.write(os.urandom(1 << 20) * args.disk_mib)
    rd = Initramfs()
    rd.add_busybox(assets.busybox())
    rd.add_module('virtio_blk', assets.module('virtio_blk'))
    rd.add_file('init', INIT_PROLOGUE + 'load virtio_blk\n' +
                READ_SCRIPT.format(mib=args.disk_mib) + INIT_EPILOGUE, 0o755)
    initrd = rd.write(os.path.join(work, 'initramfs.cpio.gz'))

    results = {False: [], True: []}
    for i in range(args.runs):
        for realm in (False, True):     # interleaved: fair to both
            boot, read, first = run_once(args.qemu, assets.kernel(), initrd,
                                         disk, realm)
            results[realm].append((boot, read, first))
            print(f'run {i + 1}/{args.runs} {"realm" if realm else "plain"}:'
                  f' /init after {boot:.2f} s, read {args.disk_mib} MiB in'
                  f' {first:.2f} s first, {read:.2f} s steady', flush=True)

    def med(realm, idx):
        return statistics.median(r[idx] for r in results[realm])

    boot_p, boot_r = med(False, 0), med(True, 0)
    thr_p = args.disk_mib / med(False, 1)
    thr_r = args.disk_mib / med(True, 1)
    first_p = args.disk_mib / med(False, 2)
    first_r = args.disk_mib / med(True, 2)
    print()
    print(f'medians over {args.runs} runs each (TCG, -cpu max, 512 MiB)')
    print(f'  boot to /init     plain {boot_p:6.2f} s   realm {boot_r:6.2f} s'
          f'   realm/plain {boot_r / boot_p:5.2f}x  (target <= 1.5x)')
    print(f'  virtio-blk read   plain {thr_p:6.1f} MiB/s realm {thr_r:6.1f}'
          f' MiB/s realm/plain {thr_r / thr_p:5.2f}x  (target >= 0.9x)')
    print(f'  (first pass       plain {first_p:6.1f} MiB/s realm {first_r:6.1f}'
          f' MiB/s realm/plain {first_r / first_p:5.2f}x)')
    for f in os.listdir(work):
        os.unlink(os.path.join(work, f))
    os.rmdir(work)


if __name__ == '__main__':
    main()
