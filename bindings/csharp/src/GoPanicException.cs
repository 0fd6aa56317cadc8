using System;

namespace Gort
{
    /// <summary>
    /// A Go panic seen from C#. Thrown by <see cref="Go.Panic"/>, and by the
    /// binding where Go would panic: a send on a closed channel ("send on
    /// closed channel"), closing a closed channel ("close of closed
    /// channel"), a negative WaitGroup counter ("sync: negative WaitGroup
    /// counter"). Inside a goroutine body it is an ordinary panic: deferred
    /// calls run, <see cref="Go.Recover"/> stops it and returns
    /// <see cref="Value"/>; unrecovered, the process ends as Go's does
    /// ("panic: VALUE", the goroutine trace, exit status 2).
    /// It is an <see cref="InvalidOperationException"/>: the misuse Go
    /// panics on is an operation invalid in the object's current state.
    /// </summary>
    public class GoPanicException : InvalidOperationException
    {
        /// <summary>A panic carrying value (Go's panic(value)).</summary>
        public GoPanicException(object value) : this(value, false) {}

        internal GoPanicException(object value, bool runtimeError)
            : base(value == null ? "nil" : value.ToString())
        {
            Value = value;
            IsRuntimeError = runtimeError;
        }

        /// <summary>The panic value: what Go.Recover returns for this panic.</summary>
        public object Value { get; private set; }

        /// <summary>True for the panics Go raises as runtime.Error values
        /// (the channel panics).</summary>
        public bool IsRuntimeError { get; private set; }
    }
}
