/* gort.i - the one SWIG interface of the Java, C# and Python bindings.
 *
 *   swig -c++ -java   -package org.gort.swig -outdir ... gort.i   (Java)
 *   swig -c++ -csharp -namespace Gort.Swig -dllimport gortcs ... gort.i (C#)
 *   swig -c++ -python -threads -dirvtable -outdir ... ../python/gort_python.i
 *        (Python: it sets up the GIL handling, then %includes this file)
 *
 * What is wrapped, and what is NOT (on purpose):
 *   - the glue (gort_glue.hpp): the GoRunnable director, gort_spawn (a
 *     PINNED goroutine per body), 8-byte channel operations and GoSelect;
 *   - the C API functions that can neither panic nor run managed code on a
 *     goroutine stack: WaitGroup (the _err twins only), Mutex (lock,
 *     trylock, unlock_err), channel len/cap/free, time.After, GOMAXPROCS,
 *     ids, sleep, yield, version and error texts.
 *   - NOT: go_spawn/go_main/go_call/defer_push/once_do (they would run a
 *     managed callback on a switched stack), and every function that can
 *     raise a gort panic (chan_send, chan_close, go_select, wg_add, wg_done,
 *     wg_wait, mutex_unlock, panic_raise...): a panic's jump must never
 *     cross JVM, CLR or CPython frames. The idiomatic layers implement
 *     defer, panic and recover in the language itself.
 * The generated code is the bindings' internal layer; users use the
 * idiomatic layers (org.gort in Java, Gort in C#, gort in Python).
 */
%module(directors="1") gort

%begin %{
/* Java: pool threads are attached to the JVM once, by the pinned-pool hook
 * (JNI_OnLoad below), and stay attached between bodies. Without these, the
 * SWIG director would attach and DETACH the thread around every upcall (a
 * new java.lang.Thread each time). As a daemon, should the hook be absent
 * (another library installed the pool hooks first), a thread the director
 * attaches does not keep the JVM from exiting. */
#define SWIG_JAVA_NO_DETACH_CURRENT_THREAD
#define SWIG_JAVA_ATTACH_CURRENT_THREAD_AS_DAEMON
%}

%{
#include <gort.h>
#include "gort_glue.hpp"
%}

%include <stdint.i>
%include <typemaps.i>

%apply long long *OUTPUT { int64_t *out_value };
%apply int *OUTPUT { int *out_ok };

/* ---------------------------------------------------------------- Java */
#ifdef SWIGJAVA
/* Pool-thread hooks: attach each pinned-pool thread to the JVM once (as a
 * daemon named gort-pinned), detach it when the pool lets it go. */
%{
#include <jni.h>
#include <string>

static JavaVM *gort_jvm = nullptr;

static void gort_java_thread_start(void *ctx)
{
    JavaVM *vm = static_cast<JavaVM *>(ctx);
    JNIEnv *env = nullptr;
    JavaVMAttachArgs args;
    args.version = JNI_VERSION_1_8;
    args.name = const_cast<char *>("gort-pinned");
    args.group = nullptr;
    vm->AttachCurrentThreadAsDaemon(reinterpret_cast<void **>(&env), &args);
}

static void gort_java_thread_exit(void *ctx)
{
    static_cast<JavaVM *>(ctx)->DetachCurrentThread();
}

/* Called once, when System.load/loadLibrary loads this library. Before any
 * pinned goroutine can exist in a Java program, so the hooks take (they
 * fail with GO_EALREADY only when other code of the process spawned pinned
 * goroutines first: the director then attaches threads itself, as daemons,
 * on their first upcall). */
extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *)
{
    gort_jvm = vm;
    go_pinned_hooks_t hooks;
    go_pinned_hooks_init(&hooks);
    hooks.thread_start = gort_java_thread_start;
    hooks.thread_exit = gort_java_thread_exit;
    hooks.ctx = vm;
    (void)go_pinned_set_hooks(&hooks);
    return JNI_VERSION_1_8;
}

/* Throwable.toString(): "<class name>: <message>" (the class name alone
 * when there is no message). */
