# SPDX-License-Identifier: GPL-2.0-or-later
#
# qemu-realm device configuration for aarch64-softmmu.
#
# Used together with --without-default-devices: only the virt board and the
# devices that the Realm demo and test suite exercise are built.  Keeping
# the set small keeps a cold CI build short.

CONFIG_ARM_VIRT=y

# QEMU 10.2's virt board does not link or start without these, even though
# nothing here uses CXL or PCI expander bridges.
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
CONFIG_PCIE_PORT=y

# virtio transports and the devices the guest tests use
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_MMIO=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_RNG=y
CONFIG_VIRTIO_SERIAL=y

# DMA-capable test devices for qtest
CONFIG_TEST_DEVICES=y
CONFIG_EDU=y
CONFIG_PCI_TESTDEV=y
CONFIG_IOMMU_NOTIFIER_TESTDEV=y

# Device assignment: VFIO and QEMU's vfio-user client
CONFIG_VFIO_PCI=y
CONFIG_VFIO_USER=y

# vIOMMUs that a Realm may sit behind
CONFIG_VIRTIO_IOMMU=y
CONFIG_ARM_SMMUV3=y
