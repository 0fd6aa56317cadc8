// CrossLang.cs - goroutines written in C send on a channel that a C#
// goroutine receives from. examples/crosslang/libgort_producer's
// producer_start(100) spawns 100 C goroutines, goroutine i sending i*i, and
// closes the channel after the last; the C# goroutine ranges over the
// channel. producer_start is bound by a one-line P/Invoke; LongChan.Adopt
// takes ownership of the channel (Dispose frees it).
// C reference: examples/crosslang/consumer.c.
using System;
using System.Runtime.InteropServices;
using System.Threading;
using Gort;

public static class CrossLang
{
    [DllImport("gort_producer")]
    private static extern IntPtr producer_start(int n);

    public static void Main()
    {
        long count = 0, sum = 0;
        using (var ch = LongChan.Adopt(producer_start(100)))
        using (var wg = new WaitGroup())
        {
            wg.Go(() =>
            {
                foreach (long v in ch)   // until the C side closes the channel
                {
                    count++;
                    sum += v;
                }
            });
            wg.Wait();
        }
        Console.WriteLine("received " + Interlocked.Read(ref count) + " values, sum " + Interlocked.Read(ref sum));
    }
}
