# SPDX-License-Identifier: GPL-2.0-or-later
"""Raw disk images whose contents the host checks after the guest ran."""

import hashlib
import random


class DiskImage:
    """
    A raw image filled with reproducible pseudo-random data.

    The guest reads it and prints checksums; the guest writes to it and the
    host reads the written range back after QEMU has exited.
    """

    def __init__(self, path, size, seed=0x5eed):
        self.path = path
        self.size = size
        rng = random.Random(seed)
        self.data = rng.randbytes(size)
        with open(path, 'wb') as f:
            f.write(self.data)

    def sha256(self, offset=0, length=None):
        """SHA-256 of the original contents of a range."""
        end = self.size if length is None else offset + length
        return hashlib.sha256(self.data[offset:end]).hexdigest()

    def read(self, offset, length):
        """The current contents of a range, as the guest left them."""
        with open(self.path, 'rb') as f:
            f.seek(offset)
            return f.read(length)
