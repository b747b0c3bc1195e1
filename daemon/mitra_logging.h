/*  mitra_logging -- diagnostics for people: levelled lines on stderr, which
    the journal collects under systemd. (Not the event_log, which is the
    durable record of accepted events.)

    Must never allocate per line on the hot path beyond a stack buffer, and
    must never be called from a signal handler.
*/
#ifndef MITRA_LOGGING_H
#define MITRA_LOGGING_H

typedef enum {
    MITRA_LOG_ERROR = 0,
    MITRA_LOG_WARNING,
    MITRA_LOG_INFO,
    MITRA_LOG_DEBUG
} mitra_log_level_t;

//  Lines above `level` are dropped. Default: info.
void mitra_logging_set_level (mitra_log_level_t level);
mitra_log_level_t mitra_logging_level (void);

//  Parse "error", "warning", "info", "debug"; -1 if unknown.
int mitra_logging_level_parse (const char *name);
const char *mitra_logging_level_name (mitra_log_level_t level);

void mitra_log (mitra_log_level_t level, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

#define mitra_error(...)   mitra_log (MITRA_LOG_ERROR, __VA_ARGS__)
#define mitra_warning(...) mitra_log (MITRA_LOG_WARNING, __VA_ARGS__)
#define mitra_info(...)    mitra_log (MITRA_LOG_INFO, __VA_ARGS__)
#define mitra_debug(...)   mitra_log (MITRA_LOG_DEBUG, __VA_ARGS__)

#endif