static std::string gort_java_throwable_text(JNIEnv *jenv, jthrowable t)
{
    std::string text = "java.lang.Throwable";
    jclass cls = jenv->FindClass("java/lang/Object");
    if (cls == nullptr) { jenv->ExceptionClear(); return text; }
    jmethodID to_string = jenv->GetMethodID(cls, "toString", "()Ljava/lang/String;");
    jstring s = to_string ? static_cast<jstring>(jenv->CallObjectMethod(t, to_string)) : nullptr;
    if (jenv->ExceptionCheck()) { jenv->ExceptionClear(); s = nullptr; }
    if (s != nullptr) {
        const char *utf = jenv->GetStringUTFChars(s, nullptr);
        if (utf != nullptr) {
            text = utf;
            jenv->ReleaseStringUTFChars(s, utf);
        }
        jenv->DeleteLocalRef(s);
    }
    jenv->DeleteLocalRef(cls);
    return text;
}
%}

/* A Throwable escaping GoRunnable.run: clear it (no Java exception may stay
 * pending on a thread that goes back to C) and leave the director as a C++
 * exception carrying its text; the glue's trampoline catches it and raises
 * the gort panic once the Java frames are gone. */
%feature("director:except") GoRunnable::run %{
  jthrowable $error = jenv->ExceptionOccurred();
  if ($error) {
    jenv->ExceptionClear();
    std::string gort_text = gort_java_throwable_text(jenv, $error);
    jenv->DeleteLocalRef($error);
    throw Swig::DirectorException(gort_text.c_str());
  }
%}

/* The JNI class loads the library itself: -Dgort.jni.library=/path/libgortjni.so,
 * else System.loadLibrary("gortjni") (java.library.path). */
%pragma(java) jniclasscode=%{
  static {
    String path = System.getProperty("gort.jni.library");
    if (path != null) System.load(new java.io.File(path).getAbsolutePath());
    else System.loadLibrary("gortjni");
  }
%}
#endif

/* ---------------------------------------------------------------- C# */
#ifdef SWIGCSHARP
/* Mono. Each pinned-pool thread is attached to Mono once (thread_start
 * hook) and detached when the pool lets it go (thread_exit hook), as for
 * the JVM. What Mono needs beyond the JVM: under its (default) hybrid
 * suspend, an attached thread is GC-unsafe ("running managed code") until
 * it says otherwise, and a stop-the-world collection, or the shutdown
 * after Main returns, waits for every GC-unsafe thread to reach a
 * safepoint: a pool thread idle in gort's native code never would, and
 * the process hangs. So a pool thread stays in a GC-safe region whenever
 * it is in gort: it enters one right after attaching and after each body
 * (body hooks of the glue), and leaves it just before each body's upcall;
 * blocking calls made by a body are P/Invokes, which Mono's wrappers make
 * GC-safe themselves. The Mono functions are looked up with dlsym, so the
 * library does not link libmono (the mono executable exports them). */
