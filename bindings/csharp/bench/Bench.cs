// Bench.cs - spawn+join of N tasks (default 100,000): as gort pinned
// goroutines (Go.Spawn, joined with a WaitGroup) and as Task.Run tasks
// (joined with a CountdownEvent), the same work in each (an interlocked
// add), in the same run. Rounds alternate; the medians are reported, and the
// ratio gort / Task.Run (issue 13's target: at most 1).
// Usage: mono Bench.exe [N] [ROUNDS]
using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Gort;

public static class Bench
{
    static long work;

    static double Gort(int n)
    {
        var sw = Stopwatch.StartNew();
        using (var wg = new WaitGroup())
        {
            wg.Add(n);
            for (int i = 0; i < n; i++)
            {
                Go.Spawn(() =>
                {
                    Interlocked.Increment(ref work);
                    wg.Done();
                });
            }
            wg.Wait();
        }
        return sw.Elapsed.TotalMilliseconds * 1000.0 / n;
    }

    static double TaskRun(int n)
    {
        var sw = Stopwatch.StartNew();
        using (var done = new CountdownEvent(n))
        {
            for (int i = 0; i < n; i++)
            {
                Task.Run(() =>
                {
                    Interlocked.Increment(ref work);
                    done.Signal();
                });
            }
            done.Wait();
        }
        return sw.Elapsed.TotalMilliseconds * 1000.0 / n;
    }

    static double Median(double[] xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s[s.Length / 2];
    }

    public static void Main(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0]) : 100000;
        int rounds = args.Length > 1 ? int.Parse(args[1]) : 5;
        Gort(n / 10);      // warm up: JIT, the pinned pool's threads, the thread pool
        TaskRun(n / 10);
        var g = new double[rounds];
        var t = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            g[r] = Gort(n);
            t[r] = TaskRun(n);
        }
        double gm = Median(g), tm = Median(t);
        Console.WriteLine(string.Format("csharp: {0} tasks spawn+join, median of {1} rounds: gort pinned goroutines {2:F3} us/task, Task.Run {3:F3} us/task",
            n, rounds, gm, tm));
        Console.WriteLine(string.Format("csharp: ratio gort/Task.Run {0:F2} (target <= 1)", gm / tm));
    }
}
