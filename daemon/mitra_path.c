/*  mitra_path -- mkdir -p for the state, runtime and backup directories. */
#include "mitra_path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

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
