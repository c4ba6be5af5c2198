# SPDX-License-Identifier: GPL-2.0-or-later
"""The /init script frame shared by the tests and the demo."""

# Every line /init prints for the test starts with this.
MARKER = 'QEMU-REALM-TEST:'

INIT_PROLOGUE = f'''#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mark() {{ echo "{MARKER} $*"; }}
fail() {{ echo "{MARKER} FAIL $*"; poweroff -f; }}
load() {{ insmod /lib/modules/$1.ko || fail "insmod $1"; }}
wait_dev() {{
    for i in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.1; done
    fail "no $1"
}}
mark init
'''

INIT_EPILOGUE = '''mark done
poweroff -f
'''
