/* typed_panic.c - C twin of typed_panic.go: an unrecovered typed panic
 * prints the text of its format callback. */
#include "typed.h"

static my_err_t err42 = { 42 };

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call runs");
    panic_raise_value(&err42, &my_err_type);
}

DIFF_MAIN(real_main)
