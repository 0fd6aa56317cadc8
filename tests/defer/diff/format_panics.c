/* format_panics.c - C twin of format_panics.go: a panic value whose format
 * callback (Go's Error method) panics, unrecovered. */
#include "diff.h"

static int e_format(const void *value, char *buf, size_t len)
{
    (void)value, (void)buf, (void)len;
    panic_raise("boom in Error");
}

static const go_panic_type_t e_type = { sizeof(go_panic_type_t), "main.E", e_format, NULL };

static int e;

static void real_main(void *unused)
{
    (void)unused;
    printf("before\n");
    panic_raise_value(&e, &e_type);
}

DIFF_MAIN(real_main)
