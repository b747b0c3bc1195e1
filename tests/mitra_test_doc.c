/*  mitra_test_doc -- a decoded document from JSON text (mitra_test_doc.h).
*/
#include "mitra_test_doc.h"
#include "mitra_json.h"

#include <stdio.h>

mitra_doc_t *
mitra_test_doc (const char *json)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    char error [256];
    mitra_doc_t *doc = NULL;
    if (mitra_json_text_pack (json, false, &sbuf, error, sizeof error))
        fprintf (stderr, "bad JSON in test: %s: %s\n", json, error);
    else {
        mitra_error_t err;
        doc = mitra_doc_decode (sbuf.data, sbuf.size, NULL, &err);
    }
    msgpack_sbuffer_destroy (&sbuf);
    return doc;
}
