/* typed.h - Go's `type MyErr struct{ code int }` with an Error() method, as
 * a gort panic type: format writes what Go's panic prints (Error()). */
#ifndef GORT_DEFER_DIFF_TYPED_H
#define GORT_DEFER_DIFF_TYPED_H

#include "diff.h"

typedef struct my_err {
    int code;
} my_err_t;

static int my_err_format(const void *value, char *buf, size_t len)
{
    return snprintf(buf, len, "my error %d", ((const my_err_t *)value)->code);
}

/* The values are static: nothing to destroy. */
static const go_panic_type_t my_err_type = {
    sizeof(go_panic_type_t), "*main.MyErr", my_err_format, NULL,
};

#endif
