# SPDX-License-Identifier: GPL-2.0-or-later
"""
Drive tests/vfio-user/realm-dma-server, the project's vfio-user device
that records and checks the DMA mappings QEMU's vfio-user-pci makes.

The server is built by `make build` (build-aux/build-vfio-user) into
BUILD/vfio-user/realm-dma-server.  Its sockets live in a short temporary
directory, since a Unix socket path must fit in 108 bytes.
"""

import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import time


def server_binary():
    """
    $QEMU_REALM_VFIO_USER_SERVER, or the server beside QEMU's build
    directory ($QEMU_BUILD_ROOT is BUILD/qemu).
    """
    path = os.environ.get('QEMU_REALM_VFIO_USER_SERVER')
    if not path:
        root = os.environ.get('QEMU_BUILD_ROOT', 'build/qemu')
        path = os.path.join(root, '..', 'vfio-user', 'realm-dma-server')
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f'{path} is missing: `make build` builds it '
                           '(build-aux/build-vfio-user)')
    return path


def blocks(base, size, granule=4096):
    """
    The canonical decomposition of [base, base + size): the largest
    naturally aligned power-of-two blocks, in address order.
    """
    out = []
    end = base + size
    while base < end:
        step = base & -base if base else 1 << 63
        while step > end - base or step < granule:
            step >>= 1
        if step < granule:
            raise ValueError('range not aligned to the granule')
        out.append((base, step))
        base += step
    return out


def merge(ranges):
    """Sorted (base, size) pairs with touching or overlapping ones joined."""
    out = []
    for base, size in sorted(ranges):
        if out and base <= out[-1][0] + out[-1][1]:
            last_base, last_size = out[-1]
            out[-1] = (last_base,
                       max(last_base + last_size, base + size) - last_base)
        else:
            out.append((base, size))
    return out


class VfioUserServer:
    """
    One realm-dma-server process.  Use as a context manager, or call
    stop() (tests do it in tearDown): the process is always killed.
    """

    START_TIMEOUT = 10
    COMMAND_TIMEOUT = 30

    def __init__(self, max_maps=None, advertise=True, exact_unmap=False,
                 log_dir=None):
        self.dir = tempfile.mkdtemp(prefix='rdma-')
        self.socket = os.path.join(self.dir, 'vfio-user.sock')
        self.control_path = os.path.join(self.dir, 'control.sock')
        log_dir = log_dir or self.dir
        self.log_path = os.path.join(log_dir, 'realm-dma-server.jsonl')
        self.stderr_path = os.path.join(log_dir, 'realm-dma-server.stderr')
        cmd = [server_binary(), '--socket', self.socket,
               '--control', self.control_path, '--log', self.log_path]
        if max_maps is not None:
            cmd += ['--max-maps', str(max_maps)]
        if not advertise:
            cmd.append('--no-advertise')
        if exact_unmap:
            cmd.append('--exact-unmap')
        self._ctl = None
        with open(self.stderr_path, 'wb') as err:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                         stderr=err)
        try:
            ready, _, _ = select.select([self.proc.stdout], [], [],
                                        self.START_TIMEOUT)
            line = self.proc.stdout.readline() if ready else b''
            if line.strip() != b'ready':
                raise RuntimeError('realm-dma-server did not start: '
                                   + self.stderr())
        except BaseException:
            self.stop()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stderr(self):
        with open(self.stderr_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def device_json(self, dev_id=None, **props):
        """The -device/device_add argument of a vfio-user-pci on us."""
        dev = {'driver': 'vfio-user-pci',
               'socket': {'type': 'unix', 'path': self.socket}}
        if dev_id:
            dev['id'] = dev_id
        dev.update(props)
        return dev

    def command(self, line):
        """One control command; its JSON reply."""
        if self._ctl is None:
            self._ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._ctl.settimeout(self.COMMAND_TIMEOUT)
            self._ctl.connect(self.control_path)
            self._ctl_file = self._ctl.makefile('rwb')
        self._ctl_file.write(line.encode() + b'\n')
        self._ctl_file.flush()
        reply = self._ctl_file.readline()
        if not reply:
            raise RuntimeError(f'realm-dma-server closed the control socket'
                               f' on "{line}": {self.stderr()}')
        return json.loads(reply)

    def maps(self):
        """The current mappings, as sorted (iova, size) pairs."""
        return [(m['iova'], m['size']) for m in self.command('maps')['maps']]

    def stats(self):
        return self.command('stats')

    def dma_write(self, iova, data):
        """Device DMA write; the server's reply ('ok' false on a fault)."""
        return self.command(f'write {iova:#x} {data.hex()}')

    def dma_read(self, iova, length):
        reply = self.command(f'read {iova:#x} {length}')
        if reply['ok']:
            reply['data'] = bytes.fromhex(reply['data'])
        return reply

    def events(self, op=None):
        """The DMA log so far, optionally only events of kind @op."""
        with open(self.log_path, encoding='utf-8') as f:
            evs = [json.loads(line) for line in f if line.endswith('\n')]
        return [e for e in evs if op is None or e['op'] == op]

    def wait_connected(self, timeout=30):
        """Wait until a client has negotiated its version with us."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.log_path) and self.events('connect'):
                return
            time.sleep(0.05)
        raise TimeoutError('no vfio-user client connected')

    def stop(self):
        if self._ctl is not None:
            self._ctl_file.close()
            self._ctl.close()
            self._ctl = None
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)
