/*  mitra_logging -- levelled diagnostics on stderr.

    Under systemd each line is prefixed with the sd-daemon priority (<3>,
    <4>, <6>, <7>) so the journal records the level; on a terminal a short
    level word is written instead.
*/
#include "mitra_logging.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static mitra_log_level_t s_level = MITRA_LOG_INFO;
static int s_journal = -1;      //  -1: not decided yet

static const char *s_names [] = { "error", "warning", "info", "debug" };
static const int s_priorities [] = { 3, 4, 6, 7 };

void
mitra_logging_set_level (mitra_log_level_t level)
{
    s_level = level;
}

mitra_log_level_t
mitra_logging_level (void)
{
    return s_level;
}

int
mitra_logging_level_parse (const char *name)
{
    for (int index = 0; index <= MITRA_LOG_DEBUG; index++)
        if (strcmp (name, s_names [index]) == 0)
            return index;
    return -1;
}

const char *
mitra_logging_level_name (mitra_log_level_t level)
{
    return level <= MITRA_LOG_DEBUG? s_names [level]: "?";
}

void
mitra_log (mitra_log_level_t level, const char *format, ...)
{
    if (level > s_level)
        return;
    if (s_journal < 0)
        //  systemd sets JOURNAL_STREAM when stderr goes to the journal
        s_journal = getenv ("JOURNAL_STREAM") != NULL;

    char line [1024];
    int prefix = s_journal
        ? snprintf (line, sizeof line, "<%d>", s_priorities [level])
        : snprintf (line, sizeof line, "mitrad: %s: ", s_names [level]);
    va_list args;
    va_start (args, format);
    vsnprintf (line + prefix, sizeof line - (size_t) prefix, format, args);
    va_end (args);
    //  One write per line so concurrent writers never interleave mid-line
    size_t length = strlen (line);
    if (length + 1 < sizeof line) {
        line [length++] = '\n';
        line [length] = 0;
    }
    else
        line [sizeof line - 2] = '\n';
    fputs (line, stderr);
}
