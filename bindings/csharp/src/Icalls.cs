using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gort
{
    /// <summary>
    /// gort calls that never block, as Mono raw internal calls rather than
    /// P/Invokes (native/icalls.cpp says why and which: about 11 ns a call
    /// instead of 130). Use them only when On; otherwise the SWIG P/Invokes.
    ///
    /// The native side registers them by name in this class's static
    /// constructor. Mono resolves an internal call when it compiles a method
    /// that calls it, so the calls live in the NoInlining methods below: a
    /// caller reads On first (which runs the constructor), and only then is
    /// a method calling one of them compiled. Where registration failed they
    /// are never compiled at all.
    /// </summary>
    internal static class Icalls
    {
        internal static readonly bool On;

        static Icalls()
        {
            try
            {
                On = gortcs_register_icalls() == 0;
            }
            catch (EntryPointNotFoundException)
            {
                On = false;   // a libgortcs.so built without native/icalls.cpp
            }
        }

        [DllImport("gortcs")]
        private static extern int gortcs_register_icalls();

        [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern long Spawn(IntPtr runnable, long arg);

        [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern int WgAdd(IntPtr wg, long delta);

        [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern int WgDone(IntPtr wg);

        /// gort_spawn(runnable, arg); runnable a live GoRunnable's C++ pointer.
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static long GortSpawn(IntPtr runnable, long arg) { return Spawn(runnable, arg); }

        /// wg_add_err(wg, delta); wg a live go_wg_t.
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static int WgAddErr(IntPtr wg, long delta) { return WgAdd(wg, delta); }

        /// wg_done_err(wg); wg a live go_wg_t.
        [MethodImpl(MethodImplOptions.NoInlining)]
        internal static int WgDoneErr(IntPtr wg) { return WgDone(wg); }
    }
}
