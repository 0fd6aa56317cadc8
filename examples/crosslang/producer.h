/* producer.h - the native half of the cross-language example.
 *
 * A small C library, built on gort: producer_start(n) spawns n goroutines
 * written in C; goroutine i sends the 64-bit integer i * i on a channel and
 * a last goroutine closes the channel once all n have sent. The Java, C# and
 * Rust programs (bindings/<lang>/examples) receive from that channel until
 * it is closed and print the count and the sum: for n = 100, "received 100
 * values, sum 328350". */
#ifndef GORT_EXAMPLE_PRODUCER_H
#define GORT_EXAMPLE_PRODUCER_H

#include <gort.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The channel (element size 8: int64_t, unbuffered) the goroutines send on,
 * or NULL with errno set (EINVAL for n < 0). The caller receives until the
 * channel is closed, then frees it with chan_free. */
go_chan_t *producer_start(int n);

#ifdef __cplusplus
}
#endif

#endif
