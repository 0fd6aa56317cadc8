/* gort_python.i - the Python side of the shared SWIG interface.
 *
 *   swig -c++ -python -threads -dirvtable -outdir OUT/gort/swig -o gort_wrap.cxx gort_python.i
 *
 * It wraps ../swig/gort.i unchanged (the module stays `gort`; build.sh puts
 * it in the package gort.swig, as Java's org.gort.swig) and adds what
 * Python needs around it. The rules are the Java binding's (see gort.i):
 * bodies run as PINNED goroutines, only the _err twins are called, and an
 * exception that ends a body becomes a gort panic raised by the glue's
 * trampoline after the Python frames returned. What is Python's own:
 *
 *   THE GIL. Python runs only while a thread holds the GIL, and gort must
 *   never block while holding it (the goroutine that would wake it could
 *   not run its Python code). So every wrapper that can block (channel
 *   send and receive, select, WaitGroup wait, mutex lock, sleep, yield)
 *   releases the GIL around the gort call, and the others keep it (a
 *   release costs a GIL hand-over for nothing when the call cannot block).
 *   A director upcall (the body) takes the GIL on its pool thread.
 *
 *   POOL THREADS. The pinned pool's thread_start hook gives each pool
 *   thread its Python thread state once (PyGILState_Ensure, then the GIL is
 *   released but the state kept); each body then only takes and drops the
 *   GIL. The thread_exit hook deletes the state. Without the hooks (another
 *   library installed the pool's hooks first), each body's upcall creates
 *   and deletes a thread state itself: correct, slower.
 *
 *   FINALIZATION. When the main thread ends the program, Python (before
 *   3.14) ends any other thread that asks for the GIL with pthread_exit.
 *   On a pool thread that is a forced unwind through gort's frames, which
 *   gort must treat as a fatal error ("pthread_exit ... in a goroutine")
 *   and would turn a clean exit into status 2. Go's rule is that the
 *   program ends when main returns, goroutines or not; so a pool thread
 *   that would need the GIL after finalization began parks for good instead
 *   (as Python 3.14 does for all threads), and so does one that Python
 *   ends anyway (it was already waiting for the GIL when finalization
 *   began): GortPythonGuard catches that unwind before it reaches gort,
 *   and the GIL macros below keep SWIG's cleanups on the way (decrefs in
 *   the director's destructors) from touching the dying interpreter.
 *
 *   EXCEPTIONS. The director:except below turns the Python exception that
 *   leaves GoRunnable.run into a C++ exception carrying
 *   "<ExceptionType>: <message>" (traceback's last line), or the
 *   `gort_panic_text` attribute of the exception when it has one (the gort
 *   package's text for an unrecovered panic), with the Python error
 *   cleared: no exception may stay pending on a thread that goes back to C.
 */

