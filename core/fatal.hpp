// fatal.hpp - async-signal-safe writers for the fatal paths.
#pragma once

namespace gort {

struct G;

void write_str(const char *s);
void write_int(long long v);
void write_hex(unsigned long long v);
// Claim the right to print and exit; other threads that fail meanwhile block.
bool begin_dying();
// This thread is printing a fatal report (a fault now must not recurse).
bool dying_here();

}  // namespace gort
