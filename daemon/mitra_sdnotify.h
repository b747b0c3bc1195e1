/*  mitra_sdnotify -- the systemd notify protocol (sd_notify(3)): one
    datagram per state change to $NOTIFY_SOCKET. Without NOTIFY_SOCKET every
    call is a no-op, so the daemon runs the same outside systemd.
*/
#ifndef MITRA_SDNOTIFY_H
#define MITRA_SDNOTIFY_H

//  Send "READY=1", "STATUS=...", "WATCHDOG=1", ... Returns 0 if sent or
//  there is no socket, -1 on a send error.
int mitra_sdnotify (const char *state);

//  printf-style convenience, e.g. mitra_sdnotifyf ("STATUS=serving, last seq %llu", seq).
int mitra_sdnotifyf (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

//  Watchdog interval in microseconds from $WATCHDOG_USEC (0 if not asked).
unsigned long long mitra_sdnotify_watchdog_usec (void);

#endif
