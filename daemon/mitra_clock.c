/*  mitra_clock -- real time, or in the test build real time plus an offset
    read from a file. Without MITRA_TEST_CLOCK the environment is never
    consulted: a production binary cannot be made to see another time.
*/
#include "mitra_clock.h"
#include "mitra_time.h"

#ifdef MITRA_TEST_CLOCK
#include <stdio.h>
#include <stdlib.h>

//  The offset in the file, or the last one read when the file cannot be
//  read right now (the test is rewriting it).
static int64_t
s_offset (const char *path)
{
    static int64_t offset = 0;
    FILE *file = fopen (path, "r");
    if (!file)
        return offset;
    long long value;
    if (fscanf (file, "%lld", &value) == 1)
        offset = value;
    fclose (file);
    return offset;
}

int64_t
mitra_clock_now_ms (void)
{
    const char *path = getenv ("MITRA_TEST_CLOCK_FILE");
    return mitra_time_now_ms () + (path && *path? s_offset (path): 0);
}

bool
mitra_clock_is_moved (void)
{
    const char *path = getenv ("MITRA_TEST_CLOCK_FILE");
    return path && *path;
}

#else

int64_t
mitra_clock_now_ms (void)
{
    return mitra_time_now_ms ();
}

bool
mitra_clock_is_moved (void)
{
    return false;
}

#endif
