# SPDX-License-Identifier: GPL-2.0-or-later
"""
qemu-realm functional test harness.

Boots the Debian arm64 kernel and a busybox initramfs that is built at test
time, talks to the guest through markers that /init prints on the serial
console, and checks virtio-blk disk images on the host.  Built on QEMU's
own qemu_test framework (QemuSystemTest, console logging, QMP).
"""

from .assets import GuestAssets
from .initramfs import Initramfs
from .disk import DiskImage

# The test base class, qemu_realm.guest.GuestTest, needs QEMU's qemu_test
# package; it is not imported here so that scripts outside the test
# runner (the demo) can use the pieces above.
__all__ = ['GuestAssets', 'Initramfs', 'DiskImage']