%{
#include <dlfcn.h>

struct GortMono {
    void *(*get_root_domain)(void);
    void *(*thread_attach)(void *domain);
    void (*thread_detach)(void *thread);
    void *(*thread_current)(void);
    void *(*enter_gc_safe)(void **stackdata);
    void (*exit_gc_safe)(void *cookie, void **stackdata);
};

static GortMono gort_mono;
/* The cookie of the GC-safe region this pool thread is in, or NULL. */
static thread_local void *gort_mono_safe_cookie = nullptr;

static void gort_mono_enter_safe()
{
    void *stackdata;
    gort_mono_safe_cookie = gort_mono.enter_gc_safe(&stackdata);
}

static void gort_mono_exit_safe()
{
    void *stackdata;
    void *cookie = gort_mono_safe_cookie;
    gort_mono_safe_cookie = nullptr;
    if (cookie != nullptr) gort_mono.exit_gc_safe(cookie, &stackdata);
}

static void gort_mono_thread_start(void *)
{
    gort_mono.thread_attach(gort_mono.get_root_domain());
    gort_mono_enter_safe();
}

static void gort_mono_thread_exit(void *)
{
    gort_mono_exit_safe();
    void *thread = gort_mono.thread_current();
    if (thread != nullptr) gort_mono.thread_detach(thread);
}

template <typename F>
static bool gort_mono_sym(F &f, const char *name)
{
    f = reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
    return f != nullptr;
}

/* gort_install_mono_hooks - 0 when the hooks are installed; 1 when this
 * process has no Mono symbols; GO_EALREADY when pool hooks were set
 * already or a pool thread exists (then no body hooks either: Mono
 * attaches a pool thread at its first upcall and a collection while it
 * idles may hang). Call once, before the first gort_spawn. */
static int gort_install_mono_hooks()
{
    GortMono &m = gort_mono;
    if (!gort_mono_sym(m.get_root_domain, "mono_get_root_domain") ||
        !gort_mono_sym(m.thread_attach, "mono_thread_attach") ||
        !gort_mono_sym(m.thread_detach, "mono_thread_detach") ||
        !gort_mono_sym(m.thread_current, "mono_thread_current") ||
        !gort_mono_sym(m.enter_gc_safe, "mono_threads_enter_gc_safe_region_unbalanced") ||
        !gort_mono_sym(m.exit_gc_safe, "mono_threads_exit_gc_safe_region_unbalanced"))
        return 1;
    go_pinned_hooks_t hooks;
    go_pinned_hooks_init(&hooks);
    hooks.thread_start = gort_mono_thread_start;
    hooks.thread_exit = gort_mono_thread_exit;
    int rc = go_pinned_set_hooks(&hooks);
    if (rc != 0) return rc;
    gort_set_body_hooks(gort_mono_exit_safe, gort_mono_enter_safe);
    return 0;
}
%}
int gort_install_mono_hooks();

/* Installed when the module class is first used: every spawn goes through
 * gort.gort_spawn, so the hooks are in place before the first pool thread.
 * (The Gort layer also marks each pool thread as one Mono's shutdown must
 * neither wait for nor abort: see Dispatcher.cs.) */
%pragma(csharp) modulecode=%{
  static gort() {
    gort_install_mono_hooks();
  }
%}
#endif

/* ---------------------------------------------------------------- the C API subset */
typedef struct go_chan go_chan_t;
typedef struct go_wg go_wg_t;
typedef struct go_mutex go_mutex_t;

%constant int GO_EINVAL = GO_EINVAL;
%constant int GO_ENOMEM = GO_ENOMEM;
%constant int GO_EAGAIN = GO_EAGAIN;
%constant int GO_EOVERFLOW = GO_EOVERFLOW;
%constant int GO_ESHUTDOWN = GO_ESHUTDOWN;
%constant int GO_EPERM = GO_EPERM;
%constant int GO_EALREADY = GO_EALREADY;
%constant int GO_ECLOSED = GO_ECLOSED;
%constant int GO_ERANGE = GO_ERANGE;
%constant int GO_EBUSY = GO_EBUSY;

/* gort/common.h, gort/runtime.h, gort/pinned.h, gort/time.h */
const char *go_strerror(int err);
const char *go_version(void);
int go_version_number(void);
int go_maxprocs(int n);
int go_num_goroutine(void);
int go_num_cpu(void);
int64_t go_id(void);
int go_is_pinned(void);
void go_yield(void);
void go_sleep(int64_t ns);
int64_t go_nanotime(void);
go_chan_t *go_after(int64_t ns);

/* gort/sync.h: WaitGroup through its error twins, Mutex */
go_wg_t *wg_new(void);
void wg_free(go_wg_t *wg);
int wg_add_err(go_wg_t *wg, int64_t delta);
int wg_done_err(go_wg_t *wg);
int wg_wait_err(go_wg_t *wg);
go_mutex_t *mutex_new(void);
void mutex_free(go_mutex_t *mu);
int mutex_lock(go_mutex_t *mu);
int mutex_trylock(go_mutex_t *mu);
int mutex_unlock_err(go_mutex_t *mu);

/* gort/chan.h: what cannot panic */
void chan_free(go_chan_t *ch);
int chan_len(go_chan_t *ch);
int chan_cap(go_chan_t *ch);
int chan_elem_size(go_chan_t *ch);

%feature("director") GoRunnable;
%include "gort_glue.hpp"
