/*  mitra_test_doc -- a decoded document from JSON text, for unit tests that
    write their events as JSON: through libmitra's converter (the one the
    CLI uses), so key order and integer/real kinds are what a client sends.
*/
#ifndef MITRA_TEST_DOC_H
#define MITRA_TEST_DOC_H

#include "mitra_codec.h"

//  The document, or NULL after printing why on stderr. The caller destroys it.
mitra_doc_t *mitra_test_doc (const char *json);

#endif
