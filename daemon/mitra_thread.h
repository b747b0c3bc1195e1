/*  mitra_thread -- the daemon's worker threads (a backup's copy, the map
    trim). They start with every signal blocked, so that SIGTERM, SIGINT
    and SIGHUP are delivered to the engine's thread, whose poll they
    interrupt: the handlers only set flags that its loop reads.
*/
#ifndef MITRA_THREAD_H
#define MITRA_THREAD_H

#include <pthread.h>

//  pthread_create, with every signal blocked in the new thread. Returns 0,
//  or pthread_create's error number.
int mitra_thread_start (pthread_t *thread, void *(*run) (void *), void *arg);

#endif
