// Seed.cs - the seed, in C#: a WaitGroup over many goroutines, deferred
// calls in reverse order, a panic recovered in a deferred call, and a panic
// in one goroutine that does not reach another. The goroutines write
// results; Main prints them after the WaitGroups, so the output is the same
// whatever order the goroutines ran in. C twins: examples/hello.c,
// examples/defer/defer_order.c, examples/defer/goroutine_panic.c.
using System;
using System.Text;
using System.Threading;
using Gort;

public static class Seed
{
    public static void Main()
    {
        // A WaitGroup over many goroutines.
        const int n = 1000;
        long sum = 0;
        using (var wg = new WaitGroup())
        {
            for (int i = 0; i < n; i++)
            {
                long k = i;
                wg.Add(1);
                Go.Spawn(() =>
                {
                    Go.Defer(wg.Done);
                    Interlocked.Add(ref sum, k * k);
                });
            }
            wg.Wait();
        }
        Console.WriteLine("hello: " + n + " goroutines, sum of their squares " + Interlocked.Read(ref sum));

        // Deferred calls run in reverse order when the body ends.
        var output = new StringBuilder();
        using (var wg = new WaitGroup())
        {
            wg.Add(1);
            Go.Spawn(() =>
            {
                Go.Defer(wg.Done);                  // runs last
                output.Append("counting: ");
                for (int i = 0; i < 10; i++)
                {
                    int k = i;                      // Go evaluates a defer's arguments now
                    Go.Defer(() => output.Append(k));
                }
                output.Append("done; deferred: ");
            });
            wg.Wait();
        }
        Console.WriteLine(output);

        // A panic recovered in a deferred call; it never reaches worker 0.
        var results = new string[2];
        using (var wg = new WaitGroup())
        using (var recovered = new WaitGroup())
        {
            wg.Add(2);
            recovered.Add(1);
            Go.Spawn(() =>
            {
                Go.Defer(wg.Done);
                recovered.Wait();
                results[0] = "worker 0 finished normally";
            });
            Go.Spawn(() =>
            {
                Go.Defer(wg.Done);
                Go.Defer(recovered.Done);
                Go.Defer(() =>
                {
                    object r = Go.Recover();
                    if (r != null) results[1] = "worker 1 recovered: " + r;
                });
                throw Go.Panic("worker 1 failed");
            });
            wg.Wait();
        }
        foreach (string r in results) Console.WriteLine(r);
        Console.WriteLine("main: all workers done");
    }
}
