// sema.cpp - see sema.hpp.
#include "sema.hpp"

#include "sched.hpp"

namespace gort {

struct Sema::Waiter {
    Waiter *next;
    G *g;        // the parked goroutine, or null for a thread
    Note *note;  // the sleeping thread's note
};

namespace {
void unlock_lock(void *l) { static_cast<Lock *>(l)->unlock(); }
}  // namespace

void Sema::acquire() {
    lock_.lock();
    if (count_ > 0) {
        count_--;
        lock_.unlock();
        return;
    }
    Waiter w{nullptr, current_g(), nullptr};
    if (w.g == nullptr) w.note = thread_note();
    if (tail_) tail_->next = &w;
    else head_ = &w;
    tail_ = &w;
    if (w.g != nullptr) {
        park(unlock_lock, &lock_);  // release() made us runnable: the unit is ours
    } else {
        lock_.unlock();
        w.note->sleep();
    }
}

void Sema::release() {
    lock_.lock();
    Waiter *w = head_;
    if (w == nullptr) {
        count_++;
        lock_.unlock();
        return;
    }
    head_ = w->next;
    if (head_ == nullptr) tail_ = nullptr;
    G *g = w->g;
    Note *note = w->note;
    lock_.unlock();
    // The waiter cannot run before we wake it, so w is still valid above;
    // after the wake it may be gone.
    if (g != nullptr) ready(g);
    else note->wake();
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
