#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Write the seed corpus of the Realm fuzz targets (tests/fuzz/corpus).

Each seed is a short, meaningful input in the record format of its
target (see the comments of tests/qtest/fuzz/realm_*_fuzz.c): a Realm
sharing memory and asking for a token, a device doing DMA while memory
converts, QMP commands with good and bad arguments.  libFuzzer starts
from them, so that every target reaches its deep paths at once.

usage: tests/fuzz/make-seeds.py        (rewrites tests/fuzz/corpus)
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def u8(*v):
    return bytes(v)


def u16(v):
    return struct.pack('<H', v)


def u32(v):
    return struct.pack('<I', v)


def u64(v):
    return struct.pack('<Q', v & (2**64 - 1))


# realm-rsi-fuzz: op, cpu, then x1..x10 as (mode, payload)
VERSION, FEATURES, MREAD, MEXTEND, TINIT, TCONT, CONFIG, SET, GET, HOSTCALL \
    = range(10)


def granule(n):
    return u8(1) + u16(n)           # a RAM granule


def small(v):
    return u8(3, v)


def upto(n):
    return u8(6, n - 1)             # previous register + n granules


def raw(v):
    return u8(0) + u64(v)


def rsi(op, cpu, *regs):
    regs = list(regs) + [u8(8)] * (10 - len(regs))
    return u8(op, cpu) + b''.join(regs)


RSI = {
    'share-and-get': rsi(SET, 0, granule(16), upto(16), small(0), small(0)) +
    rsi(GET, 1, granule(8), upto(32)) +
    rsi(SET, 2, granule(20), upto(4), small(1), small(1)) +
    rsi(GET, 3, granule(16), upto(16)),
    'token': rsi(TINIT, 2, *[raw(0x0123456789abcdef * i) for i in range(8)]) +
    rsi(TCONT, 2, granule(100), small(0), u8(10, 9)) +
    rsi(TCONT, 2, granule(100), small(0), u8(10, 12)) +
    rsi(TCONT, 1, granule(100), small(0), u8(10, 12)),
    'measurements': rsi(MEXTEND, 0, small(1), small(64),
                        *[raw(i) for i in range(8)]) +
    rsi(MREAD, 0, small(1)) + rsi(MREAD, 3, small(0)) +
    rsi(MEXTEND, 1, small(5), small(65)),
    'config-and-calls': rsi(CONFIG, 0, granule(5)) +
    rsi(HOSTCALL, 0, granule(5)) + rsi(VERSION, 0, raw(0x10000)) +
    rsi(FEATURES, 0, small(0)) + rsi(20, 0) + rsi(21, 0, raw(0x80000000)),
    'host-refuses': u8(0xf1) + u16(30) + u8(3) +
    u8(0xf2) + u16(0) + u8(0) + u8(1) +
    rsi(SET, 0, granule(40), upto(8), small(0), small(0)) +
    rsi(SET, 0, granule(29), upto(8), small(1), small(0)),
    'unknown-functions': u8(0xe1) + u32(0xc4000200) + u64(0xffff) + u8(0) +
    rsi(16, 0) + u8(0xe0) + u32(0x84000008) + u8(0),
}

# realm-dma-fuzz: op, then its fields
def convert(shared, first, n, inject=None):
    op = (1 if shared else 0) | (2 if inject is not None else 0)
    return u8(op, inject or 0, first, n - 1)


def dma(to_ram, top, kind, off, bufoff, cnt):
    return u8(0x20 | to_ram, (0x80 if top else 0) | kind) + u32(off) + \
        u16(bufoff) + u16(cnt - 1)


DETACH, ATTACH, REPLAY = u8(0x30), u8(0x31), u8(0x32)

DMA = {
    'share-write-read': convert(True, 0, 16) +
    dma(1, True, 0, 0x1000, 0, 4096) + dma(0, True, 0, 0x3800, 0, 4096) +
    dma(1, False, 0, 0x1000, 0, 64) + convert(False, 4, 4) +
    dma(1, True, 0, 0x4000, 0, 4096),
    'refused-conversion': convert(True, 20, 30, inject=2) +
    convert(True, 0, 64, inject=0) + dma(0, True, 0, 0x15000, 0, 4096),
    'notifiers': convert(True, 3, 5) + REPLAY + DETACH + convert(True, 9, 2) +
    ATTACH + convert(False, 3, 7) + REPLAY,
    'edges': dma(1, True, 0, 0xff0, 0, 64) + dma(1, True, 3, 0, 0, 4096) +
    dma(0, True, 2, 0x12345, 100, 200) +
    u8(0x04, 0) + u32(0x800) + u32(0x1000) + u8(0),
}

# realm-qmp-fuzz
def field_number(kind, payload):
    return u8(1, kind) + payload


def field_state(shared):
    return u8(1, 1 if shared else 0)


QMP = {
    'set-ipa-state': u8(0) + field_number(4, u16(16)) +
    field_number(5, u16(4)) + field_state(True) + u8(0) + u8(2) +
    u8(0) + field_number(4, u16(16)) + field_number(5, u16(4)) +
    field_state(False) + u8(1, 3),
    'json': u8(6, 60) + b'{"gpa": 1073807360, "size": 8192, "state": '
    b'"shared"}        ' + u8(2),
    'qom': u8(3, 1, 0, 1, 0, 1, 2) + u8(4, 1, 0, 1, 1) + u8(7) +
    u8(3, 1, 0, 1, 3, 3, 2, 2),
    'object-add': u8(5, 3, 0, 2, 3, 2, 0, 2, 20, 1, 2, 8),
}

# realm-token-fuzz: algorithm, RPV, challenge, then extends
TOKEN = {
    'sha512-plain': u8(0) + bytes(range(64)) + bytes(64),
    'sha256-extends': u8(1) + bytes([0x5a] * 64) + bytes(range(64, 128)) +
    u8(1, 64) + bytes(range(64)) + u8(4, 1) + bytes(64) +
    u8(0, 10) + bytes(64) + u8(2, 70) + bytes(64),
}


def main():
    for target, seeds in (('realm-rsi-fuzz', RSI), ('realm-dma-fuzz', DMA),
                          ('realm-qmp-fuzz', QMP),
                          ('realm-token-fuzz', TOKEN)):
        d = os.path.join(HERE, 'corpus', target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
