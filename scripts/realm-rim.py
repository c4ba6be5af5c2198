#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Reference values for Arm CCA Realms that qemu-realm runs.

Computes, without running anything, the Realm Initial Measurement (RIM)
that a Realm started by qemu-realm's ``virt`` board with ``-kernel``,
``-initrd`` and a device tree will have, so that a verifier can be given
its reference value before the Realm exists:

    realm-rim.py --mode tcg --kernel Image --initrd initrd.gz \\
        --dtb virt.dtb -m 256M

``--mode tcg`` follows the RMM specification 1.0, which QEMU implements
under TCG; ``--mode kvm-v14`` what KVM CCA v14 and an RMM 2.0 measure.
The DTB is the one the Realm gets: dump it with the same command line
plus ``-machine dumpdtb=virt.dtb``.  The images are placed as QEMU's
Arm boot code places them (the boot stub at the start of RAM, the
kernel at its text offset, the initrd 128 MiB in, the DTB after it).

This is an implementation of its own, in plain Python, written from the
RMM specification and QEMU's documented behaviour: it shares no code
with QEMU, so that each checks the other (tests/functional/aarch64/
test_realm_reference_values.py), and a verifier can run it anywhere.
See docs/system/arm/rme.rst, "Reference values".
"""

import argparse
import gzip
import hashlib
import json
import struct
import sys

GRANULE = 0x1000
L2_BLOCK = 512 * GRANULE
MIB = 1 << 20

# QEMU's Arm boot code, as documented in docs/system/arm/rme.rst
BOOT_STUB_SIZE_MAX = 4096           # the stub owns the first 4 KiB
KERNEL64_DEFAULT_OFFSET = 0x80000   # an Image without image_size
INITRD_OFFSET_MAX = 128 * MIB
DTB_ALIGN = 2 * MIB
ARM64_MAGIC = b'ARM\x64'

# Presets of the measured CPU parameters
CPU_PRESETS = {
    # -cpu max under TCG: Cortex-A57 debug and PMU, SVE up to 2048 bits
    'max': {'num_bps': 5, 'num_wps': 3, 'sve_vq': 16, 'pmu_counters': 6},
    'max,sve=off,pmu=off': {'num_bps': 5, 'num_wps': 3, 'sve_vq': 0,
                            'pmu_counters': None},
}


class RimError(Exception):
    pass


def parse_size(text):
    """-m syntax: a number with an optional K, M, G or T suffix (MiB)"""
    units = {'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30, 't': 1 << 40}
    text = text.strip().lower()
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    if text.endswith('b'):
        return int(text[:-1])
    return int(float(text) * MIB)


def boot_stub(dtb, entry):
    """QEMU's AArch64 boot stub: load x0 = DTB, clear x1-x3, jump"""
    words = [
        0x580000c0,     # ldr  x0, <dtb address below>
        0xaa1f03e1,     # mov  x1, xzr
        0xaa1f03e2,     # mov  x2, xzr
        0xaa1f03e3,     # mov  x3, xzr
        0x58000084,     # ldr  x4, <entry below>
        0xd61f0080,     # br   x4
        dtb & 0xffffffff, dtb >> 32,
        entry & 0xffffffff, entry >> 32,
    ]
    return struct.pack('<10I', *words)


