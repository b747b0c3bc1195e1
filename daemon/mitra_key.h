/*  mitra_key -- store keys and topics built by concatenation.

    The writer builds several keys per event ("p/<id>", "<principal>\n<id>",
    "event.<type>/<partnership>"); snprintf with "%s" parts cost ~800
    instructions each, 9% of the writer's (bench/PROFILE.md). These join
    plain strings with the same contract as snprintf: never more than
    size - 1 bytes and a NUL written, the full length returned.
*/
#ifndef MITRA_KEY_H
#define MITRA_KEY_H

#include <stddef.h>

//  Join the strings up to a NULL into `out`. Returns the length of the whole
//  join; a result >= size means `out` holds a cut copy.
size_t mitra_key_join (char *out, size_t size, ...) __attribute__ ((sentinel));

#endif
