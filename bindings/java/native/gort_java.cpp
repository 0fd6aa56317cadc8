// gort_java.cpp - the Java binding's spawn path (org.gort.Dispatcher),
// linked into libgortjni.so beside SWIG's wrapper and the shared glue.
//
// Why not the SWIG director: a spawn through GoRunnable needs a key for
// the body (Dispatcher kept a ConcurrentHashMap<Long, Runnable>: a boxed
// key, an insert and a remove per goroutine) and the director's upcall
// turns its weak global reference into a local one and goes through
// gortJNI.SwigDirector_GoRunnable_run before reaching Java. Here the body
// itself travels: Dispatcher.spawn0(body) makes one JNI global reference
// to it and hands it to gort_spawn as the 8-byte argument; the pool thread
// calls the static Dispatcher.run(body) with it and deletes the reference.
//
// Everything else is the glue's (gort_glue.cpp): JavaBody is a plain C++
// GoRunnable, so its run() is called by the glue's trampoline, which keeps
// gort_report_panic, the body hooks and the panic protocol: a Throwable
// that leaves Dispatcher.run leaves JavaBody::run as a C++ exception
// carrying Throwable.toString(), exactly as SWIG's director:except in
// gort.i does, and the trampoline raises the gort panic once the Java
// frames are gone.
//
// The global reference is deleted exactly once: by spawn0 when gort_spawn
// fails (the body never runs), else by JavaBody::run right after the
// upcall returned, whether it returned normally or with an exception
// pending (DeleteGlobalRef is one of the JNI calls allowed then).
#include "gort_glue.hpp"

#include <jni.h>

#include <stdexcept>
#include <string>

namespace {

JavaVM *g_vm = nullptr;
jclass g_dispatcher = nullptr;  // a global reference: the class stays loaded
jmethodID g_run = nullptr;      // static void run(Runnable)

// Throwable.toString(): "<class name>: <message>" (the class name alone
// when there is no message), as gort.i's gort_java_throwable_text.
std::string throwable_text(JNIEnv *env, jthrowable t)
{
    std::string text = "java.lang.Throwable";
    jclass cls = env->FindClass("java/lang/Object");
    if (cls == nullptr) {
        env->ExceptionClear();
        return text;
    }
    jmethodID to_string = env->GetMethodID(cls, "toString", "()Ljava/lang/String;");
    jstring s = to_string != nullptr ? static_cast<jstring>(env->CallObjectMethod(t, to_string)) : nullptr;
    if (env->ExceptionCheck()) {
        env->ExceptionClear();
        s = nullptr;
    }
    if (s != nullptr) {
        const char *utf = env->GetStringUTFChars(s, nullptr);
        if (utf != nullptr) {
            text = utf;
            env->ReleaseStringUTFChars(s, utf);
        } else {
            env->ExceptionClear();  // OutOfMemoryError: keep the class-name-less default
        }
        env->DeleteLocalRef(s);
    }
    env->DeleteLocalRef(cls);
    return text;
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

class JavaBody final : public GoRunnable {
public:
    void run(int64_t arg) override
    {
        auto body = reinterpret_cast<jobject>(static_cast<intptr_t>(arg));
        JNIEnv *env = pool_thread_env();
        // Without a JNIEnv the reference cannot even be deleted; the
        // trampoline makes this a gort panic (the process ends).
        if (env == nullptr) throw std::runtime_error("gort: cannot attach a pinned-pool thread to the JVM");
        env->CallStaticVoidMethod(g_dispatcher, g_run, body);
        env->DeleteGlobalRef(body);
        jthrowable t = env->ExceptionOccurred();
        if (t == nullptr) return;
        // No Java exception may stay pending on a thread that goes back to C.
        env->ExceptionClear();
        std::string text = throwable_text(env, t);
        env->DeleteLocalRef(t);
        throw std::runtime_error(text);
    }
};

JavaBody g_body;

}  // namespace

extern "C" {

// Dispatcher's static initializer: caches the class and run(Runnable).
// Returns false (with a Java exception pending) when they are not found.
JNIEXPORT jboolean JNICALL Java_org_gort_Dispatcher_init0(JNIEnv *env, jclass cls)
{
    if (env->GetJavaVM(&g_vm) != JNI_OK) {
        env->ThrowNew(env->FindClass("java/lang/IllegalStateException"), "gort: GetJavaVM failed");
        return JNI_FALSE;
    }
    g_run = env->GetStaticMethodID(cls, "run", "(Ljava/lang/Runnable;)V");
    if (g_run == nullptr) return JNI_FALSE;  // NoSuchMethodError pending
    g_dispatcher = static_cast<jclass>(env->NewGlobalRef(cls));
    if (g_dispatcher == nullptr) return JNI_FALSE;  // OutOfMemoryError pending
    return JNI_TRUE;
}

// Dispatcher.spawn0(body): the goroutine id, or gort's negative error code
// (the reference is then deleted here: the body never runs). body is
// non-null (Dispatcher checks); a null one is GO_EINVAL all the same.
JNIEXPORT jlong JNICALL Java_org_gort_Dispatcher_spawn0(JNIEnv *env, jclass, jobject body)
{
    if (body == nullptr) return GO_EINVAL;
    jobject ref = env->NewGlobalRef(body);
    if (ref == nullptr) return GO_ENOMEM;
    int64_t id = gort_spawn(&g_body, static_cast<int64_t>(reinterpret_cast<intptr_t>(ref)));
    if (id < 0) env->DeleteGlobalRef(ref);
    return id;
}

}  // extern "C"
