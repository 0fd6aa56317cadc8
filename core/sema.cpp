// sema.cpp - see sema.hpp.
#include "sema.hpp"

#include "sched.hpp"
#include "wait.hpp"

namespace gort {

struct Sema::Entry {
    Entry *next;
    Waiter w;
};

namespace {
void unlock_lock(void *l) { static_cast<Lock *>(l)->unlock(); }
}  // namespace

void Sema::acquire(const char *reason, bool lifo) {
    lock_.lock();
    if (count_ > 0) {
        count_--;
        lock_.unlock();
        return;
    }
    Entry e{nullptr, {}};
    if (lifo) {
        e.next = head_;
        head_ = &e;
        if (tail_ == nullptr) tail_ = &e;
    } else {
        if (tail_) tail_->next = &e;
        else head_ = &e;
        tail_ = &e;
    }
    // release() hands us the unit before it wakes us.
    e.w.block(unlock_lock, &lock_, reason);
}

void Sema::release(bool handoff) {
    lock_.lock();
    Entry *e = head_;
    if (e == nullptr) {
        count_++;
        lock_.unlock();
        return;
    }
    head_ = e->next;
    if (head_ == nullptr) tail_ = nullptr;
    lock_.unlock();
    // The waiter cannot run before we wake it, so e is still valid here;
    // after the wake it may be gone.
    bool to_g = e->w.g != nullptr;
    e->w.wake();
    if (handoff && to_g) {
        M *m = current_m();
        if (m != nullptr && m->curg != nullptr) yield(m);
    }
}

void Sema::release_n(std::uint32_t n) {
    lock_.lock();
    Entry *wake = nullptr, **tailp = &wake;
    for (; n > 0; n--) {
        Entry *e = head_;
        if (e == nullptr) {
            count_ += n;
            break;
        }
        head_ = e->next;
        if (head_ == nullptr) tail_ = nullptr;
        e->next = nullptr;
        *tailp = e;
        tailp = &e->next;
    }
    lock_.unlock();
    while (wake != nullptr) {
        Entry *next = wake->next;  // read before the wake: the entry dies with it
        wake->w.wake();
        wake = next;
    }
}

bool Sema::has_waiters() {
    LockGuard lg(lock_);
    return head_ != nullptr;
}

void Sema::reset() {
    lock_.reset();
    count_ = 0;
    head_ = tail_ = nullptr;
}

}  // namespace gort
