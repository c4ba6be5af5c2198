# SPDX-License-Identifier: GPL-2.0-or-later
"""
The verifier's tools for tests: scripts/realm-rim.py, which computes a
Realm's reference RIM and measurement log offline, and the test vector
measured on a real RMM (../shared/testvectors/realm-rim-kvm-v14).
"""

import os
import subprocess
import sys

# The RIM the RMM measured for the test vector's Realm
VECTOR_RIM = 'ccc37d976ebe9247a5407b53ef917b9b97b8d02fb9b556e1c094d528fe0ed36f'


def script_path():
    """scripts/realm-rim.py in the QEMU tree the tests run from"""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, '..', '..', '..', 'scripts', 'realm-rim.py')


def vector_dir():
    """The KVM v14 test vector's directory, or None where it is absent"""
    vectors = os.environ.get('QEMU_REALM_TESTVECTORS')
    if not vectors and os.environ.get('QEMU_REALM_ASSETS'):
        vectors = os.path.join(os.environ['QEMU_REALM_ASSETS'], '..', '..',
                               'testvectors')
    path = os.path.join(vectors or '', 'realm-rim-kvm-v14')
    return path if os.path.isdir(path) else None


def realm_rim(*args):
    """Run realm-rim.py with @args (bounded) and return what it printed"""
    out = subprocess.run([sys.executable, script_path(), *args],
                         check=True, capture_output=True, text=True,
                         timeout=120)
    return out.stdout.strip()