%begin %{
/* Our own GIL macros replace SWIG's (pythreads.swg uses the ones defined
 * here when SWIG_PYTHON_NO_USE_GIL is set): they must not hand a pool
 * thread to pthread_exit during finalization (see FINALIZATION above). */
#define SWIG_PYTHON_NO_USE_GIL
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cxxabi.h>
#include <unistd.h>

static inline int gort_py_finalizing(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing();
#else
    return _Py_IsFinalizing();
#endif
}

/* Park the calling thread for good: the interpreter is going away and this
 * thread may never run Python again; the process exit ends it. */
[[noreturn]] static void gort_py_park_forever(void)
{
    for (;;) pause();
}

/* True on a pool thread while GortPythonGuard runs a body. Such a thread
 * is never the one finalizing the interpreter, so once finalization began
 * it does not hold the GIL and may never touch Python again: SWIG's
 * director code asks for the GIL even while Python's pthread_exit unwinds
 * the thread (SwigVar_PyObject's destructors decref their objects), and
 * there PyGILState_Check cannot be asked (once finalization has deleted
 * the GIL-state key it answers 1, and PyGILState_Ensure then makes a
 * thread state for an interpreter that is gone). */
static thread_local bool gort_py_in_body = false;

/* SWIG_PYTHON_THREAD_BEGIN_BLOCK: hold the GIL for a scope, from any thread
 * (a pool thread's upcall, or a thread that holds it already). */
class GortPyBlock {
public:
    GortPyBlock() : held_(false)
    {
        if (gort_py_finalizing() && (gort_py_in_body || !PyGILState_Check())) gort_py_park_forever();
        state_ = PyGILState_Ensure();
        held_ = true;
    }
    void end()
    {
        if (held_) {
            held_ = false;
            if (gort_py_in_body && gort_py_finalizing()) gort_py_park_forever();  /* see gort_py_in_body */
            PyGILState_Release(state_);
        }
    }
    ~GortPyBlock() { end(); }

private:
    GortPyBlock(const GortPyBlock &) = delete;
    GortPyBlock &operator=(const GortPyBlock &) = delete;
    bool held_;
    PyGILState_STATE state_;
};

/* SWIG_PYTHON_THREAD_BEGIN_ALLOW: release the GIL around a blocking call.
 * Taking it back after finalization began parks the thread, unless
 * finalization had begun already when the thread released it: then the
 * thread is the one finalizing (no other thread runs Python once it
 * began), which may not hang and which Python lets have the GIL. */
class GortPyAllow {
public:
    GortPyAllow() : finalizing_at_release_(gort_py_finalizing() != 0), saved_(PyEval_SaveThread()) {}
    void end()
    {
        PyThreadState *s = saved_;
        if (s == nullptr) return;
        saved_ = nullptr;  // first: a forced unwind out of the restore must not restore again
        if (!finalizing_at_release_ && gort_py_finalizing()) gort_py_park_forever();
        PyEval_RestoreThread(s);
    }
    ~GortPyAllow() { end(); }

private:
    GortPyAllow(const GortPyAllow &) = delete;
    GortPyAllow &operator=(const GortPyAllow &) = delete;
    bool finalizing_at_release_;
    PyThreadState *saved_;
};

#define SWIG_PYTHON_THREAD_BEGIN_BLOCK GortPyBlock _swig_thread_block
#define SWIG_PYTHON_THREAD_END_BLOCK _swig_thread_block.end()
#define SWIG_PYTHON_THREAD_BEGIN_ALLOW GortPyAllow _swig_thread_allow
#define SWIG_PYTHON_THREAD_END_ALLOW _swig_thread_allow.end()
%}

