/*  mitra_path -- mkdir -p for the state, runtime and backup directories,
    and the fsync of a file or directory by its path. */
#include "mitra_path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int
mitra_path_mkdir (const char *path, mode_t mode)
{
    char buffer [PATH_MAX];
    if (snprintf (buffer, sizeof buffer, "%s", path) >= (int) sizeof buffer) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *slash = buffer + 1; *slash; slash++)
        if (*slash == '/') {
            *slash = 0;
            if (mkdir (buffer, mode) && errno != EEXIST)
                return -1;
            *slash = '/';
        }
    if (mkdir (buffer, mode) && errno != EEXIST)
        return -1;
    return 0;
}

int
mitra_path_fsync (const char *path, int flags)
{
    int fd = open (path, flags | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync (fd);
    int saved = errno;
    close (fd);
    errno = saved;
    return rc;
}
