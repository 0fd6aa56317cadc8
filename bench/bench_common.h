/* bench_common.h - helpers shared by the gort benchmark programs.
 *
 * The programs in bench/ mirror the Go reference programs in
 * shared/peers/go/: same arguments, defaults, stdout line and stderr
 * diagnostics. This header holds the pieces that reproduce Go's behaviour:
 *
 *   bench_arg_int    - Go's argInt: strconv.Atoi + "n <= 0" check, and on a
 *                      bad argument `bad argument %q` on stderr, exit 2.
 *   bench_now_ns     - time.Now() (monotonic clock) in nanoseconds.
 *   bench_duration   - time.Duration.String() ("1.234567ms", "2.5s", ...).
 *   bench_fail       - report a gort error and end the process (exit 1).
 *
 * Header-only (static functions) so that each benchmark is one .c file.
 */
#ifndef GORT_BENCH_COMMON_H
#define GORT_BENCH_COMMON_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <gort.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Go's strconv.Quote (what %q prints for a string), for the error message. */

/* Decode one UTF-8 sequence at s (len bytes left). Returns its length and
 * stores the code point, or returns 0 for an invalid sequence (Go then
 * prints the first byte as \xNN). Mirrors utf8.DecodeRuneInString. */
static inline size_t bench_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; v = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; v = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; v = c & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* An approximation of unicode.IsPrint for non-ASCII code points: exact for
 * ASCII, Latin-1 and the common invisible format characters; everything
 * else outside those ranges is treated as printable. */
static inline int bench_rune_printable(uint32_t r)
{
    if (r < 0x20 || r == 0x7F)
        return 0;
    if (r < 0x7F)
        return 1;
    if (r >= 0x80 && r <= 0xA0) /* C1 controls and NBSP (Go: not IsPrint) */
        return 0;
    if (r == 0xAD)              /* soft hyphen */
        return 0;
    if ((r >= 0x200B && r <= 0x200F) || (r >= 0x2028 && r <= 0x202E) ||
        (r >= 0x2060 && r <= 0x206F) || r == 0xFEFF || r == 0x2000 ||
        (r >= 0x2001 && r <= 0x200A) || r == 0x3000 || r == 0x1680 ||
        r == 0x202F || r == 0x205F)
        return 0;
    if (r >= 0xE000 && r <= 0xF8FF) /* private use */
        return 0;
    if ((r & 0xFFFE) == 0xFFFE)     /* noncharacters U+xxFFFE/U+xxFFFF */
        return 0;
    return 1;
}

/* Print s as Go's %q does (strconv.Quote). */
static inline void bench_fquote(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t len = strlen(str);
    fputc('"', f);
    while (len > 0) {
        uint32_t r;
        size_t w = bench_utf8_decode(s, len, &r);
        if (w == 0) {
            fprintf(f, "\\x%02x", s[0]);
            s++;
            len--;
            continue;
        }
        if (r == '"' || r == '\\') {
            fputc('\\', f);
            fputc((int)r, f);
        } else if (bench_rune_printable(r)) {
            fwrite(s, 1, w, f);
        } else {
            switch (r) {
            case '\a': fputs("\\a", f); break;
            case '\b': fputs("\\b", f); break;
            case '\f': fputs("\\f", f); break;
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            case '\v': fputs("\\v", f); break;
            default:
                if (r < ' ' || r == 0x7F)
                    fprintf(f, "\\x%02x", (unsigned)r);
                else if (r < 0x10000)
                    fprintf(f, "\\u%04x", (unsigned)r);
                else
                    fprintf(f, "\\U%08x", (unsigned)r);
            }
        }
        s += w;
        len -= w;
    }
    fputc('"', f);
}

/* ------------------------------------------------------------------------ */
/* Go's argInt. */

/* strconv.Atoi for a 64-bit int: optional sign, one or more decimal digits,
 * nothing else (no spaces, no underscores, no base prefix), in range.
 * Returns 0 and stores the value, or -1. */
static inline int bench_atoi(const char *s, int64_t *out)
{
    int neg = 0;
    if (*s == '+' || *s == '-') {
        neg = (*s == '-');
        s++;
    }
    if (*s == '\0')
        return -1;
    uint64_t v = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (limit - d) / 10)
            return -1; /* out of range: Go's ErrRange */
        v = v * 10 + d;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 0;
}

