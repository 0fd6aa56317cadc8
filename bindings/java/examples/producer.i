/* producer.i - the Java binding of examples/crosslang/producer.h.
 *
 * One function: producer_start, returning the channel's address as a
 * number, for org.gort.LongChan.adopt (a go_chan_t * of this module would
 * be a SWIG type of its own, unknown to the gort module). Built as
 * libgortproducerjni.so, linked with libgort_producer. */
%module producer

%{
#include <stdint.h>
#include "producer.h"

static long long producer_start_address(int n)
{
    return (long long)(intptr_t)producer_start(n);
}
%}

%pragma(java) jniclasscode=%{
  static {
    String path = System.getProperty("gort.producer.library");
    if (path != null) System.load(new java.io.File(path).getAbsolutePath());
    else System.loadLibrary("gortproducerjni");
  }
%}

/* producer_start(n), as the address of its channel (0 with errno set on failure). */
long long producer_start_address(int n);
