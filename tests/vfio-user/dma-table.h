/*
 * The DMA table of realm-dma-server: the mappings its vfio-user client
 * made, kept under type1-like rules, and device DMA through them.
 *
 * None of these functions locks: the caller serializes them.  Errors are
 * negative errno values, with @why saying what was wrong.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef REALM_DMA_SERVER_DMA_TABLE_H
#define REALM_DMA_SERVER_DMA_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "vfio-user.h"

#define DMA_RW (VFIO_USER_F_DMA_REGION_READ | VFIO_USER_F_DMA_REGION_WRITE)
/* The largest device DMA a test may ask for */
#define MAX_DMA_LEN (1024 * 1024)

typedef struct Mapping {
    uint64_t iova;
    uint64_t size;
    uint64_t offset;
    uint32_t prot;          /* DMA_RW bits */
    uint8_t *host;
} Mapping;

/* Room for @max_maps mappings; unmaps exact (libvfio-user) or type1 v2 */
bool dma_table_init(unsigned max_maps, bool exact_unmap);
int dma_map(const struct vfio_user_dma_map *m, int fd, const char **why);
int dma_unmap(const struct vfio_user_dma_unmap *u, unsigned *removed,
              const char **why);
/* Forget every mapping (the client went away); returns how many */
unsigned dma_table_clear(void);
unsigned dma_table_size(void);
/* The mappings, sorted by IOVA */
const Mapping *dma_table_get(unsigned *nr);
int device_dma(uint64_t iova, uint8_t *buf, uint64_t len, bool write,
               const char **why);

#endif
