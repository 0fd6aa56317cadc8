using System;
using System.Reflection;
using System.Threading;
using Gort.Swig;

namespace Gort
{
    /// <summary>
    /// The one SWIG director object of the process: every C# goroutine is a
    /// pinned goroutine whose body calls run(key) with the key of its Action
    /// in the registry (Bodies). One director for all keeps a
    /// spawn to a slot store and one native call.
    ///
    /// An exception must never leave run(): Mono aborts the process when one
    /// unwinds into the native caller of a reverse P/Invoke. So run() catches
    /// everything and hands the panic text to the glue (gort_report_panic),
    /// which raises the gort panic once run() has returned and no managed
    /// frame is left on the thread.
    /// </summary>
    internal sealed class Dispatcher : GoRunnable
    {
        internal static readonly Dispatcher Instance;

        static Dispatcher()
        {
            // The gort module class installs the Mono hooks (gort.i) when it
            // is first used, before any pool thread exists.
            Instance = new Dispatcher();
        }

        // This director's C++ object, for Icalls.GortSpawn; it lives as long
        // as the process (Instance is never disposed).
        private readonly IntPtr self;

        private Dispatcher()
        {
            self = GoRunnable.getCPtr(this).Handle;
        }

        internal long Spawn(Action body)
        {
            if (body == null) throw new ArgumentNullException("body");
            long key = Bodies.Put(body);
            long id = Icalls.On ? Icalls.GortSpawn(self, key) : gort.gort_spawn(this, key);
            if (id < 0)
            {
                Bodies.Take(key);   // no body will run: the slot is freed here
                throw Errors.Of(id, "Go.Spawn");
            }
            return id;
        }

        // Whether Unmanage ran on this pool thread already.
        [ThreadStatic] private static bool background;

        // Mono's shutdown (mono_thread_manage) waits for every foreground
        // thread, then aborts every other thread it manages and waits until
        // each has ended. A pool thread idle in gort's native code neither
        // ends nor runs managed code to take the abort, so Main's return
        // would hang for ever. Go's rule is the one to keep: when Main
        // returns, the program is over. So each pool thread is a background
        // thread and carries Mono's MONO_THREAD_FLAG_DONT_MANAGE (1, "don't
        // wait for or abort this thread"; Mono sets it on its own service
        // threads), set through InternalThread.flags: Mono 6.8 has no
        // public API for it. Where the field is missing (another runtime),
        // only IsBackground is set.
        private static readonly FieldInfo InternalThreadField =
            typeof(Thread).GetField("internal_thread", BindingFlags.NonPublic | BindingFlags.Instance);
        private const long MonoThreadFlagDontManage = 1;

        private static void Unmanage(Thread t)
        {
            t.IsBackground = true;
            if (InternalThreadField == null) return;
            object it = InternalThreadField.GetValue(t);
            FieldInfo flags = it == null ? null : it.GetType().GetField("flags", BindingFlags.NonPublic | BindingFlags.Instance);
            if (flags == null || flags.FieldType != typeof(IntPtr)) return;
            long f = ((IntPtr)flags.GetValue(it)).ToInt64();
            flags.SetValue(it, new IntPtr(f | MonoThreadFlagDontManage));
        }

        public override void run(long key)
        {
            string panic;
            try
            {
                if (!background)
                {
                    Unmanage(Thread.CurrentThread);
                    background = true;
                }
                panic = Frames.RunGoroutine(Bodies.Take(key));
            }
            catch (Exception e)   // Frames catches the body's; this is a last resort
            {
                panic = e.GetType().FullName + ": " + e.Message;
            }
            if (panic != null) gort.gort_report_panic(panic);
        }
    }
}
