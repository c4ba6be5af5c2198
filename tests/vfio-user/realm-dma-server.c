/*
 * realm-dma-server: a vfio-user PCI device that records and checks the
 * DMA mappings its client makes, for testing what QEMU maps for a Realm.
 *
 * The device itself (PCI config space, a 4 KiB BAR0, its interrupts,
 * resets) is served by libvfio-user.  In front of it sits a small relay
 * that handles the two DMA messages and the version reply itself,
 * because libvfio-user cannot be told to do what a test of the client
 * needs: its DMA table is fixed at 16 regions, its register callback
 * cannot refuse a mapping, and its version reply does not advertise
 * "max_dma_maps".  The relay
 *
 *  - applies type1-like rules (dma-table.c) to VFIO_USER_DMA_MAP:
 *    granule-aligned, no overlap with an existing mapping (EEXIST), at
 *    most --max-maps mappings (ENOSPC); and to VFIO_USER_DMA_UNMAP: the
 *    range must not split a mapping (type1 v2), or with --exact-unmap
 *    must be exactly one mapping (libvfio-user's own rule), else
 *    EINVAL/ENOENT;
 *  - adds "max_dma_maps" to the capabilities of the version reply (not
 *    with --no-advertise, to test what the client does when the server
 *    refuses a mapping it was not warned about);
 *  - writes every DMA event, accepted or refused, to --log as one JSON
 *    object a line;
 *  - does device DMA on request through its mappings: the --control
 *    socket takes line commands (see control_command()).
 *
 * Everything else goes to libvfio-user unchanged, file descriptors
 * included.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "libvfio-user.h"
#include "dma-table.h"

/* QEMU's vfio-user client never sends more, and type1 allows no more. */
#define MAX_MAPS_LIMIT 65535
/* libvfio-user's own DMA table holds 16 regions: the default here too. */
#define DEFAULT_MAX_MAPS 16
#define MAX_MSG_FDS 16
#define MAX_MSG_SIZE (VFIO_USER_DEFAULT_MAX_DATA_XFER_SIZE + 4096)

#define BAR0_SIZE 4096
/* BAR0: a read-only identification register and a scratch register. */
#define BAR0_ID 0x0
#define BAR0_SCRATCH 0x4
#define BAR0_ID_VALUE 0x414d4452    /* "RDMA" */

typedef struct Msg {
    struct vfio_user_header hdr;
    uint8_t *data;
    size_t len;
    int fds[MAX_MSG_FDS];
    int nr_fds;
} Msg;

static struct {
    const char *socket_path;
    const char *control_path;
    const char *log_path;
    unsigned max_maps;
    bool advertise;
    bool exact_unmap;
} opt = {
    .max_maps = DEFAULT_MAX_MAPS,
    .advertise = true,
};

/* The DMA table is used by the relay and the control threads. */
static pthread_mutex_t dma_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    uint64_t map, map_refused, unmap, unmap_refused, dma, dma_failed;
} stats;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static uint64_t log_seq;

/* Writes to the client socket come from two threads. */
static pthread_mutex_t client_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t bar0_scratch;

