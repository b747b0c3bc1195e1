/*  mitra_key -- store keys and topics built by concatenation (mitra_key.h).
*/
#include "mitra_key.h"

#include <assert.h>
#include <stdarg.h>
#include <string.h>

size_t
mitra_key_join (char *out, size_t size, ...)
{
    assert (out && size > 0);
    size_t total = 0;
    va_list parts;
    va_start (parts, size);
    const char *part;
    while ((part = va_arg (parts, const char *))) {
        size_t len = strlen (part);
        if (total < size - 1) {
            size_t room = size - 1 - total;
            memcpy (out + total, part, len < room? len: room);
        }
        total += len;
    }
    va_end (parts);
    out [total < size? total: size - 1] = 0;
    return total;
}