/* argInt(i, def): argv[i] as a positive integer, def when absent; a bad
 * argument prints `bad argument "..."` and exits with status 2, as Go does. */
static inline int64_t bench_arg_int(int argc, char **argv, int i, int64_t def)
{
    if (argc > i) {
        int64_t n;
        if (bench_atoi(argv[i], &n) != 0 || n <= 0) {
            fputs("bad argument ", stderr);
            bench_fquote(stderr, argv[i]);
            fputc('\n', stderr);
            exit(2);
        }
        return n;
    }
    return def;
}

/* ------------------------------------------------------------------------ */
/* Time. */

/* time.Now() on the monotonic clock, in nanoseconds. */
static inline int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* time.Duration.String(): a port of Go's Duration.format. buf must hold 32 bytes. */
static inline size_t bench_fmt_frac(char *buf, size_t w, uint64_t *v, int prec)
{
    int print = 0;
    for (int i = 0; i < prec; i++) {
        unsigned digit = (unsigned)(*v % 10);
        print = print || digit != 0;
        if (print)
            buf[--w] = (char)('0' + digit);
        *v /= 10;
    }
    if (print)
        buf[--w] = '.';
    return w;
}

static inline size_t bench_fmt_int(char *buf, size_t w, uint64_t v)
{
    if (v == 0) {
        buf[--w] = '0';
    } else {
        while (v > 0) {
            buf[--w] = (char)('0' + v % 10);
            v /= 10;
        }
    }
    return w;
}

static inline const char *bench_duration(int64_t d, char out[32])
{
    char buf[32];
    size_t w = sizeof buf;
    uint64_t u = (uint64_t)d;
    int neg = d < 0;
    if (neg)
        u = -u;
    if (u < 1000000000u) {
        int prec = 0;
        buf[--w] = 's';
        w--;
        if (u == 0) {
            buf[w] = '0';
            goto done;
        } else if (u < 1000u) {
            prec = 0;
            buf[w] = 'n';
        } else if (u < 1000000u) {
            prec = 3;
            w--; /* U+00B5 MICRO SIGN, as Go prints it */
            buf[w] = (char)0xC2;
            buf[w + 1] = (char)0xB5;
        } else {
            prec = 6;
            buf[w] = 'm';
        }
        w = bench_fmt_frac(buf, w, &u, prec);
        w = bench_fmt_int(buf, w, u);
    } else {
        buf[--w] = 's';
        w = bench_fmt_frac(buf, w, &u, 9);
        w = bench_fmt_int(buf, w, u % 60);
        u /= 60;
        if (u > 0) {
            buf[--w] = 'm';
            w = bench_fmt_int(buf, w, u % 60);
            u /= 60;
            if (u > 0) {
                buf[--w] = 'h';
                w = bench_fmt_int(buf, w, u);
            }
        }
    }
    if (neg)
        buf[--w] = '-';
done:
    memcpy(out, buf + w, sizeof buf - w);
    out[sizeof buf - w] = '\0';
    return out;
}

/* ------------------------------------------------------------------------ */
/* Output and failure. */

/* printf("%.<prec>f UNIT\n", v) with Go's spelling of the infinities and NaN
 * (a division by a zero count gives "+Inf" in Go, "inf" in C). */
static inline void bench_print_result(double v, int prec, const char *unit)
{
    if (isnan(v))
        printf("NaN %s\n", unit);
    else if (isinf(v))
        printf("%sInf %s\n", v > 0 ? "+" : "-", unit);
    else
        printf("%.*f %s\n", prec, v, unit);
}

/* A gort call failed: say which, with gort's text, and end the process with
 * status 1. _exit, not exit: other goroutines may still be running on the
 * runtime's threads, and static destructors must not race with them. */
static inline _Noreturn void bench_fail(const char *prog, const char *what, long long err)
{
    fflush(stdout);
    fprintf(stderr, "%s: %s failed: %s (%lld)\n", prog, what,
            go_strerror((int)err), err);
    _exit(1);
}

/* Run fn(arg) as the main goroutine; report a go_main failure; flush stdout.
 * Returns main()'s exit status. */
static inline int bench_go_main(const char *prog, go_fn_t fn, void *arg)
{
    int rc = go_main(fn, arg);
    if (rc < 0)
        bench_fail(prog, "go_main", rc);
    return fflush(stdout) != 0;
}

#endif /* GORT_BENCH_COMMON_H */