class Realm:
    """The RMM's measurement of a Realm being built"""

    def __init__(self, model, algo):
        self.model = model
        self.algo = algo
        self.rim = b''
        self.log = None

    def hash(self, data):
        h = hashlib.sha256 if self.algo == 'sha256' else hashlib.sha512
        return h(data).digest().ljust(64, b'\0')

    def extend(self, desc_type, body):
        desc = bytearray(256)
        desc[0] = desc_type
        struct.pack_into('<Q', desc, 8, 256)
        desc[0x10:0x50] = self.rim
        desc[0x50:0x50 + len(body)] = body
        self.rim = self.hash(bytes(desc))

    def create(self, p):
        """RMI_REALM_CREATE: the measured members of RmiRealmParams"""
        params = bytearray(GRANULE)
        struct.pack_into('<Q', params, 0, p['flags'])
        params[0x08] = p['s2sz']
        params[0x10] = p['sve_vl']
        params[0x18] = p['num_bps']
        params[0x20] = p['num_wps']
        params[0x28] = p['pmu_num_ctrs']
        params[0x30] = 0 if self.algo == 'sha256' else 1
        self.rim = self.hash(bytes(params))
        if self.log is not None:
            self.log.realm_create(p)

    def init_ripas(self, base, top):
        """RMI_RTT_INIT_RIPAS, one descriptor per RTT entry (RMM 1.0)"""
        if self.model != 'tcg':
            return
        if self.log is not None:
            self.log.init_ripas(base, top)
        while base < top:
            step = GRANULE
            if base % L2_BLOCK == 0 and top - base >= L2_BLOCK:
                step = L2_BLOCK
            self.extend(2, struct.pack('<QQ', base, base + step))
            base += step

    def data(self, ipa, granule):
        self.extend(0, struct.pack('<QQ', ipa, 1) + self.hash(granule))

    def rec(self, pc, gprs):
        """RMI_REC_CREATE of a runnable REC: the RMM measures no other"""
        params = bytearray(GRANULE)
        struct.pack_into('<Q', params, 0, 1)
        struct.pack_into('<Q', params, 0x200, pc)
        struct.pack_into('<8Q', params, 0x300, *gprs)
        self.extend(1, self.hash(bytes(params)))
        if self.log is not None:
            self.log.rec_create(pc, gprs)

    def images(self, images):
        """DATA for each granule an image touches, once, ascending"""
        images = sorted(images, key=lambda i: i[1])
        memory = Memory(images)
        done = 0
        for name, base, data in images:
            if self.log is not None:
                self.log.image(name, base, data)
            start = base - base % GRANULE
            end = -(-(base + len(data)) // GRANULE) * GRANULE
            for gpa in range(max(start, done), end, GRANULE):
                self.data(gpa, memory.read(gpa))
            done = max(done, end)

    def hex(self):
        return self.rim[:32 if self.algo == 'sha256' else 64].hex()


class Memory:
    """The Realm's RAM as the loader leaves it: zero but for the images"""

    def __init__(self, images):
        self.images = images

    def read(self, gpa):
        buf = bytearray(GRANULE)
        for _, base, data in self.images:
            lo, hi = max(gpa, base), min(gpa + GRANULE, base + len(data))
            if lo < hi:
                buf[lo - gpa:hi - gpa] = data[lo - base:hi - base]
        return bytes(buf)



EV_NO_ACTION = 0x3
EV_EVENT_TAG = 0x6
EV_POST_CODE2 = 0x13
TPM_ALG = {'sha256': 0x000b, 'sha512': 0x000d}
TAG_REALM_CREATE = 1
TAG_INIT_RIPAS = 2
TAG_REC_CREATE = 3
VENDOR = {'tcg': b'qemu-realm rmm-1.0', 'kvm-v14': b'qemu-realm kvm-v14'}


class EventLog:
    """The measurement log QEMU hands to a Realm (measurement-log=on)

    TCG PC Client Platform Firmware Profile event log, crypto-agile
    format, one algorithm (the Realm's), every event on PCR index 0 (the
    RIM): the Spec ID event, then tagged events for the Realm parameters,
    RIPAS and RECs, and an EV_POST_CODE2 blob event per image.
    """

    def __init__(self, model, algo):
        self.algo = algo
        self.size = 32 if algo == 'sha256' else 64
        vendor = VENDOR[model]
        spec = (b'Spec ID Event03\0' +
                struct.pack('<IBBBBIHHB', 0, 0, 2, 0, 2, 1, TPM_ALG[algo],
                            self.size, len(vendor)) + vendor)
        self.data = bytearray(struct.pack('<II', 0, EV_NO_ACTION) +
                              bytes(20) + struct.pack('<I', len(spec)) +
                              spec)

    def digest(self, data):
        return hashlib.new(self.algo, data).digest()

    def event(self, ev_type, digest, data):
        self.data += struct.pack('<IIIH', 0, ev_type, 1, TPM_ALG[self.algo])
        self.data += digest + struct.pack('<I', len(data)) + data

    def tagged(self, tag, payload):
        data = struct.pack('<II', tag, len(payload)) + payload
        self.event(EV_EVENT_TAG, self.digest(data), data)

    def realm_create(self, p):
        self.tagged(TAG_REALM_CREATE, struct.pack(
            '<QBBBBBB', p['flags'], p['s2sz'], p['sve_vl'], p['num_bps'],
            p['num_wps'], p['pmu_num_ctrs'], 0 if self.algo == 'sha256' else 1))

    def init_ripas(self, base, top):
        self.tagged(TAG_INIT_RIPAS, struct.pack('<QQ', base, top - base))

    def image(self, name, base, data):
        desc = name.encode() + b'\0'
        self.event(EV_POST_CODE2, self.digest(data),
                   struct.pack('<B', len(desc)) + desc +
                   struct.pack('<QQ', base, len(data)))

    def rec_create(self, pc, gprs):
        self.tagged(TAG_REC_CREATE, struct.pack('<QQ8Q', 1, pc, *gprs))


def parse_log(data):
    """The events of a measurement log: (type, digest, data) tuples"""
    def need(off, n):
        if off + n > len(data):
            raise RimError('the log is truncated at byte %d' % off)
    need(0, 32)
    pcr, ev_type = struct.unpack_from('<II', data, 0)
    size, = struct.unpack_from('<I', data, 28)
    need(32, size)
    spec = data[32:32 + size]
    if ev_type != EV_NO_ACTION or spec[:16] != b'Spec ID Event03\0':
        raise RimError('not a crypto-agile TCG event log')
    count, = struct.unpack_from('<I', spec, 24)
    if count != 1:
        raise RimError('the log has %d algorithms, not 1' % count)
    alg_id, hsize = struct.unpack_from('<HH', spec, 28)
    algo = {v: k for k, v in TPM_ALG.items()}.get(alg_id)
    if not algo or hsize != (32 if algo == 'sha256' else 64):
        raise RimError('unknown algorithm 0x%x in the log' % alg_id)
    vendor = spec[33:33 + spec[32]]
    events, off = [], 32 + size
    while off < len(data):
        need(off, 14)
        pcr, ev_type, n, alg = struct.unpack_from('<IIIH', data, off)
        if pcr != 0 or n != 1 or alg != alg_id:
            raise RimError('unexpected event header at byte %d' % off)
        off += 14
        need(off, hsize + 4)
        digest = data[off:off + hsize]
        size, = struct.unpack_from('<I', data, off + hsize)
        off += hsize + 4
        need(off, size)
        events.append((ev_type, digest, data[off:off + size]))
        off += size
    return algo, vendor, events


def replay(data, files):
    """Replay a measurement log into the RIM.

    The log carries each image's digest, not its contents: @files are
    the verifier's copies of the images (kernel, initrd, DTB, ...),
    matched by digest; the boot stub is rebuilt from the DTB and kernel
    addresses the log gives and must match its digest too.
    """
    algo, vendor, events = parse_log(data)
    model = 'tcg' if vendor == VENDOR['tcg'] else 'kvm-v14'
    realm = Realm(model, algo)
    by_digest = {}
    for path in files:
        with open(path, 'rb') as f:
            content = f.read()
        by_digest[hashlib.new(algo, content).digest()] = content
    blobs = []

    def flush():
        if not blobs:
            return
        bases = {name: base for name, base, _, _ in blobs}
        images = []
        for name, base, size, digest in blobs:
            content = by_digest.get(digest)
            if content is None and name == 'BOOTLOADER' and \
               'DTB' in bases and 'KERNEL' in bases:
                content = boot_stub(bases['DTB'], bases['KERNEL'])
            if content is None or len(content) != size or \
               hashlib.new(algo, content).digest() != digest:
                raise RimError('no file matches image %s (digest %s)'
                               % (name, digest.hex()))
            images.append((name, base, content))
        realm.images(images)
        blobs.clear()

    for ev_type, digest, ev in events:
        if ev_type == EV_POST_CODE2:
            n = ev[0]
            name = ev[1:1 + n].rstrip(b'\0').decode(errors='replace')
            base, size = struct.unpack_from('<QQ', ev, 1 + n)
            blobs.append((name, base, size, digest))
            continue
        flush()
        if ev_type != EV_EVENT_TAG:
            raise RimError('unexpected event type 0x%x' % ev_type)
        if hashlib.new(algo, ev).digest() != digest:
            raise RimError('a tagged event does not match its digest')
        tag, size = struct.unpack_from('<II', ev, 0)
        payload = ev[8:8 + size]
        if tag == TAG_REALM_CREATE:
            f, s2sz, sve_vl, bps, wps, pmu, ha = struct.unpack('<QBBBBBB',
                                                               payload)
            if ha != (0 if algo == 'sha256' else 1):
                raise RimError('REALM_CREATE hash_algo disagrees with the log')
            realm.create({'flags': f, 's2sz': s2sz, 'sve_vl': sve_vl,
                          'num_bps': bps, 'num_wps': wps,
                          'pmu_num_ctrs': pmu})
        elif tag == TAG_INIT_RIPAS:
            base, size = struct.unpack('<QQ', payload)
            realm.init_ripas(base, base + size)
        elif tag == TAG_REC_CREATE:
            flags, pc, *gprs = struct.unpack('<QQ8Q', payload)
            realm.rec(pc, gprs)
        else:
            raise RimError('unknown tagged event %d' % tag)
    flush()
    return realm


def load_kernel(path):
    """The kernel as QEMU loads it: gunzipped if need be, whole"""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    if data[:2] == b'MZ' and data[4:8] == b'zimg':
        raise RimError('%s is an EFI zboot image, which this tool does '
                       'not unpack: give it the Image' % path)
    text_offset, image_size = KERNEL64_DEFAULT_OFFSET, 0
    if len(data) > 0x3c and data[0x38:0x3c] == ARM64_MAGIC:
        text_offset, image_size = struct.unpack_from('<QQ', data, 8)
        if image_size == 0:
            text_offset = KERNEL64_DEFAULT_OFFSET
        elif text_offset < BOOT_STUB_SIZE_MAX:
            # The boot stub sits at the start of RAM: the next 2 MiB
            text_offset += 2 * MIB
    return data, text_offset, image_size or len(data)


def layout(args):
    """The Realm's initial images and entry point, placed as QEMU does"""
    ram_base, ram_size = args.ram_base, parse_size(args.memory)
    kernel, offset, kernel_size = load_kernel(args.kernel)
    entry = ram_base + offset
    initrd = b''
    if args.initrd:
        with open(args.initrd, 'rb') as f:
            initrd = f.read()
    initrd_start = ram_base + min(ram_size // 2, INITRD_OFFSET_MAX)
    initrd_start = max(initrd_start, entry + kernel_size)
    initrd_start = -(-initrd_start // GRANULE) * GRANULE
    dtb_start = -(-(initrd_start + len(initrd)) // DTB_ALIGN) * DTB_ALIGN
    with open(args.dtb, 'rb') as f:
        dtb = f.read()
    if dtb[:4] != b'\xd0\x0d\xfe\xed':
        raise RimError('%s is not a flattened device tree' % args.dtb)
    if dtb_start + len(dtb) > ram_base + ram_size:
        raise RimError('the images do not fit in %s of RAM' % args.memory)
    # Named as QEMU's measurement log names them
    images = [('BOOTLOADER', ram_base, boot_stub(dtb_start, entry)),
              ('KERNEL', entry, kernel)]
    if initrd:
        images.append(('INITRD', initrd_start, initrd))
    images.append(('DTB', dtb_start, dtb))
    return images, ram_base, ram_size


def realm_params(args):
    preset = dict(CPU_PRESETS.get(args.cpu, {}))
    for key in ('num_bps', 'num_wps', 'sve_vq', 'pmu_counters'):
        value = getattr(args, key)
        if value is not None:
            preset[key] = None if value < 0 else value
    if args.mode == 'kvm-v14':
        # v14 gives Realms no PMU, and SVE only when asked for
        preset.setdefault('sve_vq', 0)
        preset['pmu_counters'] = None
    missing = [k for k in ('num_bps', 'num_wps') if k not in preset]
    if missing:
        raise RimError('give --num-bps and --num-wps (the vCPU\'s '
                       'ID_AA64DFR0_EL1.BRPs and WRPs fields) for -cpu %s'
                       % args.cpu)
    sve_vq = preset.get('sve_vq') or 0
    pmu = preset.get('pmu_counters')
    return {
        'flags': (2 if sve_vq else 0) | (4 if pmu is not None else 0),
        's2sz': args.ipa_bits,
        'sve_vl': sve_vq - 1 if sve_vq else 0,
        'num_bps': preset['num_bps'],
        'num_wps': preset['num_wps'],
        'pmu_num_ctrs': pmu or 0,
    }


def compute(args, log=False):
    algo = args.algorithm or ('sha256' if args.mode == 'kvm-v14'
                              else 'sha512')
    if args.mode == 'kvm-v14' and algo != 'sha256':
        raise RimError('--algorithm %s is not possible with --mode kvm-v14: '
                       'KVM CCA v14 measures with sha256' % algo)
    realm = Realm(args.mode, algo)
    realm.log = EventLog(args.mode, algo) if log else None
    images, ram_base, ram_size = layout(args)
    params = realm_params(args)
    realm.create(params)
    realm.init_ripas(ram_base, ram_base + ram_size)
    realm.images(images)
    realm.rec(ram_base, [0] * 8)
    return realm, params, images


def main(argv=None):
    ap = argparse.ArgumentParser(
        description='Compute the RIM of an Arm CCA Realm started by '
                    'qemu-realm, without running it.')
    ap.add_argument('--mode', choices=('tcg', 'kvm-v14'), default='tcg',
                    help='tcg: RMM 1.0 as QEMU plays it under TCG; '
                         'kvm-v14: KVM CCA v14 with an RMM 2.0')
    ap.add_argument('--kernel',
                    help='the -kernel file (arm64 Image, or gzipped)')
    ap.add_argument('--initrd', help='the -initrd file')
    ap.add_argument('--dtb', help='the DTB from -machine dumpdtb=FILE')
    ap.add_argument('-m', '--memory', default='128M',
                    help='the -m RAM size (default 128M)')
    ap.add_argument('--ram-base', type=lambda x: int(x, 0),
                    default=0x40000000, help='start of RAM (virt: 1 GiB)')
    ap.add_argument('--ipa-bits', type=int, default=41,
                    help="the Realm's ipa-bits (query-realm; virt's "
                         "default map gives 41)")
    ap.add_argument('--algorithm', choices=('sha256', 'sha512'),
                    help='measurement-algorithm (default: sha512 for '
                         'tcg, sha256 for kvm-v14)')
    ap.add_argument('--cpu', default=None,
                    help='-cpu model whose parameters to use: %s '
                         '(default max for tcg)' % ', '.join(CPU_PRESETS))
    ap.add_argument('--num-bps', type=int,
                    help="ID_AA64DFR0_EL1.BRPs of the vCPU")
    ap.add_argument('--num-wps', type=int,
                    help="ID_AA64DFR0_EL1.WRPs of the vCPU")
    ap.add_argument('--sve-vq', type=int,
                    help='largest SVE vector length in quadwords '
                         '(0: no SVE)')
    ap.add_argument('--pmu-counters', type=int,
                    help='PMCR_EL0.N of the vCPU (-1: no PMU)')
    ap.add_argument('--json', action='store_true',
                    help='print the RIM, parameters and images as JSON')
    ap.add_argument('--log', metavar='FILE',
                    help='also write the measurement log the Realm will '
                         'have (rme-guest measurement-log=on) to FILE')
    ap.add_argument('--replay', metavar='LOG',
                    help='instead, replay a measurement log (from the '
                         'Realm, query-realm-measurement-log or --log) '
                         'into the RIM; give the images with --image')
    ap.add_argument('--image', action='append', default=[],
                    help='with --replay: a file the log names by its '
                         'digest (kernel, initrd, DTB, firmware)')
    args = ap.parse_args(argv)
    if args.replay:
        try:
            with open(args.replay, 'rb') as f:
                realm = replay(f.read(), args.image)
        except (RimError, OSError, struct.error) as e:
            print('realm-rim.py: %s' % e, file=sys.stderr)
            return 1
        print(realm.hex())
        return 0
    if not args.kernel or not args.dtb:
        ap.error('--kernel and --dtb are needed (or --replay)')
    if args.cpu is None:
        args.cpu = 'max' if args.mode == 'tcg' else 'host'
    if not 33 <= args.ipa_bits <= 48:
        ap.error('--ipa-bits must be between 33 and 48')
    try:
        realm, params, images = compute(args, log=bool(args.log))
        if args.log:
            with open(args.log, 'wb') as f:
                f.write(realm.log.data)
    except (RimError, OSError) as e:
        print('realm-rim.py: %s' % e, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({
            'rim': realm.hex(),
            'algorithm': realm.algo,
            'model': 'rmm-1.0' if args.mode == 'tcg' else 'kvm-v14-rmm-2.0',
            'params': params,
            'images': [{'name': n, 'gpa': b, 'size': len(d),
                        'digest': hashlib.new(realm.algo, d).hexdigest()}
                       for n, b, d in images],
        }, indent=2))
    else:
        print(realm.hex())
    return 0


if __name__ == '__main__':
    sys.exit(main())
