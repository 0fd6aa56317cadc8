/* gort.h - Go's goroutine model for every language that can call C.
 *
 * The umbrella header: include this one. Link with
 * `pkg-config --cflags --libs gort`, or dlopen("libgort.so.0").
 * See README.md and docs/ for the design. */
#ifndef GORT_H
#define GORT_H

#include <gort/version.h>
#include <gort/common.h>
#include <gort/runtime.h>
#include <gort/sync.h>
#include <gort/chan.h>
#include <gort/time.h>
#include <gort/pinned.h>
#include <gort/syscall.h>
#include <gort/io.h>
#include <gort/net.h>
#include <gort/defer.h>
#include <gort/metrics.h>

#endif /* GORT_H */
