/*  mitra_request_id -- 128 random bits once, then a counter.

    A counter rather than fresh random bits per request keeps ids cheap and
    ordered within a client, which makes a daemon's event log easier to read.
*/
#include "mitra_request_id.h"
#include "mitra_codec.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_RANDOM_BYTES 16

struct _mitra_request_id_t {
    char prefix [S_RANDOM_BYTES * 2 + 1];
    uint64_t counter;
    char id [S_RANDOM_BYTES * 2 + 1 + 20 + 1];
};

static int
s_read_random (unsigned char *buffer, size_t size)
{
    int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t got = read (fd, buffer + done, size - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            int saved = got < 0 ? errno : EIO;
            close (fd);
            errno = saved;
            return -1;
        }
        done += (size_t) got;
    }
    close (fd);
    return 0;
}

mitra_request_id_t *
mitra_request_id_new (void)
{
    unsigned char random [S_RANDOM_BYTES];
    if (s_read_random (random, sizeof random))
        return NULL;
    mitra_request_id_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    for (size_t index = 0; index < S_RANDOM_BYTES; index++)
        snprintf (self->prefix + index * 2, 3, "%02x", random [index]);
    return self;
}

void
mitra_request_id_destroy (mitra_request_id_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

const char *
mitra_request_id_next (mitra_request_id_t *self)
{
    assert (self);
    snprintf (self->id, sizeof self->id, "%s-%" PRIu64, self->prefix, ++self->counter);
    return self->id;
}

bool
mitra_request_id_valid (const char *id)
{
    if (!id)
        return false;
    size_t len = strlen (id);
    if (len < 1 || len > MITRA_REQUEST_ID_MAX)
        return false;
    for (size_t index = 0; index < len; index++)
        if ((unsigned char) id [index] < 0x21 || (unsigned char) id [index] > 0x7e)
            return false;
    return true;
}
