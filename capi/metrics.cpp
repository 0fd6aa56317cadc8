// capi/metrics.cpp - the extern "C" entry points of gort/metrics.h.
#include <gort/metrics.h>

#include "../core/metrics.hpp"
#include "../core/sched.hpp"
#include "errno_keeper.hpp"

using namespace gort;

extern "C" {

size_t go_metrics_count(void) noexcept { return metrics_count(); }

const go_metric_desc_t *go_metrics_desc(size_t i) noexcept { return metrics_desc(i); }

int go_metrics_read(go_metric_sample_t *samples, size_t n) noexcept {
    if (n == 0) return 0;
    if (samples == nullptr) return GO_EINVAL;
    ErrnoKeeper keep;
    ensure_runtime();
    metrics_read(samples, n);
    return 0;
}

}  // extern "C"