static void die(const char *what)
{
    fprintf(stderr, "realm-dma-server: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* One JSON object per line; @fmt continues the object after "op". */
static void log_event(const char *op, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_event(const char *op, const char *fmt, ...)
{
    va_list ap;

    if (!log_file) {
        return;
    }
    pthread_mutex_lock(&log_lock);
    fprintf(log_file, "{\"seq\":%" PRIu64 ",\"op\":\"%s\"", ++log_seq, op);
    va_start(ap, fmt);
    vfprintf(log_file, fmt, ap);
    va_end(ap);
    fputs("}\n", log_file);
    fflush(log_file);
    pthread_mutex_unlock(&log_lock);
}

static const char *prot_name(uint32_t prot)
{
    static const char *const names[] = { "-", "r", "w", "rw" };

    return names[prot & DMA_RW];
}

static void drop_all_mappings(const char *why)
{
    unsigned n;

    pthread_mutex_lock(&dma_lock);
    n = dma_table_clear();
    pthread_mutex_unlock(&dma_lock);
    log_event("disconnect", ",\"reason\":\"%s\",\"dropped\":%u", why, n);
}

static void msg_free(Msg *msg)
{
    int i;

    for (i = 0; i < msg->nr_fds; i++) {
        if (msg->fds[i] >= 0) {
            close(msg->fds[i]);
        }
    }
    msg->nr_fds = 0;
    free(msg->data);
    msg->data = NULL;
}

static bool recv_all(int sock, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = recv(sock, p, len, MSG_WAITALL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

/* One vfio-user message and the file descriptors sent with it. */
static bool recv_msg(int sock, Msg *msg)
{
    union {
        char buf[CMSG_SPACE(MAX_MSG_FDS * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = { .iov_base = &msg->hdr, .iov_len = sizeof(msg->hdr) };
    struct msghdr mh = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = ctl.buf,
        .msg_controllen = sizeof(ctl.buf),
    };
    struct cmsghdr *cm;
    ssize_t n;

    memset(msg, 0, sizeof(*msg));
    do {
        n = recvmsg(sock, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return false;
    }
    for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            int nr = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

            memcpy(&msg->fds[msg->nr_fds], CMSG_DATA(cm), nr * sizeof(int));
            msg->nr_fds += nr;
        }
    }
    if ((size_t)n < sizeof(msg->hdr) &&
        !recv_all(sock, (uint8_t *)&msg->hdr + n, sizeof(msg->hdr) - n)) {
        goto fail;
    }
    if ((mh.msg_flags & MSG_CTRUNC) || msg->hdr.msg_size < sizeof(msg->hdr) ||
        msg->hdr.msg_size > MAX_MSG_SIZE) {
        fprintf(stderr, "realm-dma-server: malformed message (cmd %u, "
                "size %u)\n", msg->hdr.cmd, msg->hdr.msg_size);
        goto fail;
    }
    msg->len = msg->hdr.msg_size - sizeof(msg->hdr);
    msg->data = malloc(msg->len + 1);
    if (!msg->data || !recv_all(sock, msg->data, msg->len)) {
        goto fail;
    }
    msg->data[msg->len] = 0;
    return true;

fail:
    msg_free(msg);
    return false;
}

static bool send_msg(int sock, const struct vfio_user_header *hdr,
                     const void *data, size_t len, const int *fds, int nr_fds)
{
    union {
        char buf[CMSG_SPACE(MAX_MSG_FDS * sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov[2] = {
        { .iov_base = (void *)hdr, .iov_len = sizeof(*hdr) },
        { .iov_base = (void *)data, .iov_len = len },
    };
    struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
    ssize_t n;

    if (nr_fds) {
        struct cmsghdr *cm;

        memset(&ctl, 0, sizeof(ctl));
        mh.msg_control = ctl.buf;
        mh.msg_controllen = CMSG_SPACE(nr_fds * sizeof(int));
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(nr_fds * sizeof(int));
        memcpy(CMSG_DATA(cm), fds, nr_fds * sizeof(int));
    }
    while (mh.msg_iovlen) {
        do {
            n = sendmsg(sock, &mh, MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            return false;
        }
        /* The descriptors went with the first bytes. */
        mh.msg_control = NULL;
        mh.msg_controllen = 0;
        while (mh.msg_iovlen && (size_t)n >= mh.msg_iov->iov_len) {
            n -= mh.msg_iov->iov_len;
            mh.msg_iov++;
            mh.msg_iovlen--;
        }
        if (mh.msg_iovlen) {
            mh.msg_iov->iov_base = (uint8_t *)mh.msg_iov->iov_base + n;
            mh.msg_iov->iov_len -= n;
        }
    }
    return true;
}

static bool send_to_client(int sock, const struct vfio_user_header *hdr,
                           const void *data, size_t len)
{
    bool ok;

    pthread_mutex_lock(&client_lock);
    ok = send_msg(sock, hdr, data, len, NULL, 0);
    pthread_mutex_unlock(&client_lock);
    return ok;
}

/* Reply to a request that the relay handles itself. */
static bool reply(int sock, const Msg *req, int err, const void *data,
                  size_t len)
{
    struct vfio_user_header hdr = {
        .msg_id = req->hdr.msg_id,
        .cmd = req->hdr.cmd,
    };

    if (req->hdr.flags.no_reply) {
        return true;
    }
    hdr.flags.type = VFIO_USER_F_TYPE_REPLY;
    if (err) {
        hdr.flags.error = 1;
        hdr.error_no = err;
        len = 0;
    }
    hdr.msg_size = sizeof(hdr) + len;
    return send_to_client(sock, &hdr, data, len);
}

static bool handle_dma_map(int sock, Msg *msg)
{
    struct vfio_user_dma_map m;
    const char *why = "";
    int fd = msg->nr_fds ? msg->fds[0] : -1;
    int err;

    if (msg->len < sizeof(m)) {
        log_event("map", ",\"result\":%d,\"error\":\"short message\"", EINVAL);
        return reply(sock, msg, EINVAL, NULL, 0);
    }
    memcpy(&m, msg->data, sizeof(m));
    pthread_mutex_lock(&dma_lock);
    errno = 0;
    err = -dma_map(&m, fd, &why);
    if (err) {
        stats.map_refused++;
    } else {
        stats.map++;
    }
    pthread_mutex_unlock(&dma_lock);
    log_event("map", ",\"iova\":%" PRIu64 ",\"size\":%" PRIu64
              ",\"offset\":%" PRIu64 ",\"prot\":\"%s\",\"result\":%d"
              "%s%s%s", m.addr, m.size, m.offset, prot_name(m.flags), err,
              err ? ",\"error\":\"" : "", err ? why : "", err ? "\"" : "");
    return reply(sock, msg, err, NULL, 0);
}

static bool handle_dma_unmap(int sock, Msg *msg)
{
    struct vfio_user_dma_unmap u;
    const char *why = "";
    unsigned removed;
    int err;

    if (msg->len < sizeof(u)) {
        log_event("unmap", ",\"result\":%d,\"error\":\"short message\"",
                  EINVAL);
        return reply(sock, msg, EINVAL, NULL, 0);
    }
    memcpy(&u, msg->data, sizeof(u));
    pthread_mutex_lock(&dma_lock);
    err = -dma_unmap(&u, &removed, &why);
    if (err) {
        stats.unmap_refused++;
    } else {
        stats.unmap++;
    }
    pthread_mutex_unlock(&dma_lock);
    log_event("unmap", ",\"iova\":%" PRIu64 ",\"size\":%" PRIu64
              ",\"flags\":%u,\"result\":%d,\"removed\":%u%s%s%s",
              u.addr, u.size, u.flags, err, removed,
              err ? ",\"error\":\"" : "", err ? why : "", err ? "\"" : "");
    /* The reply carries the request's structure back, as type1's does. */
    return reply(sock, msg, err, &u, sizeof(u));
}

/*
 * libvfio-user's version reply, with "max_dma_maps" added to its
 * capabilities so that the client knows the limit.
 */
static bool forward_version_reply(int sock, Msg *msg)
{
    struct json_object *top, *caps;
    const char *json;
    size_t jlen;
    uint8_t *data;
    bool ok;

    if (msg->hdr.flags.error || msg->len < 4 || !opt.advertise) {
        return send_to_client(sock, &msg->hdr, msg->data, msg->len);
    }
    top = json_tokener_parse((const char *)msg->data + 4);
    if (!top || !json_object_object_get_ex(top, "capabilities", &caps) ||
        !json_object_is_type(caps, json_type_object)) {
        fprintf(stderr, "realm-dma-server: unexpected version reply\n");
        json_object_put(top);
        return false;
    }
    json_object_object_add(caps, "max_dma_maps",
                           json_object_new_int(opt.max_maps));
    json = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN);
    jlen = strlen(json) + 1;
    data = malloc(4 + jlen);
    if (!data) {
        json_object_put(top);
        return false;
    }
    memcpy(data, msg->data, 4);
    memcpy(data + 4, json, jlen);
    log_event("version", ",\"capabilities\":%s",
              json_object_to_json_string_ext(caps, JSON_C_TO_STRING_PLAIN));
    msg->hdr.msg_size = sizeof(msg->hdr) + 4 + jlen;
    ok = send_to_client(sock, &msg->hdr, data, 4 + jlen);
    free(data);
    json_object_put(top);
    return ok;
}

typedef struct Relay {
    int client;
    int lib;
} Relay;

/* libvfio-user to the client: replies, and requests of its own. */
static void *relay_from_lib(void *opaque)
{
    Relay *r = opaque;
    Msg msg;

    while (recv_msg(r->lib, &msg)) {
        bool ok;

        if (msg.hdr.cmd == VFIO_USER_VERSION &&
            msg.hdr.flags.type == VFIO_USER_F_TYPE_REPLY) {
            ok = forward_version_reply(r->client, &msg);
        } else {
            pthread_mutex_lock(&client_lock);
            ok = send_msg(r->client, &msg.hdr, msg.data, msg.len, msg.fds,
                          msg.nr_fds);
            pthread_mutex_unlock(&client_lock);
        }
        msg_free(&msg);
        if (!ok) {
            break;
        }
    }
    /* Let the other direction see the end too. */
    shutdown(r->client, SHUT_RDWR);
    return NULL;
}

/* Serve one client connection until it closes. */
static void serve_client(int client, const char *lib_path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    Relay r = { .client = client };
    pthread_t thread;
    Msg msg;

    r.lib = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (r.lib < 0) {
        die("socket");
    }
    strcpy(sa.sun_path, lib_path);
    if (connect(r.lib, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        die("connect to libvfio-user");
    }
    log_event("connect", ",\"max_maps\":%u,\"advertised\":%s,"
              "\"exact_unmap\":%s", opt.max_maps,
              opt.advertise ? "true" : "false",
              opt.exact_unmap ? "true" : "false");
    if (pthread_create(&thread, NULL, relay_from_lib, &r)) {
        die("pthread_create");
    }
    while (recv_msg(client, &msg)) {
        bool ok;
        bool request = msg.hdr.flags.type == VFIO_USER_F_TYPE_COMMAND;

        if (request && msg.hdr.cmd == VFIO_USER_DMA_MAP) {
            ok = handle_dma_map(client, &msg);
        } else if (request && msg.hdr.cmd == VFIO_USER_DMA_UNMAP) {
            ok = handle_dma_unmap(client, &msg);
        } else {
            ok = send_msg(r.lib, &msg.hdr, msg.data, msg.len, msg.fds,
                          msg.nr_fds);
        }
        msg_free(&msg);
        if (!ok) {
            break;
        }
    }
    shutdown(r.lib, SHUT_RDWR);
    pthread_join(thread, NULL);
    close(r.lib);
    close(client);
    drop_all_mappings("client closed the connection");
}

static ssize_t bar0_access(vfu_ctx_t *ctx, char *buf, size_t count,
                           loff_t offset, bool is_write)
{
    uint32_t val;

    if (count != 4 || (offset & 3) || offset >= BAR0_SIZE) {
        errno = EINVAL;
        return -1;
    }
    if (is_write) {
        if (offset == BAR0_SCRATCH) {
            memcpy(&bar0_scratch, buf, 4);
        }
        return count;
    }
    val = offset == BAR0_ID ? BAR0_ID_VALUE :
          offset == BAR0_SCRATCH ? bar0_scratch : 0;
    memcpy(buf, &val, 4);
    return count;
}

static void lib_log(vfu_ctx_t *ctx, int level, const char *text)
{
    fprintf(stderr, "realm-dma-server: libvfio-user: %s\n", text);
}

static void *run_device(void *opaque)
{
    vfu_ctx_t *ctx = opaque;

    for (;;) {
        if (vfu_attach_ctx(ctx) < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("vfu_attach_ctx");
        }
        while (vfu_run_ctx(ctx) >= 0) {
            /* runs until the relay disconnects */
        }
        if (errno != ENOTCONN && errno != ECONNRESET) {
            fprintf(stderr, "realm-dma-server: vfu_run_ctx: %s\n",
                    strerror(errno));
        }
    }
    return NULL;
}

static vfu_ctx_t *create_device(const char *lib_path)
{
    vfu_ctx_t *ctx;

    ctx = vfu_create_ctx(VFU_TRANS_SOCK, lib_path, 0, NULL,
                         VFU_DEV_TYPE_PCI);
    if (!ctx) {
        die("vfu_create_ctx");
    }
    vfu_setup_log(ctx, lib_log, LOG_ERR);
    if (vfu_pci_init(ctx, VFU_PCI_TYPE_CONVENTIONAL, PCI_HEADER_TYPE_NORMAL,
                     0) < 0) {
        die("vfu_pci_init");
    }
    /*
     * An unassigned device ID of the vendor ID QEMU's own test devices
     * use (edu is 1234:11e8): no Linux driver binds to it.
     */
    vfu_pci_set_id(ctx, 0x1234, 0x11ea, 0x1234, 0x11ea);
    vfu_pci_set_class(ctx, 0xff, 0x00, 0x00);
    if (vfu_setup_region(ctx, VFU_PCI_DEV_BAR0_REGION_IDX, BAR0_SIZE,
                         bar0_access, VFU_REGION_FLAG_RW |
                         VFU_REGION_FLAG_MEM, NULL, 0, -1, 0) < 0) {
        die("vfu_setup_region");
    }
    if (vfu_realize_ctx(ctx) < 0) {
        die("vfu_realize_ctx");
    }
    return ctx;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    int n = 0;

    return s && sscanf(s, "%" SCNi64 "%n", (int64_t *)v, &n) == 1 &&
           s[n] == 0 && s[0] != '-';
}

static void hex_encode(FILE *out, const uint8_t *buf, uint64_t len)
{
    uint64_t i;

    for (i = 0; i < len; i++) {
        fprintf(out, "%02x", buf[i]);
    }
}

static uint8_t *hex_decode(const char *s, uint64_t *len)
{
    size_t n = strlen(s);
    uint8_t *buf;
    size_t i;

    if (!n || n % 2 || n / 2 > MAX_DMA_LEN) {
        return NULL;
    }
    buf = malloc(n / 2);
    for (i = 0; buf && i < n / 2; i++) {
        unsigned byte;

        if (sscanf(s + 2 * i, "%2x", &byte) != 1 ||
            !strchr("0123456789abcdefABCDEF", s[2 * i + 1])) {
            free(buf);
            return NULL;
        }
        buf[i] = byte;
    }
    *len = n / 2;
    return buf;
}

/*
 * Device DMA through the mappings, for the test: "write IOVA HEXBYTES"
 * and "read IOVA LEN".  Numbers are C literals (0x... for hex).
 */
static void control_dma(FILE *out, bool write, const char *a, const char *b)
{
    uint64_t iova, len = 0;
    uint8_t *buf = NULL;
    const char *why = "";
    int err;

    if (parse_u64(a, &iova) && b) {
        if (write) {
            buf = hex_decode(b, &len);
        } else if (parse_u64(b, &len) && len && len <= MAX_DMA_LEN) {
            buf = malloc(len);
        }
    }
    if (!buf) {
        fprintf(out, "{\"ok\":false,\"error\":\"usage: write IOVA HEXBYTES"
                " | read IOVA LEN\"}\n");
        return;
    }
    pthread_mutex_lock(&dma_lock);
    err = -device_dma(iova, buf, len, write, &why);
    if (err) {
        stats.dma_failed++;
    } else {
        stats.dma++;
    }
    pthread_mutex_unlock(&dma_lock);
    log_event("dma", ",\"dir\":\"%s\",\"iova\":%" PRIu64 ",\"len\":%" PRIu64
              ",\"result\":%d%s%s%s", write ? "write" : "read", iova, len,
              err, err ? ",\"error\":\"" : "", err ? why : "",
              err ? "\"" : "");
    if (err) {
        fprintf(out, "{\"ok\":false,\"errno\":%d,\"error\":\"%s at 0x%"
                PRIx64 "\"}\n", err, why, iova);
    } else if (write) {
        fprintf(out, "{\"ok\":true}\n");
    } else {
        fprintf(out, "{\"ok\":true,\"data\":\"");
        hex_encode(out, buf, len);
        fprintf(out, "\"}\n");
    }
    free(buf);
}

/*
 * One command line of the control socket; each gets one JSON line back:
 *   maps                the current mappings
 *   stats               counts of accepted and refused events
 *   write IOVA HEX      device DMA write
 *   read IOVA LEN       device DMA read, the bytes in hex
 */
static void control_command(FILE *out, char *line)
{
    char *save = NULL;
    char *cmd = strtok_r(line, " \t\r\n", &save);
    char *a = strtok_r(NULL, " \t\r\n", &save);
    char *b = strtok_r(NULL, " \t\r\n", &save);
    const Mapping *maps;
    unsigned i, nr_maps;

    if (cmd && !strcmp(cmd, "maps")) {
        pthread_mutex_lock(&dma_lock);
        maps = dma_table_get(&nr_maps);
        fprintf(out, "{\"ok\":true,\"maps\":[");
        for (i = 0; i < nr_maps; i++) {
            fprintf(out, "%s{\"iova\":%" PRIu64 ",\"size\":%" PRIu64
                    ",\"offset\":%" PRIu64 ",\"prot\":\"%s\"}", i ? "," : "",
                    maps[i].iova, maps[i].size, maps[i].offset,
                    prot_name(maps[i].prot));
        }
        pthread_mutex_unlock(&dma_lock);
        fprintf(out, "]}\n");
    } else if (cmd && !strcmp(cmd, "stats")) {
        pthread_mutex_lock(&dma_lock);
        fprintf(out, "{\"ok\":true,\"map\":%" PRIu64 ",\"map-refused\":%"
                PRIu64 ",\"unmap\":%" PRIu64 ",\"unmap-refused\":%" PRIu64
                ",\"dma\":%" PRIu64 ",\"dma-failed\":%" PRIu64
                ",\"mapped\":%u,\"max-maps\":%u}\n", stats.map,
                stats.map_refused, stats.unmap, stats.unmap_refused,
                stats.dma, stats.dma_failed, dma_table_size(),
                opt.max_maps);
        pthread_mutex_unlock(&dma_lock);
    } else if (cmd && (!strcmp(cmd, "write") || !strcmp(cmd, "read"))) {
        control_dma(out, cmd[0] == 'w', a, b);
    } else {
        fprintf(out, "{\"ok\":false,\"error\":\"unknown command\"}\n");
    }
    fflush(out);
}

static void *run_control(void *opaque)
{
    int listener = *(int *)opaque;

    for (;;) {
        char *line = NULL;
        size_t cap = 0;
        int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        FILE *f;

        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            die("accept on the control socket");
        }
        f = fdopen(fd, "r+");
        if (!f) {
            die("fdopen");
        }
        while (getline(&line, &cap, f) > 0) {
            control_command(f, line);
        }
        free(line);
        fclose(f);
    }
    return NULL;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "realm-dma-server: socket path too long (at most "
                "%zu bytes): %s\n", sizeof(sa.sun_path) - 1, path);
        exit(1);
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 4) < 0) {
        die(path);
    }
    return fd;
}

static void usage(FILE *out)
{
    fprintf(out,
"usage: realm-dma-server --socket PATH [--control PATH] [--log FILE]\n"
"                        [--max-maps N] [--no-advertise] [--exact-unmap]\n"
"\n"
"  --socket PATH    vfio-user socket for the client (QEMU's vfio-user-pci)\n"
"  --control PATH   socket for test commands: maps, stats, write, read\n"
"  --log FILE       write every DMA event to FILE, one JSON object a line\n"
"  --max-maps N     refuse a DMA mapping beyond N (1..%d, default %d),\n"
"                   advertised to the client as max_dma_maps\n"
"  --no-advertise   enforce --max-maps without advertising it\n"
"  --exact-unmap    an unmap must be exactly one mapping (libvfio-user's\n"
"                   rule) rather than whole mappings (type1 v2's)\n"
"\n"
"Prints \"ready\" on stdout once both sockets listen.\n",
            MAX_MAPS_LIMIT, DEFAULT_MAX_MAPS);
}

static void parse_options(int argc, char **argv)
{
    static const struct option options[] = {
        { "socket", required_argument, NULL, 's' },
        { "control", required_argument, NULL, 'c' },
        { "log", required_argument, NULL, 'l' },
        { "max-maps", required_argument, NULL, 'm' },
        { "no-advertise", no_argument, NULL, 'n' },
        { "exact-unmap", no_argument, NULL, 'x' },
        { "help", no_argument, NULL, 'h' },
        { NULL },
    };
    uint64_t n;
    int c;

    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 's':
            opt.socket_path = optarg;
            break;
        case 'c':
            opt.control_path = optarg;
            break;
        case 'l':
            opt.log_path = optarg;
            break;
        case 'm':
            if (!parse_u64(optarg, &n) || n < 1 || n > MAX_MAPS_LIMIT) {
                fprintf(stderr, "realm-dma-server: --max-maps must be a "
                        "number from 1 to %d\n", MAX_MAPS_LIMIT);
                exit(2);
            }
            opt.max_maps = n;
            break;
        case 'n':
            opt.advertise = false;
            break;
        case 'x':
            opt.exact_unmap = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            exit(2);
        }
    }
    if (!opt.socket_path || optind != argc) {
        usage(stderr);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    struct sigaction sa = { .sa_handler = SIG_IGN };
    pthread_t device, control;
    int listener, control_listener;
    char *lib_path;
    vfu_ctx_t *ctx;

    parse_options(argc, argv);
    sigaction(SIGPIPE, &sa, NULL);

    if (!dma_table_init(opt.max_maps, opt.exact_unmap)) {
        die("calloc");
    }
    if (opt.log_path) {
        log_file = fopen(opt.log_path, "w");
        if (!log_file) {
            die(opt.log_path);
        }
    }
    /* libvfio-user listens next to the client's socket; only we connect. */
    if (asprintf(&lib_path, "%s.lib", opt.socket_path) < 0) {
        die("asprintf");
    }
    if (strlen(lib_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        fprintf(stderr, "realm-dma-server: socket path too long: %s\n",
                opt.socket_path);
        exit(1);
    }
    listener = listen_unix(opt.socket_path);
    unlink(lib_path);
    ctx = create_device(lib_path);
    if (pthread_create(&device, NULL, run_device, ctx)) {
        die("pthread_create");
    }
    if (opt.control_path) {
        control_listener = listen_unix(opt.control_path);
        if (pthread_create(&control, NULL, run_control, &control_listener)) {
            die("pthread_create");
        }
    }
    printf("ready\n");
    fflush(stdout);

    for (;;) {
        int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);

        if (client < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            die("accept");
        }
        serve_client(client, lib_path);
    }
}
