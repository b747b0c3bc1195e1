/*  test_str_join -- mitra_str_join keeps snprintf's contract: the whole
    length returned, at most size - 1 bytes and a NUL written.
*/
#include "mitra_codec.h"
#include "mitra_test.h"

#include <string.h>

int
main (void)
{
    char key [16];
    CHECK_INT (mitra_str_join (key, sizeof key, "p/", "p-clean-water", NULL), 15);
    CHECK_STR (key, "p/p-clean-water");
    //  One byte too many: cut, terminated, full length returned
    CHECK_INT (mitra_str_join (key, sizeof key, "p/", "p-clean-waters", NULL), 16);
    CHECK_STR (key, "p/p-clean-water");
    CHECK_INT (mitra_str_join (key, sizeof key, "local", "\n", "a-very-long-request-id", NULL), 28);
    CHECK_STR (key, "local\na-very-lo");
    CHECK_INT (mitra_str_join (key, sizeof key, NULL), 0);
    CHECK_STR (key, "");
    CHECK_INT (mitra_str_join (key, 1, "abc", NULL), 3);
    CHECK_STR (key, "");
    CHECK_INT (mitra_str_join (key, sizeof key, "event.", "", "contact.logged", NULL), 20);
    CHECK_STR (key, "event.contact.l");
    return TEST_DONE ();
}
