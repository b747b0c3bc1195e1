/*  mitra_sdnotify -- the notify protocol written out, so libsystemd is not
    needed: an AF_UNIX datagram to the path in $NOTIFY_SOCKET, where a
    leading '@' means the abstract namespace.
*/
#include "mitra_sdnotify.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
s_send (const char *state, int flags)
{
    const char *path = getenv ("NOTIFY_SOCKET");
    if (!path || !*path)
        return 0;
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    size_t length = strlen (path);
    if (length >= sizeof address.sun_path || (path [0] != '/' && path [0] != '@'))
        return -1;
    memcpy (address.sun_path, path, length);
    if (path [0] == '@')
        address.sun_path [0] = 0;
    int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    socklen_t size = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + length);
    ssize_t sent = sendto (fd, state, strlen (state), MSG_NOSIGNAL | flags,
                           (struct sockaddr *) &address, size);
    close (fd);
    return sent < 0? -1: 0;
}

int
mitra_sdnotify (const char *state)
{
    return s_send (state, 0);
}

int
mitra_sdnotify_try (const char *state)
{
    return s_send (state, MSG_DONTWAIT);
}

int
mitra_sdnotify_tryf (const char *format, ...)
{
    char state [512];
    va_list args;
    va_start (args, format);
    vsnprintf (state, sizeof state, format, args);
    va_end (args);
    return mitra_sdnotify_try (state);
}

unsigned long long
mitra_sdnotify_watchdog_usec (void)
{
    const char *text = getenv ("WATCHDOG_USEC");
    if (!text)
        return 0;
    const char *pid = getenv ("WATCHDOG_PID");
    if (pid && strtol (pid, NULL, 10) != (long) getpid ())
        return 0;
    return strtoull (text, NULL, 10);
}
