#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
qemu-realm benchmark: what a Realm costs under TCG, same kernel throughout.

usage: realm-bench.py --qemu QEMU --assets DIR [--runs N] [--disk-mib M]
                      [--passes P] [--memory SIZE] [--only dma|vfio]

Prints medians over --runs runs of:

dma   boots the kernel as a plain guest, as a plain guest that bounces
      its DMA through swiotlb like a Realm (swiotlb=32768,force: the
      Realm's 64 MiB), and as a Realm; then
      - wall time from QEMU's start until /init runs (Realm/plain, target
        <= 1.5x);
      - virtio-blk sequential read throughput measured in the guest,
        --passes O_DIRECT passes over the disk: the first pass, and the
        steady state (the median of the later passes).  Realm/plain-bounce
        isolates what the Realm DMA region costs (target >= 0.9x).
      All three use --memory (default 8G): with less, arm64 shrinks the
      plain guest's swiotlb to 1 MiB per GiB and nothing is comparable.
      The same throughput per second of QEMU CPU time is printed too: on
      a loaded host it varies much less than wall time.
vfio  a Realm that runs no code (-S) with 1 GiB of memfd RAM and a
      vfio-user-pci device served by tests/vfio-user/realm-dma-server:
      time and DMA MAP/UNMAP events for converting 1 GiB, 64 MiB, an
      unaligned 64 MiB, a fragmented pattern (every other page) and a
      window shared page by page, through x-realm-set-ipa-state (target
      for 1 GiB: <= 50 ms and <= 64 events).