%{
#include <gort.h>
#include "gort_glue.hpp"

#include <stdexcept>
#include <string>

/* ---- pool-thread hooks (see POOL THREADS above) */

static void gort_py_thread_start(void *)
{
    try {
        if (gort_py_finalizing()) return;
        (void)PyGILState_Ensure();  /* creates this thread's state; its count stays 1 */
        (void)PyEval_SaveThread();  /* the GIL goes, the state stays */
    } catch (abi::__forced_unwind &) {
        gort_py_park_forever();
    }
}

static void gort_py_thread_exit(void *)
{
    try {
        if (gort_py_finalizing()) return;  /* finalization deletes the state */
        PyThreadState *ts = PyGILState_GetThisThreadState();
        if (ts == nullptr) return;
        PyEval_RestoreThread(ts);
        PyGILState_Release(PyGILState_UNLOCKED);  /* count 1 -> 0: deletes the state, drops the GIL */
    } catch (abi::__forced_unwind &) {
        gort_py_park_forever();
    }
}

/* What go_pinned_set_hooks answered at import: 0 (installed), or
 * GO_EALREADY (other code set the pool's hooks or started a pool thread
 * first; see POOL THREADS above). */
static int gort_py_hooks_rc = GO_EALREADY;

static void gort_py_install_hooks(void)
{
    go_pinned_hooks_t hooks;
    go_pinned_hooks_init(&hooks);
    hooks.thread_start = gort_py_thread_start;
    hooks.thread_exit = gort_py_thread_exit;
    gort_py_hooks_rc = go_pinned_set_hooks(&hooks);
}

/* ---- bodies */

/* Runs a GoRunnable (the Python director) for the glue's trampoline, and
 * stops the forced unwind of a pool thread that Python ends during
 * finalization before it reaches gort (see FINALIZATION above). */
class GortPythonGuard : public GoRunnable {
public:
    explicit GortPythonGuard(GoRunnable *body) : body_(body) {}
    void run(int64_t arg) override
    {
        struct InBody {
            InBody() { gort_py_in_body = true; }
            ~InBody() { gort_py_in_body = false; }
        } in_body;
        try {
            body_->run(arg);
        } catch (abi::__forced_unwind &) {
            gort_py_park_forever();
        }
    }

private:
    GoRunnable *body_;
};

/* gort_spawn through a guard: the caller keeps guard (and its body) alive. */
static int64_t gort_python_spawn(GortPythonGuard *guard, int64_t arg)
{
    return gort_spawn(guard, arg);
}

static int gort_python_hooks_status(void) { return gort_py_hooks_rc; }

/* ---- the exception that left a body, as panic text */

static std::string gort_py_utf8(PyObject *s)
{
    const char *p = s != nullptr ? PyUnicode_AsUTF8(s) : nullptr;
    if (p == nullptr) {
        PyErr_Clear();
        return std::string();
    }
    return std::string(p);
}

/* traceback's last line: "<type>: <str(value)>", the type's module first
 * unless it is builtins or __main__; the type alone when str() is empty. */
static std::string gort_py_format_exception(PyObject *type, PyObject *value)
{
    std::string name = "BaseException";
    PyObject *qualname = PyObject_GetAttrString(type, "__qualname__");
    PyObject *module = PyObject_GetAttrString(type, "__module__");
    PyErr_Clear();
    if (qualname != nullptr && PyUnicode_Check(qualname)) name = gort_py_utf8(qualname);
    if (module != nullptr && PyUnicode_Check(module)) {
        std::string mod = gort_py_utf8(module);
        if (!mod.empty() && mod != "builtins" && mod != "__main__") name = mod + "." + name;
    }
    Py_XDECREF(qualname);
    Py_XDECREF(module);
    std::string msg;
    PyObject *str = value != nullptr ? PyObject_Str(value) : nullptr;
    if (str == nullptr) {
        PyErr_Clear();
        if (value != nullptr) msg = "<exception str() failed>";
    } else {
        msg = gort_py_utf8(str);
        Py_DECREF(str);
    }
    return msg.empty() ? name : name + ": " + msg;
}

/* Takes the pending Python exception (clearing it) and returns its text. */
static std::string gort_py_take_exception_text(void)
{
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);
    if (type == nullptr) return "unknown Python exception";
    PyErr_NormalizeException(&type, &value, &tb);
    std::string text;
    PyObject *given = value != nullptr ? PyObject_GetAttrString(value, "gort_panic_text") : nullptr;
    if (given != nullptr && PyUnicode_Check(given)) {
        text = gort_py_utf8(given);
    } else {
        PyErr_Clear();
        text = gort_py_format_exception(type, value);
    }
    Py_XDECREF(given);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return text;
}
%}

%init %{
    gort_py_install_hooks();
%}

/* A Python exception leaving GoRunnable.run: see EXCEPTIONS above. The
 * trampoline catches the std::exception once the director returned (its
 * GIL block is released on the way) and raises the gort panic. */
%feature("director:except") GoRunnable::run %{
    if ($error != NULL) {
        std::string gort_text = gort_py_take_exception_text();
        throw std::runtime_error(gort_text);
    }
%}

/* THE GIL above: no GIL release by default; the blocking calls release it. */
%feature("nothreadallow");
%feature("nothreadallow", "0") gort_chan_send;
%feature("nothreadallow", "0") gort_chan_recv;
%feature("nothreadallow", "0") GoSelect::run;
%feature("nothreadallow", "0") wg_wait_err;
%feature("nothreadallow", "0") mutex_lock;
%feature("nothreadallow", "0") go_sleep;
%feature("nothreadallow", "0") go_yield;

%include "../swig/gort.i"

/* Declared to SWIG without its base: Python only makes one and hands it to
 * gort_python_spawn. */
class GortPythonGuard {
public:
    explicit GortPythonGuard(GoRunnable *body);
};
int64_t gort_python_spawn(GortPythonGuard *guard, int64_t arg);
int gort_python_hooks_status(void);
