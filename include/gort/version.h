/* gort/version.h - the library's version, read by meson for the soname.
 *
 * GORT_VERSION_MAJOR changes only when the ABI breaks (never, we hope: see
 * CONTRIBUTING, "deprecate, never break"); it is the soname's number. */
#ifndef GORT_VERSION_H
#define GORT_VERSION_H

#define GORT_VERSION_MAJOR 0
#define GORT_VERSION_MINOR 7
#define GORT_VERSION_PATCH 0

#define GORT_VERSION_STRING "0.7.0"

/* One integer that grows with every release: MAJOR*10000 + MINOR*100 + PATCH. */
#define GORT_VERSION_NUMBER \
    (GORT_VERSION_MAJOR * 10000 + GORT_VERSION_MINOR * 100 + GORT_VERSION_PATCH)

#endif /* GORT_VERSION_H */
