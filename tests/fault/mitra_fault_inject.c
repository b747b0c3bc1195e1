/*  mitra_fault_inject -- an LD_PRELOAD shim that makes mitrad kill itself
    with SIGKILL at the two moments an outside `kill -9` almost never hits:

    MITRA_FAULT_SYNC_KILL=N   right after the Nth fdatasync returns. The
                              sync thread (mitra_sync) syncs data.mdb after
                              a commit, then writes and syncs the record
                              that names it: dying after the first, the
                              commit is on disk but not named, and the
                              restart undoes it; after the second, it is
                              named and not one reply went out.
    MITRA_FAULT_REPLY_KILL=N  at the first zmq_msg_send after the Nth
                              fdatasync. mitrad sends replies only after
                              the batch's commit is synced, and a reply
                              starts with zmq_msg_send of the peer's routing
                              id: we die with the batch on disk and not one
                              of its replies sent.

    Only the crash harness (tests/fault/crash.py) loads this, and only into
    mitrad. It must never change what the calls do when it does not kill:
    every call goes straight to the real function. The counter is atomic:
    the sync thread makes most of these calls, a backup thread may too.
*/
#include <dlfcn.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include <zmq.h>

static atomic_ulong s_syncs = 0;
static unsigned long s_sync_kill = 0;
static unsigned long s_reply_kill = 0;

//  N from the variable `name`; 0 when unset or not a positive number.
static unsigned long
s_threshold (const char *name)
{
    const char *text = getenv (name);
    if (!text || !*text)
        return 0;
    char *end;
    unsigned long value = strtoul (text, &end, 10);
    return *end? 0: value;
}

__attribute__ ((constructor)) static void
s_init (void)
{
    s_sync_kill = s_threshold ("MITRA_FAULT_SYNC_KILL");
    s_reply_kill = s_threshold ("MITRA_FAULT_REPLY_KILL");
}

//  SIGKILL cannot be caught: the process ends here, as under `kill -9`.
static void
s_die (void)
{
    raise (SIGKILL);
    _exit (137);
}

int
fdatasync (int fd)
{
    static int (*real) (int) = NULL;
    if (!real)
        *(void **) &real = dlsym (RTLD_NEXT, "fdatasync");
    int rc = real (fd);
    unsigned long syncs = atomic_fetch_add (&s_syncs, 1) + 1;
    if (s_sync_kill && syncs == s_sync_kill)
        s_die ();
    return rc;
}

int
zmq_msg_send (zmq_msg_t *msg, void *socket, int flags)
{
    static int (*real) (zmq_msg_t *, void *, int) = NULL;
    if (!real)
        *(void **) &real = dlsym (RTLD_NEXT, "zmq_msg_send");
    if (s_reply_kill && atomic_load (&s_syncs) >= s_reply_kill)
        s_die ();
    return real (msg, socket, flags);
}
