using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using Gort;

namespace Gort.Tests
{
    /// A test method: public, no parameters, in a class marked [TestClass].
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class TestAttribute : Attribute {}

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class TestClassAttribute : Attribute {}

    /// The assertions of the tests; a failure is an AssertionException.
    public sealed class AssertionException : Exception
    {
        public AssertionException(string m) : base(m) {}
    }

    public static class Assert
    {
        public static void Equal<T>(T expected, T actual, string what = null)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new AssertionException((what == null ? "" : what + ": ") + "expected <" + expected + "> but was <" + actual + ">");
        }

        public static void SeqEqual<T>(IEnumerable<T> expected, IEnumerable<T> actual)
        {
            var e = expected.ToList();
            var a = actual.ToList();
            if (!e.SequenceEqual(a))
                throw new AssertionException("expected [" + string.Join(", ", e) + "] but was [" + string.Join(", ", a) + "]");
        }

        public static void True(bool cond, string what)
        {
            if (!cond) throw new AssertionException(what);
        }

        public static void Null(object o, string what = "expected null")
        {
            if (o != null) throw new AssertionException(what + ", was <" + o + ">");
        }

        /// Runs action; it must throw exactly an E (or a subclass); returns it.
        public static E Throws<E>(Action action) where E : Exception
        {
            try
            {
                action();
            }
            catch (E e)
            {
                return e;
            }
            catch (Exception e)
            {
                throw new AssertionException("expected " + typeof(E).Name + " but got " + e.GetType().Name + ": " + e.Message);
            }
            throw new AssertionException("expected " + typeof(E).Name + ", nothing was thrown");
        }
    }

    public static class TestUtil
    {
        /// Runs body as (the rest of) a goroutine body and waits until it
        /// ended: wg.Done is deferred first, so it runs after body's
        /// deferred calls, which are the goroutine's own.
        public static void RunGoroutine(Action body)
        {
            using (var wg = new WaitGroup())
            {
                wg.Add(1);
                Go.Spawn(() =>
                {
                    Go.Defer(wg.Done);
                    body();
                });
                wg.Wait();
            }
        }

        /// Waits (yielding, bounded) until at most n goroutines exist: a body
        /// that called Done may still be on its way back to the pool.
        public static void AwaitGoroutines(int n)
        {
            var sw = Stopwatch.StartNew();
            while (Go.NumGoroutine > n && sw.Elapsed < TimeSpan.FromSeconds(10)) Thread.Yield();
            Assert.Equal(n, Go.NumGoroutine, "goroutines left behind");
        }

        public sealed class Child
        {
            public int Status;
            public string Stdout, Stderr;
        }

        /// Runs a death scenario of this program in a child mono.
        public static Child RunChild(string scenario)
        {
            string exe = Assembly.GetExecutingAssembly().Location;
            var psi = new ProcessStartInfo("mono", "\"" + exe + "\" --death " + scenario)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            using (var p = Process.Start(psi))
            {
                p.StandardInput.Close();
                var err = p.StandardError.ReadToEndAsync();
                string stdout = p.StandardOutput.ReadToEnd();
                if (!p.WaitForExit(60000))
                {
                    p.Kill();
                    throw new AssertionException("child " + scenario + " did not end");
                }
                return new Child { Status = p.ExitCode, Stdout = stdout, Stderr = err.Result };
            }
        }
    }

    public static class Runner
    {
        public static int Main(string[] args)
        {
            if (args.Length == 2 && args[0] == "--death") return DeathMain.Run(args[1]);
            int passed = 0, failed = 0;
            var classes = typeof(Runner).Assembly.GetTypes()
                .Where(t => t.GetCustomAttributes(typeof(TestClassAttribute), false).Length > 0)
                .OrderBy(t => t.Name);
            foreach (Type t in classes)
            {
                var methods = t.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                    .Where(m => m.GetCustomAttributes(typeof(TestAttribute), false).Length > 0)
                    .OrderBy(m => m.MetadataToken);
                foreach (MethodInfo m in methods)
                {
                    string name = t.Name + "." + m.Name;
                    try
                    {
                        object o = Activator.CreateInstance(t);
                        m.Invoke(o, null);
                        TestUtil.AwaitGoroutines(0);   // every test leaves no goroutine behind
                        Console.WriteLine("ok   " + name);
                        passed++;
                    }
                    catch (Exception e)
                    {
                        Exception inner = e is TargetInvocationException && e.InnerException != null ? e.InnerException : e;
                        Console.WriteLine("FAIL " + name + ": " + inner);
                        failed++;
                    }
                }
            }
            Console.WriteLine(passed + " passed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        }
    }
}
