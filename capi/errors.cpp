// capi/errors.cpp - go_strerror.
#include <gort/common.h>

extern "C" const char *go_strerror(int err) noexcept {
    switch (err) {
    case 0: return "success";
    case GO_EINVAL: return "invalid argument";
    case GO_ENOMEM: return "out of memory";
    case GO_EAGAIN: return "no goroutine stack available (address space or mappings exhausted)";
    case GO_EOVERFLOW: return "counter out of range";
    case GO_ESHUTDOWN: return "the main goroutine has returned: the program is over";
    case GO_EPERM: return "operation not permitted (wrong context, or unlock of an unlocked mutex)";
    case GO_EALREADY: return "go_main was already called";
    case GO_ECLOSED: return "channel closed";
    case GO_ERANGE: return "sync: negative WaitGroup counter";
    case GO_EBUSY: return "sync: WaitGroup misuse";
    default: return "unknown error";
    }
}
