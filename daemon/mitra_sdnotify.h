/*  mitra_sdnotify -- the systemd notify protocol (sd_notify(3)): one
    datagram per state change to $NOTIFY_SOCKET. Without NOTIFY_SOCKET every
    call is a no-op, so the daemon runs the same outside systemd.
*/
#ifndef MITRA_SDNOTIFY_H
#define MITRA_SDNOTIFY_H

//  Send a state change, "READY=1", "RELOADING=1", "STOPPING=1": waits while
//  the reader's queue is full, since systemd must see each of them. Returns
//  0 if sent or there is no socket, -1 on a send error.
int mitra_sdnotify (const char *state);

//  Send "STATUS=..." or "WATCHDOG=1" without waiting: dropped (-1) when the
//  reader's queue is full. These go out after every batch and every loop
//  turn; a reader that does not keep up (the queue holds ten datagrams by
//  default) must never stall the daemon.
int mitra_sdnotify_try (const char *state);

//  printf-style mitra_sdnotify_try, e.g. ("STATUS=serving, last seq %llu", seq).
int mitra_sdnotify_tryf (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

//  Watchdog interval in microseconds from $WATCHDOG_USEC (0 if not asked).
unsigned long long mitra_sdnotify_watchdog_usec (void);

#endif
