//! gort's error codes as a Rust error type.
use gort_sys as sys;
use std::ffi::CStr;
use std::fmt;

/// An error code returned by the C API (see `include/gort/common.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// `GO_EINVAL`: an argument is invalid.
    Invalid,
    /// `GO_ENOMEM`: out of memory.
    NoMemory,
    /// `GO_EAGAIN`: out of goroutine stacks or threads.
    Again,
    /// `GO_EOVERFLOW`: a counter would leave its range.
    Overflow,
    /// `GO_ESHUTDOWN`: the main goroutine returned: the program is over.
    Shutdown,
    /// `GO_EPERM`: not allowed from this context.
    Permission,
    /// `GO_EALREADY`: done already (go_main called twice).
    Already,
    /// `GO_ECLOSED`: the channel is closed.
    Closed,
    /// `GO_ERANGE`: "sync: negative WaitGroup counter".
    NegativeCounter,
    /// `GO_EBUSY`: "sync: WaitGroup misuse".
    Misuse,
    /// Any other negative code.
    Other(i32),
}

impl Error {
    pub(crate) fn from_code(code: i32) -> Error {
        match code {
            sys::GO_EINVAL => Error::Invalid,
            sys::GO_ENOMEM => Error::NoMemory,
            sys::GO_EAGAIN => Error::Again,
            sys::GO_EOVERFLOW => Error::Overflow,
            sys::GO_ESHUTDOWN => Error::Shutdown,
            sys::GO_EPERM => Error::Permission,
            sys::GO_EALREADY => Error::Already,
            sys::GO_ECLOSED => Error::Closed,
            sys::GO_ERANGE => Error::NegativeCounter,
            sys::GO_EBUSY => Error::Misuse,
            c => Error::Other(c),
        }
    }

    /// Turn a C return value into Ok(value) or the error it encodes.
    pub(crate) fn check(rc: i64) -> Result<i64, Error> {
        if rc >= 0 {
            Ok(rc)
        } else {
            Err(Error::from_code(rc as i32))
        }
    }

    /// The C code (negative).
    pub fn code(&self) -> i32 {
        match *self {
            Error::Invalid => sys::GO_EINVAL,
            Error::NoMemory => sys::GO_ENOMEM,
            Error::Again => sys::GO_EAGAIN,
            Error::Overflow => sys::GO_EOVERFLOW,
            Error::Shutdown => sys::GO_ESHUTDOWN,
            Error::Permission => sys::GO_EPERM,
            Error::Already => sys::GO_EALREADY,
            Error::Closed => sys::GO_ECLOSED,
            Error::NegativeCounter => sys::GO_ERANGE,
            Error::Misuse => sys::GO_EBUSY,
            Error::Other(c) => c,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: go_strerror returns a static string for any input.
        let s = unsafe { CStr::from_ptr(sys::go_strerror(self.code())) };
        f.write_str(&s.to_string_lossy())
    }
}

impl std::error::Error for Error {}
