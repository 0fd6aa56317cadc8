using System;
using Gort.Swig;

namespace Gort
{
    /// gort's error codes (gort/common.h) as .NET exceptions.
    internal static class Errors
    {
        internal static readonly int EINVAL = gort.GO_EINVAL;
        internal static readonly int ENOMEM = gort.GO_ENOMEM;
        internal static readonly int EAGAIN = gort.GO_EAGAIN;
        internal static readonly int EOVERFLOW = gort.GO_EOVERFLOW;
        internal static readonly int EPERM = gort.GO_EPERM;
        internal static readonly int ECLOSED = gort.GO_ECLOSED;
        internal static readonly int ERANGE = gort.GO_ERANGE;
        internal static readonly int EBUSY = gort.GO_EBUSY;

        internal static Exception Of(long rc, string op)
        {
            string text = op + ": " + gort.go_strerror((int)rc);
            if (rc == ENOMEM) return new OutOfMemoryException(text);
            if (rc == EAGAIN) return new OutOfMemoryException("unable to create native thread: " + text);
            if (rc == EOVERFLOW) return new ArgumentOutOfRangeException(op, text);
            return new InvalidOperationException(text);
        }

        internal static int Check(int rc, string op)
        {
            if (rc < 0) throw Of(rc, op);
            return rc;
        }

        internal static GoPanicException SendOnClosed()
        {
            return new GoPanicException("send on closed channel", true);
        }
    }
}
