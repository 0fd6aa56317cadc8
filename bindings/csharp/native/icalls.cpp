// icalls.cpp - the C# binding's calls into gort that skip Mono's P/Invoke
// transition. Built into libgortcs.so with SWIG's wrapper (build.sh).
//
// Why: under Mono's hybrid suspend (the default), every P/Invoke leaves and
// re-enters a GC-safe region around the native call: a state-machine swap
// and a copy of the caller's stack area each way. On Mono 6.8 a P/Invoke to
// an empty function costs about 130 ns; the same function as a raw internal
// call (mono_dangerous_add_raw_internal_call: called like a managed method,
// the thread stays GC-unsafe) about 11 ns. A goroutine's spawn and its
// WaitGroup.Done made two of them per goroutine.
//
// Which calls may be raw: a thread in a raw call is "running managed code"
// to the GC, so it must neither block for long (a stop-the-world would then
// wait for it: hybrid suspend stops a GC-unsafe thread with a signal, but
// the pause would last as long as the call) nor touch managed objects. Only
// gort calls that never block qualify: gort_spawn ("never blocks": it hands
// the body to an idle pool thread, queues it, or starts a thread) and the
// WaitGroup's add/done (an atomic add, and at zero a wake-up). Wait, and
// every channel and mutex call, stay P/Invokes. Arguments are integers and
// native pointers only.
//
// Registration is by name ("Gort.Icalls::Spawn"), from Icalls' static
// constructor, before any of them is compiled; without Mono's function
// (another runtime, an older Mono) the C# layer keeps its P/Invokes.
#include <dlfcn.h>

#include "gort_glue.hpp"

namespace {

std::int64_t icall_spawn(GoRunnable *r, std::int64_t arg) { return gort_spawn(r, arg); }

int icall_wg_add(go_wg_t *wg, std::int64_t delta) { return wg_add_err(wg, delta); }

int icall_wg_done(go_wg_t *wg) { return wg_done_err(wg); }

}  // namespace

// gortcs_register_icalls - 0 when the calls are registered; 1 when this
// process's Mono has no raw internal calls.
extern "C" int gortcs_register_icalls()
{
    using AddRaw = void (*)(const char *name, const void *fn);
    auto add = reinterpret_cast<AddRaw>(dlsym(RTLD_DEFAULT, "mono_dangerous_add_raw_internal_call"));
    if (add == nullptr) return 1;
    add("Gort.Icalls::Spawn", reinterpret_cast<const void *>(icall_spawn));
    add("Gort.Icalls::WgAdd", reinterpret_cast<const void *>(icall_wg_add));
    add("Gort.Icalls::WgDone", reinterpret_cast<const void *>(icall_wg_done));
    return 0;
}
