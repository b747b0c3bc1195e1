/*  mitra_thread -- the daemon's worker threads, started with every signal
    blocked.
*/
#include "mitra_thread.h"

#include <signal.h>

int
mitra_thread_start (pthread_t *thread, void *(*run) (void *), void *arg)
{
    //  The new thread inherits the creating thread's mask: block all for
    //  the moment of the creation, then give this thread its own back
    sigset_t all, old;
    sigfillset (&all);
    pthread_sigmask (SIG_SETMASK, &all, &old);
    int rc = pthread_create (thread, NULL, run, arg);
    pthread_sigmask (SIG_SETMASK, &old, NULL);
    return rc;
}
