// gort_glue.cpp - see gort_glue.hpp.
//
// The trampoline's protocol: a body's thread-local Report says whether the
// thread is inside a gort_spawn body (gort_report_panic is refused
// elsewhere) and holds the text of a panic to raise. A pinned goroutine
// never migrates (gort/pinned.h), so thread-local data is the goroutine's
// for as long as its body runs.
#include "gort_glue.hpp"

#include <cerrno>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <cstring>
#include <cxxabi.h>
#include <exception>

namespace {

constexpr std::size_t kTextMax = 4096;

struct Report {
    bool in_body = false;
    bool pending = false;
    char text[kTextMax];
};

thread_local Report t_report;

void (*g_body_enter)() = nullptr;
void (*g_body_leave)() = nullptr;

void set_text(Report &r, const char *text)
{
    std::size_t n = std::strlen(text);
    if (n >= kTextMax) n = kTextMax - 1;
    std::memcpy(r.text, text, n);
    r.text[n] = '\0';
    r.pending = true;
}

struct Job {
    GoRunnable *runnable;
    int64_t arg;
};

// The pinned goroutine's body. No C++ object with a destructor may be live
// when panic_raise jumps (it never returns), so the managed call and the
// catch blocks end before it: the text waits in the thread-local Report.
void trampoline(void *p)
{
    Job job;
    std::memcpy(&job, p, sizeof job);  // go_spawn_pinned_copy's copy
    Report &r = t_report;
    r.in_body = true;
    r.pending = false;
    if (g_body_enter != nullptr) g_body_enter();
    try {
        job.runnable->run(job.arg);
    } catch (abi::__forced_unwind &) {
        r.in_body = false;
        throw;  // thread cancellation must go on (FIELD-NOTES)
    } catch (const std::exception &e) {
        // Java: Swig::DirectorException carrying Throwable.toString().
        set_text(r, e.what());
    } catch (...) {
        set_text(r, "unknown C++ exception");
    }
    r.in_body = false;
    if (g_body_leave != nullptr) g_body_leave();
    if (r.pending) {
        r.pending = false;
        panic_raise(r.text);  // copies the text; does not return
    }
}

}  // namespace

GoRunnable::~GoRunnable() = default;

void gort_set_body_hooks(void (*enter)(), void (*leave)())
{
    g_body_enter = enter;
    g_body_leave = leave;
}

int64_t gort_spawn(GoRunnable *r, int64_t arg)
{
    if (r == nullptr) return GO_EINVAL;
    Job job{r, arg};
    return go_spawn_pinned_copy(trampoline, &job, sizeof job);
}

int gort_report_panic(const char *text)
{
    if (text == nullptr) return GO_EINVAL;
    Report &r = t_report;
    if (!r.in_body) return GO_EPERM;
    set_text(r, text);
    return 0;
}

go_chan_t *gort_chan_new(int64_t cap)
{
    if (cap < 0 || cap > INT32_MAX) {
        errno = EINVAL;
        return nullptr;
    }
    return chan_new(sizeof(int64_t), static_cast<size_t>(cap));
}

int gort_chan_send(go_chan_t *ch, int64_t value) { return chan_send_err(ch, &value); }

int gort_chan_recv(go_chan_t *ch, int64_t *out_value)
{
    int64_t v = 0;
    int rc = chan_recv(ch, &v);
    if (out_value != nullptr) *out_value = v;
    return rc;
}

int gort_chan_try_send(go_chan_t *ch, int64_t value) { return chan_try_send_err(ch, &value); }

int gort_chan_try_recv(go_chan_t *ch, int64_t *out_value, int *out_ok)
{
    int64_t v = 0;
    int ok = 0;
    int rc = chan_try_recv(ch, &v, &ok);
    if (out_value != nullptr) *out_value = v;
    if (out_ok != nullptr) *out_ok = ok;
    return rc;
}

int gort_chan_close(go_chan_t *ch) { return chan_close_err(ch); }

int64_t gort_chan_address(go_chan_t *ch) { return static_cast<int64_t>(reinterpret_cast<intptr_t>(ch)); }

go_chan_t *gort_chan_from_address(int64_t address)
{
    auto *ch = reinterpret_cast<go_chan_t *>(static_cast<intptr_t>(address));
    if (ch == nullptr || chan_elem_size(ch) != static_cast<int>(sizeof(int64_t))) return nullptr;
    return ch;
}

GoSelect::GoSelect() = default;
GoSelect::~GoSelect() = default;

int GoSelect::add_recv(go_chan_t *ch)
{
    cases_.push_back(go_select_case_t{ch, GO_SELECT_RECV, 0, nullptr});
    values_.push_back(0);
    return static_cast<int>(cases_.size()) - 1;
}

int GoSelect::add_send(go_chan_t *ch, int64_t value)
{
    cases_.push_back(go_select_case_t{ch, GO_SELECT_SEND, 0, nullptr});
    values_.push_back(value);
    return static_cast<int>(cases_.size()) - 1;
}

int GoSelect::add_default()
{
    cases_.push_back(go_select_case_t{nullptr, GO_SELECT_DEFAULT, 0, nullptr});
    values_.push_back(0);
    return static_cast<int>(cases_.size()) - 1;
}

int GoSelect::size() const { return static_cast<int>(cases_.size()); }

void GoSelect::clear()
{
    cases_.clear();
    values_.clear();
}

int GoSelect::run()
{
    // The value pointers are set only now: values_ may have moved while
    // the cases were added.
    for (std::size_t i = 0; i < cases_.size(); i++) {
        cases_[i].value = cases_[i].dir == GO_SELECT_DEFAULT ? nullptr : &values_[i];
        cases_[i].ok = 0;
    }
    return go_select_err(cases_.data(), static_cast<int>(cases_.size()));
}

int64_t GoSelect::value(int index) const
{
    if (index < 0 || static_cast<std::size_t>(index) >= values_.size()) return 0;
    return values_[index];
}

int GoSelect::ok(int index) const
{
    if (index < 0 || static_cast<std::size_t>(index) >= cases_.size()) return 0;
    return cases_[index].ok;
}

const char *gort_dump_string() {
    static thread_local std::string text;
    text.clear();
    int fd = memfd_create("gort-dump", MFD_CLOEXEC);
    if (fd < 0) return text.c_str();
    if (go_dump(fd) == 0) {
        off_t len = lseek(fd, 0, SEEK_END);
        if (len > 0) {
            text.resize(static_cast<std::size_t>(len));
            ssize_t n = pread(fd, &text[0], static_cast<std::size_t>(len), 0);
            text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        }
    }
    close(fd);
    return text.c_str();
}
