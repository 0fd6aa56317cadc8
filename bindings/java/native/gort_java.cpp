// gort_java.cpp - the Java binding's spawn path (org.gort.Dispatcher),
// linked into libgortjni.so beside SWIG's wrapper and the shared glue.
//
// Why not the SWIG director and the glue's gort_spawn: a spawn through
// GoRunnable needs a key for the body (Dispatcher kept a
// ConcurrentHashMap<Long, Runnable>: a boxed key, an insert and a remove
// per goroutine); gort_spawn copies its 16-byte job to the heap (a malloc
// on the spawner, a free on the pool thread); and the director's upcall
// turns its weak global reference into a local one and goes through
// gortJNI.SwigDirector_GoRunnable_run before reaching Java. Here the body
// itself travels: Dispatcher.spawn0(body) makes one JNI global reference
// to it and passes it as go_spawn_pinned's argument; the pool thread calls
// the static Dispatcher.run(body) with it and deletes the reference.
//
// The global reference is deleted exactly once: by spawn0 when the spawn
// fails (the body never runs), else by run_body right after the upcall
// returned, normally or with an exception pending (DeleteGlobalRef is one
// of the JNI calls allowed then).
//
// Panics follow the glue's protocol (gort_glue.hpp, point 2): a Throwable
// leaving Dispatcher.run (Frames.UnrecoveredPanic: the body's deferred
// calls ran, none recovered) is cleared, its toString() kept, and the
// trampoline raises the gort panic once no Java frame is left on the
// thread. What this path does not have, and the Java layer never used:
// gort_report_panic (it answers GO_EPERM in these bodies: a Java body
// panics by throwing) and the glue's body hooks (Mono's).
#include <gort.h>
#include <jni.h>

#include <cstring>

namespace {

JavaVM *g_vm = nullptr;
jclass g_dispatcher = nullptr;  // a global reference: the class stays loaded
jmethodID g_run = nullptr;      // static void run(Runnable)

// The longest panic text kept (as the glue's).
constexpr std::size_t kTextMax = 4096;

void copy_text(char (&text)[kTextMax], const char *s)
{
    std::size_t n = std::strlen(s);
    if (n >= kTextMax) n = kTextMax - 1;
    std::memcpy(text, s, n);
    text[n] = '\0';
}

// Throwable.toString() into text: "<class name>: <message>" (the class
// name alone when there is no message), as gort.i's
// gort_java_throwable_text; "java.lang.Throwable" when it cannot be had
// (toString threw, memory is short). Leaves no exception pending.
void throwable_text(JNIEnv *env, jthrowable t, char (&text)[kTextMax])
{
    copy_text(text, "java.lang.Throwable");
    jclass cls = env->FindClass("java/lang/Object");
    if (cls == nullptr) {
        env->ExceptionClear();
        return;
    }
    jmethodID to_string = env->GetMethodID(cls, "toString", "()Ljava/lang/String;");
    jstring s = to_string != nullptr ? static_cast<jstring>(env->CallObjectMethod(t, to_string)) : nullptr;
    if (env->ExceptionCheck()) {
        env->ExceptionClear();
        if (s != nullptr) env->DeleteLocalRef(s);
        s = nullptr;
    }
    if (s != nullptr) {
        const char *utf = env->GetStringUTFChars(s, nullptr);
        if (utf != nullptr) {
            copy_text(text, utf);
            env->ReleaseStringUTFChars(s, utf);
        } else {
            env->ExceptionClear();  // OutOfMemoryError
        }
        env->DeleteLocalRef(s);
    }
    env->DeleteLocalRef(cls);
}

// The JNIEnv of this pool thread. The pinned pool's thread_start hook
// (gort.i's JNI_OnLoad) attached it; should other code of the process
// have taken the pool's hooks first, attach it here, as a daemon that
// stays attached, as SWIG's director would (gort.i's %begin).
JNIEnv *pool_thread_env()
{
    JNIEnv *env = nullptr;
    if (g_vm->GetEnv(reinterpret_cast<void **>(&env), JNI_VERSION_1_8) == JNI_OK) return env;
    JavaVMAttachArgs args;
    args.version = JNI_VERSION_1_8;
    args.name = const_cast<char *>("gort-pinned");
    args.group = nullptr;
    if (g_vm->AttachCurrentThreadAsDaemon(reinterpret_cast<void **>(&env), &args) != JNI_OK) return nullptr;
    return env;
}

// Dispatcher.run(body) on this pool thread, then deletes the reference.
// Returns true, with the panic text in text, when a Throwable left the
// body; no Java exception stays pending (the thread goes back to C).
bool run_body(jobject body, char (&text)[kTextMax])
{
    JNIEnv *env = pool_thread_env();
    if (env == nullptr) {
        // Without a JNIEnv the reference cannot even be deleted: the
        // process ends with this panic.
        copy_text(text, "gort: cannot attach a pinned-pool thread to the JVM");
        return true;
    }
    env->CallStaticVoidMethod(g_dispatcher, g_run, body);
    env->DeleteGlobalRef(body);
    if (!env->ExceptionCheck()) return false;  // no local reference made on the common path
    jthrowable t = env->ExceptionOccurred();
    env->ExceptionClear();
    throwable_text(env, t, text);
    env->DeleteLocalRef(t);
    return true;
}

// The pinned goroutine's body. A gort panic is a jump: it must not cross
// Java frames, nor skip a live C++ object. run_body has returned when
// panic_raise copies the text and jumps; nothing recovers it (no C defer
// on this thread), so that is Go's "panic: <text>", "goroutine N
// [running, locked to thread]:" and exit status 2.
void trampoline(void *arg)
{
    char text[kTextMax];
    if (run_body(static_cast<jobject>(arg), text)) panic_raise(text);
}

}  // namespace

extern "C" {

// Dispatcher's static initializer: caches the VM, the class and
// run(Runnable). Returns false (with a Java exception pending) when they
// cannot be had.
JNIEXPORT jboolean JNICALL Java_org_gort_Dispatcher_init0(JNIEnv *env, jclass cls)
{
    if (env->GetJavaVM(&g_vm) != JNI_OK) {
        jclass ise = env->FindClass("java/lang/IllegalStateException");
        if (ise != nullptr) env->ThrowNew(ise, "gort: GetJavaVM failed");
        return JNI_FALSE;
    }
    g_run = env->GetStaticMethodID(cls, "run", "(Ljava/lang/Runnable;)V");
    if (g_run == nullptr) return JNI_FALSE;  // NoSuchMethodError pending
    g_dispatcher = static_cast<jclass>(env->NewGlobalRef(cls));
    if (g_dispatcher == nullptr) return JNI_FALSE;
    return JNI_TRUE;
}

// Dispatcher.spawn0(body): the goroutine id, or gort's negative error code
// (GO_ENOMEM, GO_EAGAIN, GO_ESHUTDOWN; the reference is then deleted here:
// the body never runs). Dispatcher rejects a null body; here it is
// GO_EINVAL all the same.
JNIEXPORT jlong JNICALL Java_org_gort_Dispatcher_spawn0(JNIEnv *env, jclass, jobject body)
{
    if (body == nullptr) return GO_EINVAL;
    jobject ref = env->NewGlobalRef(body);
    if (ref == nullptr) return GO_ENOMEM;
    go_id_t id = go_spawn_pinned(trampoline, ref);
    if (id < 0) env->DeleteGlobalRef(ref);
    return id;
}

}  // extern "C"
