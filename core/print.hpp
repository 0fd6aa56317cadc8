// print.hpp - a buffered, allocation-free writer for reports (schedtrace,
// goroutine dumps, tracebacks): whole lines reach the fd in few write(2)
// calls, so two reports from two threads interleave by lines at worst, and
// nothing here takes a lock or calls malloc (the fatal paths use it from
// signal handlers).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gort {

class Out {
public:
    explicit Out(int fd) : fd_(fd) {}
    // Into memory: at most cap - 1 bytes and a NUL (cap > 0); total()
    // counts every byte written, kept or not.
    Out(char *mem, std::size_t cap) : fd_(-1), mem_(mem), cap_(cap) {
        if (mem_ != nullptr && cap_ > 0) mem_[0] = 0;
    }
    ~Out() { flush(); }
    Out(const Out &) = delete;
    Out &operator=(const Out &) = delete;

    Out &str(const char *s);
    Out &mem(const char *s, std::size_t n);
    Out &ch(char c) { return mem(&c, 1); }
    Out &num(long long v);
    Out &unum(unsigned long long v);
    Out &hex(unsigned long long v);  // 0x...
    void flush();
    // The errno of the first write that failed (EBADF, EPIPE...), or 0:
    // the caller may report it.
    int error() const { return error_; }
    std::size_t total() {
        flush();
        return total_;
    }

private:
    int fd_;
    char *mem_ = nullptr;
    std::size_t cap_ = 0, total_ = 0;
    std::size_t len_ = 0;
    int error_ = 0;
    char buf_[2048];
};

}  // namespace gort
