/*
 * The DMA table of realm-dma-server: see dma-table.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "dma-table.h"

/* The IOMMU page size: QEMU's vfio-user client assumes 4 KiB. */
#define GRANULE 4096ULL

/* Guest memory files, mapped whole once: mappings point into them. */
typedef struct MappedFile {
    dev_t dev;
    ino_t ino;
    uint8_t *base;
    uint64_t len;
    bool writable;
} MappedFile;

static Mapping *maps;           /* sorted by iova, never overlapping */
static unsigned nr_maps;
static unsigned max_maps;
static bool exact_unmap;
static MappedFile *files;
static unsigned nr_files;

bool dma_table_init(unsigned max, bool exact)
{
    maps = calloc(max, sizeof(*maps));
    max_maps = max;
    exact_unmap = exact;
    return maps != NULL;
}

unsigned dma_table_clear(void)
{
    unsigned n = nr_maps;

    nr_maps = 0;
    return n;
}

unsigned dma_table_size(void)
{
    return nr_maps;
}

const Mapping *dma_table_get(unsigned *nr)
{
    *nr = nr_maps;
    return maps;
}

/*
 * The guest memory file behind @fd, mapped whole: one mmap per file
 * rather than per DMA mapping keeps a client that maps page by page
 * cheap to serve, so that timings measure the client.
 */
static MappedFile *map_file(int fd, const char **why)
{
    struct stat st;
    MappedFile *f;
    void *base;
    bool writable = true;
    unsigned i;

    if (fstat(fd, &st) < 0) {
        *why = "cannot stat the file descriptor";
        return NULL;
    }
    for (i = 0; i < nr_files; i++) {
        if (files[i].dev == st.st_dev && files[i].ino == st.st_ino) {
            return &files[i];
        }
    }
    base = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED && errno == EACCES) {
        writable = false;
        base = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    }
    if (base == MAP_FAILED) {
        *why = "cannot mmap the file descriptor";
        return NULL;
    }
    f = realloc(files, (nr_files + 1) * sizeof(*files));
    if (!f) {
        munmap(base, st.st_size);
        *why = "out of memory";
        errno = ENOMEM;
        return NULL;
    }
    files = f;
    f = &files[nr_files++];
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->base = base;
    f->len = st.st_size;
    f->writable = writable;
    return f;
}

/* Index of the first mapping that ends after @iova (nr_maps if none). */
static unsigned first_ending_after(uint64_t iova)
{
    unsigned lo = 0, hi = nr_maps;

    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;

        if (maps[mid].iova + maps[mid].size - 1 < iova) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Returns 0 or a negative errno, with @why saying what was wrong. */
int dma_map(const struct vfio_user_dma_map *m, int fd,
                   const char **why)
{
    uint64_t last = m->addr + m->size - 1;
    MappedFile *f;
    unsigned i;

    if (!(m->flags & DMA_RW) || (m->flags & ~DMA_RW)) {
        *why = "bad flags";
        return -EINVAL;
    }
    if (!m->size || ((m->addr | m->size | m->offset) & (GRANULE - 1))) {
        *why = "not aligned to 4 KiB";
        return -EINVAL;
    }
    if (last < m->addr) {
        *why = "range wraps around";
        return -EINVAL;
    }
    if (fd < 0) {
        *why = "no file descriptor: this server only takes mappable memory";
        return -EINVAL;
    }
    i = first_ending_after(m->addr);
    if (i < nr_maps && maps[i].iova <= last) {
        *why = "overlaps an existing mapping";
        return -EEXIST;
    }
    if (nr_maps >= max_maps) {
        *why = "mapping limit reached";
        return -ENOSPC;
    }
    f = map_file(fd, why);
    if (!f) {
        return errno ? -errno : -EINVAL;
    }
    if (m->offset > f->len || m->size > f->len - m->offset) {
        *why = "beyond the end of the file";
        return -EINVAL;
    }
    if ((m->flags & VFIO_USER_F_DMA_REGION_WRITE) && !f->writable) {
        *why = "writable mapping of a read-only file";
        return -EACCES;
    }
    memmove(&maps[i + 1], &maps[i], (nr_maps - i) * sizeof(*maps));
    maps[i] = (Mapping) {
        .iova = m->addr,
        .size = m->size,
        .offset = m->offset,
        .prot = m->flags & DMA_RW,
        .host = f->base + m->offset,
    };
    nr_maps++;
    return 0;
}

/*
 * Type1 v2 semantics: the range removes every mapping inside it and may
 * not split one.  With --exact-unmap, it must be exactly one mapping.
 */
int dma_unmap(const struct vfio_user_dma_unmap *u, unsigned *removed,
                     const char **why)
{
    uint64_t last = u->addr + u->size - 1;
    unsigned i, j;

    *removed = 0;
    if (u->flags == VFIO_DMA_UNMAP_FLAG_ALL) {
        if (u->addr || u->size) {
            *why = "unmap-all with a range";
            return -EINVAL;
        }
        *removed = nr_maps;
        nr_maps = 0;
        return 0;
    }
    if (u->flags) {
        *why = "unsupported flags";
        return -EINVAL;
    }
    if (!u->size || ((u->addr | u->size) & (GRANULE - 1)) || last < u->addr) {
        *why = "bad range";
        return -EINVAL;
    }
    i = first_ending_after(u->addr);
    for (j = i; j < nr_maps && maps[j].iova <= last; j++) {
        if (maps[j].iova < u->addr || maps[j].iova + maps[j].size - 1 > last) {
            *why = "would split a mapping";
            return -EINVAL;
        }
    }
    if (exact_unmap &&
        (j != i + 1 || maps[i].iova != u->addr || maps[i].size != u->size)) {
        *why = "matches no mapping exactly";
        return -ENOENT;
    }
    memmove(&maps[i], &maps[j], (nr_maps - j) * sizeof(*maps));
    nr_maps -= j - i;
    *removed = j - i;
    return 0;
}

/*
 * Device DMA of @len bytes at @iova.  The whole range must be covered by
 * mappings that allow the access; otherwise nothing is transferred, as an
 * IOMMU fault would stop the device.
 */
int device_dma(uint64_t iova, uint8_t *buf, uint64_t len, bool write,
               const char **why)
{
    uint32_t need = write ? VFIO_USER_F_DMA_REGION_WRITE :
                            VFIO_USER_F_DMA_REGION_READ;
    uint64_t pos, done;
    unsigned i;

    if (!len || len > MAX_DMA_LEN || iova + len - 1 < iova) {
        *why = "bad length";
        return -EINVAL;
    }
    i = first_ending_after(iova);
    for (pos = iova; pos - iova < len; pos = maps[i].iova + maps[i].size, i++) {
        if (i >= nr_maps || maps[i].iova > pos) {
            *why = "no mapping covers the address";
            return -EFAULT;
        }
        if (!(maps[i].prot & need)) {
            *why = "the mapping does not allow the access";
            return -EACCES;
        }
        if (maps[i].iova + maps[i].size - 1 >= iova + len - 1) {
            break;
        }
    }
    i = first_ending_after(iova);
    for (done = 0; done < len; i++) {
        uint64_t off = iova + done - maps[i].iova;
        uint64_t n = maps[i].size - off;

        n = n < len - done ? n : len - done;
        if (write) {
            memcpy(maps[i].host + off, buf + done, n);
        } else {
            memcpy(buf + done, maps[i].host + off, n);
        }
        done += n;
    }
    return 0;
}