This is a measurement, not a test: it prints figures and checks nothing.
"""

import argparse
import json
import os
import shutil
import socket
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
from qemu_realm.vfio_user import VfioUserServer, blocks, merge  # noqa: E402

KIB = 1 << 10
MIB = 1 << 20
GIB = 1 << 30
RAM_BASE = 0x40000000           # virt

# Every pass reads the whole disk with O_DIRECT, so the guest page cache
# serves none of it; the first pass also pays one-time costs (the host
# faulting in guest RAM, TCG translating the I/O paths).
READ_SCRIPT = '''
wait_dev /dev/vda
for pass in $(seq {passes}); do
t0=$(cut -d' ' -f1 /proc/uptime)
dd if=/dev/vda of=/dev/null bs=1M count={mib} iflag=direct 2>/dev/null
t1=$(cut -d' ' -f1 /proc/uptime)
mark read-$pass "$(echo "$t0 $t1" | awk '{{print $2 - $1}}')"
done
'''

CONFIGS = ('plain', 'plain-bounce', 'realm')


def run_once(args, kernel, initrd, disk, config):
    # The same interrupt controller for all: a Realm gets a GICv3
    machine = ('virt,gic-version=3' +
               (',confidential-guest-support=rme0' if config == 'realm'
                else ''))
    append = 'console=ttyAMA0 rdinit=/init panic=-1 quiet'
    if config == 'plain-bounce':
        append += ' swiotlb=32768,force'
    cmd = [args.qemu, '-M', machine, '-accel', 'tcg', '-cpu', 'max',
           '-m', args.memory, '-nodefaults', '-display', 'none',
           '-no-reboot', '-serial', 'stdio', '-kernel', kernel,
           '-initrd', initrd, '-append', append,
           '-drive', f'file={disk},format=raw,if=none,id=d0,cache=unsafe',
           '-device', 'virtio-blk-pci,drive=d0,iommu_platform=on,'
                      'disable-legacy=on']
    if config == 'realm':
        cmd += ['-object', 'rme-guest,id=rme0']
    start = time.monotonic()
    init_at = None
    passes = {}
    cpu = {}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as proc:
        try:
            for raw in proc.stdout:
                line = raw.decode(errors='replace')
                if f'{MARKER} init' in line and init_at is None:
                    init_at = time.monotonic() - start
                    cpu[0] = cpu_seconds(proc.pid)
                elif f'{MARKER} read-' in line:
                    n = int(line.split(f'{MARKER} read-')[1].split()[0])
                    passes[n] = float(line.split()[-1])
                    cpu[n] = cpu_seconds(proc.pid)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    if init_at is None or len(passes) != args.passes:
        raise RuntimeError(f'{config} run failed')
    return (init_at, [passes[i + 1] for i in range(args.passes)],
            [cpu[i + 1] - cpu[i] for i in range(args.passes)])


def cpu_seconds(pid):
    """
    User and system CPU time of QEMU so far.  On a busy host, wall times
    stretch with the load; the work QEMU did varies much less.
    """
    with open(f'/proc/{pid}/stat', encoding='ascii') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def bench_dma(args, assets, work):
    disk = os.path.join(work, 'disk.raw')
    with open(disk, 'wb') as f:
        f.write(os.urandom(1 << 20) * args.disk_mib)
    rd = Initramfs()
    rd.add_busybox(assets.busybox())
    rd.add_module('virtio_blk', assets.module('virtio_blk'))
    rd.add_file('init', INIT_PROLOGUE + 'load virtio_blk\n' +
                READ_SCRIPT.format(mib=args.disk_mib, passes=args.passes) +
                INIT_EPILOGUE, 0o755)
    initrd = rd.write(os.path.join(work, 'initramfs.cpio.gz'))

    results = {c: [] for c in CONFIGS}
    for i in range(args.runs):
        for config in CONFIGS:          # interleaved: fair to all
            boot, passes, cpu = run_once(args, assets.kernel(), initrd,
                                         disk, config)
            results[config].append((boot, passes, cpu))
            print(f'run {i + 1}/{args.runs} {config:12}: /init after'
                  f' {boot:5.2f} s, {args.disk_mib} MiB passes (s): '
                  + ' '.join(f'{p:.2f}' for p in passes)
                  + ', QEMU CPU (s): ' + ' '.join(f'{c:.2f}' for c in cpu),
                  flush=True)

    def boot(config):
        return statistics.median(r[0] for r in results[config])

    def thr(config, first, idx=1):
        times = [r[idx][0] if first else statistics.median(r[idx][1:])
                 for r in results[config]]
        return args.disk_mib / statistics.median(times)

    print()
    print(f'medians over {args.runs} runs each (TCG, -cpu max, '
          f'{args.memory} RAM, {args.disk_mib} MiB disk)')
    print(f'  boot to /init       plain {boot("plain"):6.2f} s'
          f'   realm {boot("realm"):6.2f} s'
          f'   realm/plain {boot("realm") / boot("plain"):5.2f}x'
          '  (target <= 1.5x)')
    for first, label in ((False, 'steady'), (True, 'first pass')):
        p, b, r = (thr(c, first) for c in CONFIGS)
        print(f'  virtio-blk {label:10} plain {p:6.1f} MiB/s'
              f'  plain-bounce {b:6.1f} MiB/s  realm {r:6.1f} MiB/s')
        print(f'  {"":22}realm/plain {r / p:5.2f}x'
              f'  realm/plain-bounce {r / b:5.2f}x'
              + ('  (target >= 0.9x)' if not first else ''))
    p, b, r = (thr(c, False, 2) for c in CONFIGS)
    print(f'  per QEMU CPU second (steady): plain {p:6.1f} MiB'
          f'  plain-bounce {b:6.1f} MiB  realm {r:6.1f} MiB')
    print(f'  {"":22}realm/plain {r / p:5.2f}x'
          f'  realm/plain-bounce {r / b:5.2f}x')


class Qmp:
    """Just enough QMP: commands in order, events skipped."""

    def __init__(self, path, timeout=60):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.file = self.sock.makefile('rwb')
        self._read()                        # greeting
        self.cmd('qmp_capabilities')

    def _read(self):
        while True:
            line = self.file.readline()
            if not line:
                raise RuntimeError('QMP connection closed')
            msg = json.loads(line)
            if 'event' not in msg:
                return msg

    def execute(self, name, **arguments):
        self.file.write(json.dumps({'execute': name,
                                    'arguments': arguments}).encode() + b'\n')
        self.file.flush()
        return self._read()

    def cmd(self, name, **arguments):
        resp = self.execute(name, **arguments)
        if 'error' in resp:
            raise RuntimeError(f'{name}: {resp["error"]["desc"]}')
        return resp['return']

    def close(self):
        self.file.close()
        self.sock.close()


def start_bare_realm(qemu, server, work):
    qmp_path = os.path.join(server.dir, 'qmp.sock')
    cmd = [qemu, '-M', 'virt,confidential-guest-support=rme0,'
           'memory-backend=mem', '-object', 'rme-guest,id=rme0',
           '-accel', 'tcg', '-cpu', 'max', '-m', '1G', '-nodefaults',
           '-display', 'none', '-S',
           '-object', 'memory-backend-memfd,id=mem,size=1G,share=on',
           '-device', json.dumps(server.device_json()),
           '-qmp', f'unix:{qmp_path},server=on,wait=on']
    log = open(os.path.join(work, 'qemu-vfio.log'), 'wb')
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not os.path.exists(qmp_path):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError('QEMU did not start, see ' + log.name)
        time.sleep(0.05)
    return proc, Qmp(qmp_path)


def bench_vfio(args, work):
    # Beside QEMU's build directory, where `make build` puts it
    os.environ.setdefault('QEMU_REALM_VFIO_USER_SERVER', os.path.join(
        os.path.dirname(os.path.abspath(args.qemu)), '..', 'vfio-user',
        'realm-dma-server'))
    server = VfioUserServer(max_maps=65535, log_dir=work)
    proc = None
    try:
        proc, qmp = start_bare_realm(args.qemu, server, work)

        def events():
            s = server.stats()
            return (s['map'] + s['map-refused'],
                    s['unmap'] + s['unmap-refused'])

        def convert(calls):
            """Time and MAP/UNMAP events of a list of conversions."""
            before = events()
            t0 = time.perf_counter()
            for gpa, size, state in calls:
                resp = qmp.execute('x-realm-set-ipa-state', gpa=gpa,
                                   size=size, state=state)
                if 'error' in resp:
                    raise RuntimeError(f'{gpa:#x}+{size:#x} {state}: '
                                       f'{resp["error"]["desc"]}')
            elapsed = time.perf_counter() - t0
            after = events()
            return elapsed, after[0] - before[0], after[1] - before[1]

        win = RAM_BASE + 256 * MIB
        frag = [(win + off, 4 * KIB) for off in range(0, 2 * MIB, 8 * KIB)]
        scenarios = [
            ('1 GiB, aligned', [(RAM_BASE, GIB)], None),
            ('64 MiB, aligned', [(RAM_BASE + 64 * MIB, 64 * MIB)], None),
            ('64 MiB, at +4 KiB', [(RAM_BASE + 64 * MIB + 4 * KIB,
                                    64 * MIB)], None),
            ('every other page of 2 MiB (256 calls)', frag, (win, 2 * MIB)),
            ('2 MiB page by page (512 calls)',
             [(win + off, 4 * KIB) for off in range(0, 2 * MIB, 4 * KIB)],
             (win, 2 * MIB)),
        ]
        print(f'\nVFIO: vfio-user-pci on realm-dma-server, guest-less Realm,'
              f' 1 GiB memfd RAM; medians over {args.runs} runs')
        print(f'  {"shared set":40} {"blocks":>6} {"share":>10} '
              f'{"MAP+UNMAP":>11} {"unshare":>10} {"MAP+UNMAP":>11}')
        for name, ranges, unshare in scenarios:
            share_calls = [(g, s, 'shared') for g, s in ranges]
            unshare_calls = ([(*unshare, 'private')] if unshare else
                             [(g, s, 'private') for g, s in ranges])
            nblocks = sum(len(blocks(*r)) for r in merge(ranges))
            runs = []
            for _ in range(args.runs):
                share = convert(share_calls)
                if server.stats()['mapped'] != nblocks:
                    print(f'  ({name}: {server.stats()["mapped"]} mappings'
                          f' for {nblocks} blocks)')
                unshare = convert(unshare_calls)
                runs.append((share, unshare))
            share_t = statistics.median(r[0][0] for r in runs)
            unshare_t = statistics.median(r[1][0] for r in runs)
            share_ev = f'{runs[-1][0][1]}+{runs[-1][0][2]}'
            unshare_ev = f'{runs[-1][1][1]}+{runs[-1][1][2]}'
            print(f'  {name:40} {nblocks:6} {share_t * 1e3:7.1f} ms'
                  f' {share_ev:>11} {unshare_t * 1e3:7.1f} ms'
                  f' {unshare_ev:>11}')
        print('  (targets for 1 GiB: <= 50 ms and <= 64 events; times'
              ' include one QMP round trip per call)')
        refused = server.stats()
        print(f'  server refused {refused["map-refused"]} maps and '
              f'{refused["unmap-refused"]} unmaps')
        qmp.cmd('quit')
        qmp.close()
        proc.wait(timeout=30)
    finally:
        if proc and proc.poll() is None:
            proc.kill()
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--qemu', required=True)
    ap.add_argument('--assets', required=True)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--disk-mib', type=int, default=256)
    ap.add_argument('--passes', type=int, default=4)
    ap.add_argument('--memory', default='8G')
    ap.add_argument('--only', choices=('dma', 'vfio'))
    args = ap.parse_args()
    if args.passes < 2:
        ap.error('--passes must be at least 2')

    assets = GuestAssets(args.assets)
    work = tempfile.mkdtemp(prefix='qemu-realm-bench-')
    try:
        if args.only in (None, 'dma'):
            bench_dma(args, assets, work)
        if args.only in (None, 'vfio'):
            bench_vfio(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
