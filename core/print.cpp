// print.cpp - Out (print.hpp).
#include "print.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace gort {

Out &Out::mem(const char *s, std::size_t n) {
    while (n > 0) {
        if (len_ == sizeof buf_) flush();
        std::size_t k = sizeof buf_ - len_;
        if (k > n) k = n;
        std::memcpy(buf_ + len_, s, k);
        len_ += k;
        s += k;
        n -= k;
    }
    return *this;
}

Out &Out::str(const char *s) { return mem(s, std::strlen(s)); }

Out &Out::unum(unsigned long long u) {
    char b[24];
    char *p = b + sizeof b;
    do {
        *--p = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u != 0);
    return mem(p, static_cast<std::size_t>(b + sizeof b - p));
}

Out &Out::num(long long v) {
    if (v < 0) {
        ch('-');
        return unum(0ull - static_cast<unsigned long long>(v));
    }
    return unum(static_cast<unsigned long long>(v));
}

Out &Out::hex(unsigned long long v) {
    char b[24];
    char *p = b + sizeof b;
    do {
        *--p = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v != 0);
    *--p = 'x';
    *--p = '0';
    return mem(p, static_cast<std::size_t>(b + sizeof b - p));
}

void Out::flush() {
    if (fd_ < 0) {
        if (mem_ != nullptr && cap_ > 0 && total_ < cap_ - 1) {
            std::size_t k = cap_ - 1 - total_;
            if (k > len_) k = len_;
            std::memcpy(mem_ + total_, buf_, k);
            mem_[total_ + k] = 0;
        }
        total_ += len_;
        len_ = 0;
        return;
    }
    int saved = errno;
    const char *p = buf_;
    std::size_t n = len_;
    while (n > 0) {
        ssize_t w = write(fd_, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (error_ == 0) error_ = w < 0 ? errno : EIO;
            break;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    len_ = 0;
    errno = saved;
}

}  // namespace gort
