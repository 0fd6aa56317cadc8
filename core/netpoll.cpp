// netpoll.cpp - the network poller (Go's runtime/netpoll.go and
// netpoll_epoll.go) and the fd layer over it (Go's internal/poll.FD).
//
// Glossary:
//   poller      one epoll set for the process, plus an eventfd that
//               interrupts a blocking epoll_wait (netpoll_break).
//   descriptor  a PollDesc: Go's pollDesc and internal/poll.FD in one. One
//               per adopted fd; carved from chunks that are never freed
//               (type-stable: a late event, a late timer or a stale handle
//               always reads a PollDesc, never freed memory).
//   handle      what the C API hands out (go_fd_t *): (gen << 32) | slot.
//               gen is the descriptor's incarnation, bumped when it is
//               freed, so a handle used after go_fd_close, and an epoll
//               event for an fd that was closed and reused, both see a
//               generation that does not match and are dropped (the
//               handle gets EBADF). Go tags its epoll data the same way
//               since golang/go#59545.
//   rg, wg      the read and write semaphores (Go's): kPdNil, kPdReady,
//               kPdWait or the G waiting. At most one goroutine waits per
//               direction: the fdMutex queues the others.
//   fdMutex     Go's: one 64-bit word with a closed bit, a read-lock bit, a
//               write-lock bit, a reference count and two waiter counts;
//               queued readers and writers sleep on rsema/wsema.
//
// A read, as in Go (fast path first):
//   1. rwlock(read): one CAS on the fdMutex (a reference + the read lock);
//   2. the descriptor's generation is checked (one load) and rg is reset if
//      it holds a stale kPdReady (Go's pollReset, a store only when needed);
//   3. read(2). Data there: done, after one more CAS (rwunlock). That is the
//      whole ready path: one system call, no epoll_ctl, no lock, no
//      allocation.
//   4. EAGAIN: netpollblock. CAS rg nil -> kPdWait, re-check closing and
//      deadlines, park(); the park's after-action (commit) CASes kPdWait ->
//      G once the context is saved. netpoll() later CASes G -> kPdReady and
//      returns the G to the scheduler, which runs it. An event that lands
//      between the CAS to kPdWait and the commit turns rg into kPdReady: the
//      commit's CAS fails and it readies the G itself. No wake-up is lost.
//
// Registration: once per fd, EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET, data =
// the handle. No wait ever calls epoll_ctl; close does EPOLL_CTL_DEL (so a
// dup the user made cannot keep delivering events for a closed fd).
//
// Deadlines (Go's pollSetDeadline): rd/wd are 0 (none), -1 (expired) or a
// nanotime(). A future one arms a kFunc timer on the timer heap whose
// argument carries (slot, rseq or wseq): every change of a deadline bumps
// the sequence, so a timer that fires late for an old deadline, or for an
// older incarnation of the slot, is dropped. When rd == wd one timer serves
// both (Go's "combo"). A firing sets rd = -1 and unblocks the reader with
// ETIMEDOUT; a deadline set in the past or moved while a goroutine waits
// takes effect at once.
//
// Close (Go's increfAndClose + evict + decref/destroy): the closer sets the
// closed bit (no new operation starts: EBADF), wakes the queued readers
// and writers (EBADF), then evict marks the descriptor closing and wakes
// both waiters (EBADF). The operation that drops the last reference
// destroys: EPOLL_CTL_DEL, close(2), and a release of csema, on which the
// closer waits; the closer frees the slot. So go_fd_close returns after the
// fd is really closed, and the fd number is never closed while an
// operation still uses it (no operation can hit a reused number).
//
// Threads that are not goroutines (foreign threads, pinned goroutines)
// wait with ppoll(2) on the fd and on an eventfd of their own (thread
// local); the descriptor records that eventfd while they wait (twait), so
// that close and a deadline change kick them at once, as they would wake a
// goroutine. A pinned goroutine counts as an I/O waiter meanwhile (and
// shows "IO wait" in a deadlock report's list of pinned goroutines). A
// thread without its eventfd (EMFILE) looks again every 10 ms instead.
//
// Invariants and locks:
//   - lock (a futex Lock: a kick writes an eventfd while holding it) guards
//     closing, rd, wd, rseq, wseq and twait; info mirrors closing and the
//     expired bits for the lock-free checks (published under lock, seq_cst).
//   - tlock serialises everything that arms or disarms the deadline timers
//     (set_deadline, evict) and guards rt_set/wt_set and the Timers' fn and
//     arg; it is taken before lock, and timer_* calls are made holding
//     tlock but not lock. A timer callback takes only lock: whether kFunc
//     timers run in a goroutine (as now) or on the timer thread holding the
//     timers lock, there is no cycle.
//   - Lock order: tlock, lock, then the timers lock or sched.lock (ready).
//   - Memory order: a closer or deadline stores info then loads rg; a waiter
//     CASes rg to kPdWait then loads info (both seq_cst: one of the two
//     sees the other, Go's rule in netpollblock).
//   - waiters (netpoll_waiters) counts goroutines whose G sits in an rg/wg,
//     plus pinned goroutines in ppoll: it is incremented before the commit
//     publishes the G and decremented after the G's status is Runnable, so
//     the deadlock check never sees a parked I/O waiter uncounted.
//   - A slot is reinitialised only by alloc_pd, after the closer freed it;
//     everything a stale event, timer or handle can reach is atomic or taken
//     under lock, and a stale party always fails a generation or sequence
//     check before it acts. A slot's fdMutex stays closed from its free
//     until open_pd publishes the next incarnation (go_poll_fd's one-wait
//     descriptors are never opened): a stale handle can take a reference
//     only on an open incarnation, sees the generation differ, and drops it
//     (destroying, if it was the last, exactly as its owner would have).
//
// Rejected: EPOLLONESHOT with a re-arm per wait (an epoll_ctl per blocking
// read: Photon's and libco's cost, io.md §2); level-triggered registration
// (every ready fd reported on every poll); a hash table fd -> descriptor
// (handles point at the slot directly); freeing descriptors (a late event
// would read freed memory: golang/go#59545 is what tags fixed on top of
// type stability, not instead of it).
#include "netpoll.hpp"

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chaos.hpp"
#include "sched.hpp"
#include "sema.hpp"
#include "timer.hpp"

static_assert(sizeof(void *) == 8, "handles and timer arguments need 64-bit pointers");

namespace gort {

namespace {

constexpr std::uintptr_t kPdNil = 0, kPdReady = 1, kPdWait = 2;

// info bits (Go's pollInfo).
constexpr std::uint32_t kInfoClosing = 1u << 0;
constexpr std::uint32_t kInfoRExpired = 1u << 1;
constexpr std::uint32_t kInfoWExpired = 1u << 2;

// fdMutex state (Go's internal/poll/fd_mutex.go).
constexpr std::uint64_t kMuClosed = 1ull << 0;
constexpr std::uint64_t kMuRLock = 1ull << 1;
constexpr std::uint64_t kMuWLock = 1ull << 2;
constexpr std::uint64_t kMuRef = 1ull << 3;
constexpr std::uint64_t kMuRefMask = ((1ull << 20) - 1) << 3;
constexpr std::uint64_t kMuRWait = 1ull << 23;
constexpr std::uint64_t kMuRMask = ((1ull << 20) - 1) << 23;
constexpr std::uint64_t kMuWWait = 1ull << 43;
constexpr std::uint64_t kMuWMask = ((1ull << 20) - 1) << 43;

// Descriptor flags (set at alloc, read racily by netpoll: atomic).
constexpr std::uint8_t kFPollable = 1;   // registered with epoll
constexpr std::uint8_t kFSocket = 2;     // writes use send(MSG_NOSIGNAL)
constexpr std::uint8_t kFSetNonblock = 4;  // gort set O_NONBLOCK (release clears it)
constexpr std::uint8_t kFOneShot = 8;    // go_poll_fd's: any event is for rg
constexpr std::uint8_t kFTcp = 16;       // a TCP socket (accepted ones get TCP_NODELAY)

// Slots: chunks of 256 descriptors, at most 65536 chunks (16M descriptors).
constexpr std::uint32_t kChunkShift = 8;
constexpr std::uint32_t kChunkSize = 1u << kChunkShift;
constexpr std::uint32_t kMaxChunks = 1u << 16;
constexpr std::uint32_t kGenMax = 0x7fffffffu;  // handles stay positive as int64
constexpr std::uint64_t kBreakTag = 0xffffffffull;  // generation 0: never a descriptor's

constexpr std::size_t kMaxRW = 1u << 30;  // Go's maxRW: larger reads and writes are split
constexpr int kEvents = 128;              // events per epoll_wait (Go's)

struct alignas(64) PollDesc {
    // Read by netpoll() and the operations without a lock.
    std::atomic<std::uint32_t> gen{1};
    std::atomic<std::uint32_t> info{0};
    std::atomic<std::uintptr_t> rg{kPdNil};
    std::atomic<std::uintptr_t> wg{kPdNil};
    std::atomic<std::uint64_t> mu{kMuClosed};  // fdMutex; a free slot is closed
    std::atomic<std::uint8_t> flags{0};
    int fd = -1;                // written by alloc_pd, published by mu
    std::uint32_t index = 0;    // constant
    // Guarded by lock.
    Lock lock;
    bool closing = false;
    std::uint32_t rseq = 0, wseq = 0;
    std::int64_t rd = 0, wd = 0;
    int twait[2] = {-1, -1};    // eventfd of a thread waiting to read / write
    // Guarded by tlock.
    Lock tlock;
    bool rt_set = false, wt_set = false;
    Timer rt, wt;
    // fdMutex queues, and the closer's wait for the last reference.
    Sema rsema, wsema, csema;
    int close_err = 0;          // destroy writes it before releasing csema
    bool release = false;       // destroy keeps the fd open (go_fd_release)
    char *unlink_path = nullptr;  // owned by the holder of the closed bit
    PollDesc *link = nullptr;   // free list; guarded by the cache lock
};

struct NetpollState {
    int epfd = -1;
    int evfd = -1;
    std::atomic<std::uint32_t> wake_sig{0};  // a netpoll_break write is pending
    Lock cache_lock;
    PollDesc *free_list = nullptr;   // guarded by cache_lock
    std::uint32_t nslots = 0;        // slots carved; guarded by cache_lock
    std::atomic<PollDesc *> chunks[kMaxChunks] = {};
    NetpollState *previous = nullptr;  // the parent's, in a forked child (kept reachable)
};

std::atomic<NetpollState *> g_np{nullptr};
NetpollState *g_np_old = nullptr;  // the last forked-away state
pthread_mutex_t g_np_init_mu = PTHREAD_MUTEX_INITIALIZER;
std::atomic<std::int32_t> g_waiters{0};
std::atomic<std::int64_t> g_last_poll{0};

inline std::uint32_t handle_slot(FdHandle h) { return static_cast<std::uint32_t>(h); }
inline std::uint32_t handle_gen(FdHandle h) { return static_cast<std::uint32_t>(h >> 32); }
inline FdHandle make_handle(std::uint32_t gen, std::uint32_t slot) {
    return (static_cast<FdHandle>(gen) << 32) | slot;
}

inline PollDesc *slot_lookup(NetpollState *s, std::uint32_t slot) {
    std::uint32_t c = slot >> kChunkShift;
    if (c >= kMaxChunks) return nullptr;
    PollDesc *chunk = s->chunks[c].load(std::memory_order_acquire);
    return chunk != nullptr ? &chunk[slot & (kChunkSize - 1)] : nullptr;
}

inline PollDesc *pd_of(FdHandle h) {
    NetpollState *s = g_np.load(std::memory_order_acquire);
    if (s == nullptr || handle_gen(h) == 0) return nullptr;
    return slot_lookup(s, handle_slot(h));
}

inline int errno_now() { return *errno_location(); }

inline bool is_goroutine() { return current_g() != nullptr; }

// ------------------------------------------------------------ initialisation

// The poller, created on first use. Returns null with a negated errno in *err.
NetpollState *poller(int *err) {
    NetpollState *s = g_np.load(std::memory_order_acquire);
    if (__builtin_expect(s != nullptr, 1)) return s;
    ensure_runtime();
    pthread_mutex_lock(&g_np_init_mu);
    s = g_np.load(std::memory_order_relaxed);
    if (s == nullptr) {
        s = new (std::nothrow) NetpollState();
        if (s == nullptr) {
            *err = -ENOMEM;
        } else {
            s->epfd = epoll_create1(EPOLL_CLOEXEC);
            s->evfd = s->epfd < 0 ? -1 : eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
            struct epoll_event ev = {};
            ev.events = EPOLLIN;  // level-triggered: reported until drained
            ev.data.u64 = kBreakTag;
            if (s->evfd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->evfd, &ev) < 0) {
                *err = -errno_now();
                if (s->evfd >= 0) close(s->evfd);
                if (s->epfd >= 0) close(s->epfd);
                delete s;
                s = nullptr;
            } else {
                s->previous = g_np_old;
                g_np.store(s, std::memory_order_release);
            }
        }
    }
    pthread_mutex_unlock(&g_np_init_mu);
    return s;
}

// ------------------------------------------------------------------ slots

// A fresh or recycled descriptor for fd. It stays closed (fdMutex state
// kMuClosed: no operation, a stale handle's included, can take a reference)
// until open_pd publishes it; go_poll_fd's never opens.
PollDesc *alloc_pd(NetpollState *s, int fd, std::uint8_t flags) {
    PollDesc *pd;
    {
        LockGuard lg(s->cache_lock);
        pd = s->free_list;
        if (pd != nullptr) {
            s->free_list = pd->link;
        } else {
            std::uint32_t c = s->nslots >> kChunkShift;
            if (c >= kMaxChunks) return nullptr;
            PollDesc *chunk = new (std::nothrow) PollDesc[kChunkSize];
            if (chunk == nullptr) return nullptr;
            for (std::uint32_t i = 0; i < kChunkSize; i++) {
                chunk[i].index = s->nslots + i;
                chunk[i].rt.kind = chunk[i].wt.kind = Timer::Kind::kFunc;
            }
            s->chunks[c].store(chunk, std::memory_order_release);
            // Slots 1.. go to the free list, lowest first; slot 0 is ours.
            for (std::uint32_t i = kChunkSize - 1; i >= 1; i--) {
                chunk[i].link = s->free_list;
                s->free_list = &chunk[i];
            }
            s->nslots += kChunkSize;
            pd = &chunk[0];
        }
    }
    pd->link = nullptr;
    pd->fd = fd;
    pd->flags.store(flags, std::memory_order_relaxed);
    pd->rg.store(kPdNil, std::memory_order_relaxed);
    pd->wg.store(kPdNil, std::memory_order_relaxed);
    pd->info.store(0, std::memory_order_relaxed);
    pd->close_err = 0;
    pd->release = false;
    pd->unlink_path = nullptr;
    {
        // A stale timer callback may look at these under lock.
        LockGuard lg(pd->lock);
        pd->closing = false;
        pd->rd = pd->wd = 0;
        pd->twait[0] = pd->twait[1] = -1;
    }
    return pd;
}

// Open pd for operations: publishes the fields alloc_pd wrote.
inline void open_pd(PollDesc *pd) { pd->mu.store(0, std::memory_order_release); }

// Back to the free list: the generation moves on, so every handle and
// every epoll tag of this incarnation is stale from now. The descriptor is
// closed and no reference is left (so none can be taken any more).
void free_pd(NetpollState *s, PollDesc *pd) {
    if (pd->mu.load(std::memory_order_acquire) != kMuClosed)
        fatal_error("runtime: freeing a poll descriptor in use");
    std::uint32_t g = pd->gen.load(std::memory_order_relaxed) + 1;
    if (g > kGenMax) g = 1;
    pd->gen.store(g, std::memory_order_release);
    LockGuard lg(s->cache_lock);
    pd->link = s->free_list;
    s->free_list = pd;
}

inline FdHandle handle_of(const PollDesc *pd) {
    return make_handle(pd->gen.load(std::memory_order_relaxed), pd->index);
}

// --------------------------------------------------------------- fdMutex

bool mu_incref(PollDesc *pd) {
    std::uint64_t old = pd->mu.load(std::memory_order_relaxed);
    for (;;) {
        if (old & kMuClosed) return false;
        std::uint64_t nw = old + kMuRef;
        if ((nw & kMuRefMask) == 0) fatal_error("too many concurrent operations on a single file or socket (max 1048575)");
        if (pd->mu.compare_exchange_weak(old, nw, std::memory_order_acq_rel, std::memory_order_relaxed))
            return true;
    }
}

// Drop a reference; true when it was the last one of a closed descriptor.
bool mu_decref(PollDesc *pd) {
    std::uint64_t old = pd->mu.load(std::memory_order_relaxed);
    for (;;) {
        if ((old & kMuRefMask) == 0) fatal_error("inconsistent poll.fdMutex");
        std::uint64_t nw = old - kMuRef;
        if (pd->mu.compare_exchange_weak(old, nw, std::memory_order_acq_rel, std::memory_order_relaxed))
            return (nw & (kMuClosed | kMuRefMask)) == kMuClosed;
    }
}

// Set the closed bit while holding a reference; wake every queued reader
// and writer (they see the bit and fail). False when already closed.
bool mu_close(PollDesc *pd) {
    std::uint64_t old = pd->mu.load(std::memory_order_relaxed);
    for (;;) {
        if (old & kMuClosed) return false;
        std::uint64_t nw = (old | kMuClosed) & ~(kMuRMask | kMuWMask);
        if (pd->mu.compare_exchange_weak(old, nw, std::memory_order_acq_rel, std::memory_order_relaxed)) {
            for (; old & kMuRMask; old -= kMuRWait) pd->rsema.release();
            for (; old & kMuWMask; old -= kMuWWait) pd->wsema.release();
            return true;
        }
    }
}

// Go's rwlock: a reference plus the read (or write) lock, queueing behind
// the holder. False when the descriptor is closed.
bool mu_rwlock(PollDesc *pd, bool read) {
    const std::uint64_t bit = read ? kMuRLock : kMuWLock;
    const std::uint64_t wait = read ? kMuRWait : kMuWWait;
    const std::uint64_t mask = read ? kMuRMask : kMuWMask;
    std::uint64_t old = pd->mu.load(std::memory_order_relaxed);
    for (;;) {
        if (old & kMuClosed) return false;
        std::uint64_t nw;
        if ((old & bit) == 0) {
            nw = (old | bit) + kMuRef;
            if ((nw & kMuRefMask) == 0) fatal_error("too many concurrent operations on a single file or socket (max 1048575)");
        } else {
            nw = old + wait;
            if ((nw & mask) == 0) fatal_error("too many concurrent operations on a single file or socket (max 1048575)");
        }
        if (pd->mu.compare_exchange_weak(old, nw, std::memory_order_acq_rel, std::memory_order_relaxed)) {
            if ((old & bit) == 0) return true;
            (read ? pd->rsema : pd->wsema).acquire("semacquire");
            // The releaser has taken our waiter count off.
            old = pd->mu.load(std::memory_order_relaxed);
        }
    }
}

// Drop the lock and the reference, handing the lock to a queued waiter;
// true when it was the last reference of a closed descriptor.
bool mu_rwunlock(PollDesc *pd, bool read) {
    const std::uint64_t bit = read ? kMuRLock : kMuWLock;
    const std::uint64_t wait = read ? kMuRWait : kMuWWait;
    const std::uint64_t mask = read ? kMuRMask : kMuWMask;
    std::uint64_t old = pd->mu.load(std::memory_order_relaxed);
    for (;;) {
        if ((old & bit) == 0 || (old & kMuRefMask) == 0) fatal_error("inconsistent poll.fdMutex");
        std::uint64_t nw = (old & ~bit) - kMuRef;
        if (old & mask) nw -= wait;
        if (pd->mu.compare_exchange_weak(old, nw, std::memory_order_acq_rel, std::memory_order_relaxed)) {
            if (old & mask) (read ? pd->rsema : pd->wsema).release();
            return (nw & (kMuClosed | kMuRefMask)) == kMuClosed;
        }
    }
}

// The last reference of a closed descriptor is gone (Go's FD.destroy).
void destroy(PollDesc *pd) {
    NetpollState *s = g_np.load(std::memory_order_acquire);
    std::uint8_t f = pd->flags.load(std::memory_order_relaxed);
    if (f & kFPollable) {
        struct epoll_event ev = {};
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, pd->fd, &ev);
    }
    int err = 0;
    if (pd->release) {
        if (f & kFSetNonblock) {
            int fl = fcntl(pd->fd, F_GETFL);
            if (fl >= 0) fcntl(pd->fd, F_SETFL, fl & ~O_NONBLOCK);
        }
    } else if (close(pd->fd) < 0 && errno_now() != EINTR) {
        // Linux closes the fd even when close reports EINTR: never retry.
        err = errno_now();
    }
    pd->close_err = err;
    pd->csema.release();
}

// ------------------------------------------------------- waiting (Go's pd)

inline std::atomic<std::uintptr_t> &sem_of(PollDesc *pd, int dir) {
    return dir == kDirRead ? pd->rg : pd->wg;
}

// Go's netpollcheckerr: 0, EBADF or ETIMEDOUT.
inline int checkerr(PollDesc *pd, int dir) {
    std::uint32_t info = pd->info.load(std::memory_order_seq_cst);
    if (info & kInfoClosing) return EBADF;
    if (info & (dir == kDirRead ? kInfoRExpired : kInfoWExpired)) return ETIMEDOUT;
    return 0;
}

// lock held.
void publish_info(PollDesc *pd) {
    std::uint32_t v = 0;
    if (pd->closing) v |= kInfoClosing;
    if (pd->rd < 0) v |= kInfoRExpired;
    if (pd->wd < 0) v |= kInfoWExpired;
    pd->info.store(v, std::memory_order_seq_cst);
}

// Go's netpollunblock: the G waiting in dir, if any. ioready: an event
// (leaves kPdReady behind); otherwise a deadline or close (leaves nil).
G *unblock(PollDesc *pd, int dir, bool ioready) {
    std::atomic<std::uintptr_t> &gpp = sem_of(pd, dir);
    std::uintptr_t old = gpp.load(std::memory_order_seq_cst);
    for (;;) {
        if (old == kPdReady) return nullptr;
        if (old == kPdNil && !ioready) return nullptr;
        std::uintptr_t nw = ioready ? kPdReady : kPdNil;
        if (gpp.compare_exchange_weak(old, nw, std::memory_order_seq_cst, std::memory_order_seq_cst)) {
            if (old == kPdWait || old == kPdNil) return nullptr;
            return reinterpret_cast<G *>(old);
        }
    }
}

// Make Gs taken from rg/wg runnable; they were counted as waiters.
void ready_unblocked(G *a, G *b) {
    std::int32_t n = 0;
    if (a != nullptr) {
        ready(a);
        n++;
    }
    if (b != nullptr) {
        ready(b);
        n++;
    }
    if (n != 0) g_waiters.fetch_sub(n, std::memory_order_seq_cst);
}

inline void kick(int efd) {
    if (efd < 0) return;
    std::uint64_t one = 1;
    ssize_t w = write(efd, &one, sizeof one);
    (void)w;  // EAGAIN: the counter is full, the thread wakes anyway
}

struct Commit {
    std::atomic<std::uintptr_t> *gpp;
    G *g;
};

// park's after-action (Go's netpollblockcommit): publish the parked G in the
// semaphore. If an event or an unblock got there first, the G runs again
// at once.
void block_commit(void *arg) {
    auto *c = static_cast<Commit *>(arg);
    std::atomic<std::uintptr_t> *gpp = c->gpp;  // read before the CAS: c dies with the wake
    G *g = c->g;
    g_waiters.fetch_add(1, std::memory_order_seq_cst);
    std::uintptr_t expect = kPdWait;
    if (gpp->compare_exchange_strong(expect, reinterpret_cast<std::uintptr_t>(g),
                                     std::memory_order_seq_cst, std::memory_order_seq_cst))
        return;
    ready(g);
    g_waiters.fetch_sub(1, std::memory_order_seq_cst);
}

// Go's netpollblock; goroutine only. True when an I/O event woke us.
bool block(PollDesc *pd, int dir) {
    std::atomic<std::uintptr_t> &gpp = sem_of(pd, dir);
    for (;;) {
        std::uintptr_t v = kPdReady;
        if (gpp.compare_exchange_strong(v, kPdNil, std::memory_order_seq_cst)) return true;
        v = kPdNil;
        if (gpp.compare_exchange_strong(v, kPdWait, std::memory_order_seq_cst)) break;
        if (v != kPdReady && v != kPdNil) fatal_error("runtime: double wait");
    }
    // Re-check after publishing kPdWait: close and deadlines store info,
    // then look at rg/wg.
    if (checkerr(pd, dir) == 0) {
        Commit c{&gpp, current_g()};
        park(block_commit, &c, "IO wait");
    }
    std::uintptr_t old = gpp.exchange(kPdNil, std::memory_order_seq_cst);
    if (old > kPdWait) fatal_error("runtime: corrupted polldesc");
    return old == kPdReady;
}

// Go's poll_runtime_pollWait: 0, EBADF or ETIMEDOUT. Goroutine only.
int wait_goroutine(PollDesc *pd, int dir) {
    int e = checkerr(pd, dir);
    if (e != 0) return e;
    while (!block(pd, dir)) {
        e = checkerr(pd, dir);
        if (e != 0) return e;
        // A deadline fired and was reset before we ran: wait again.
    }
    return 0;
}

// The calling thread's eventfd for kicks (created on first use, closed when
// the thread exits).
struct ThreadKick {
    int fd = -1;
    ~ThreadKick() {
        if (fd >= 0) close(fd);
    }
};
thread_local ThreadKick t_kick;

int thread_kick_fd() {
    if (t_kick.fd < 0) t_kick.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return t_kick.fd;
}

inline void drain(int efd) {
    std::uint64_t v;
    ssize_t r = read(efd, &v, sizeof v);
    (void)r;
}

// A thread without a kick eventfd polls its fd's state this often.
constexpr long kNoKickPollNs = 10 * 1000 * 1000;

// Relative ppoll timeout until an absolute nanotime() deadline (> now).
inline struct timespec until(std::int64_t deadline, std::int64_t now) {
    std::int64_t d = deadline - now;
    return {static_cast<time_t>(d / 1000000000), static_cast<long>(d % 1000000000)};
}

// A pinned goroutine blocked in ppoll is a blocked goroutine waiting for
// I/O: it frees its place in the pinned pool and counts as an I/O waiter
// (the deadlock check stays quiet), as a parked goroutine would.
struct PinnedIoWait {
    bool on;
    PinnedIoWait() : on(pinned_id() != 0) {
        if (on) {
            g_waiters.fetch_add(1, std::memory_order_seq_cst);
            pinned_blocking("IO wait");
        }
    }
    ~PinnedIoWait() {
        if (on) {
            // pinned_blocking counted us out of the threads inside gort.
            g_sched->nforeign.fetch_add(1, std::memory_order_seq_cst);
            pinned_unblocked();
            g_waiters.fetch_sub(1, std::memory_order_seq_cst);
        }
    }
};

// A thread that is not a goroutine waits for dir: 0, EBADF or ETIMEDOUT,
// or another errno from ppoll.
int wait_thread(PollDesc *pd, int dir) {
    int kfd = thread_kick_fd();
    std::int64_t deadline;
    {
        LockGuard lg(pd->lock);
        if (pd->closing) return EBADF;
        pd->twait[dir - 1] = kfd;
    }
    PinnedIoWait pinned;
    int rc;
    for (;;) {
        rc = checkerr(pd, dir);
        if (rc != 0) break;
        GORT_CHAOS();  // the window the check below closes
        {
            LockGuard lg(pd->lock);
            deadline = dir == kDirRead ? pd->rd : pd->wd;
        }
        // Expired since checkerr: the timer fired in between (its
        // deadline_fire holds the lock this read waits for). Read as "no
        // deadline", it made ppoll wait forever: a hang that TSan's timing
        // found in tests/io at GOMAXPROCS=1.
        if (deadline < 0) {
            rc = ETIMEDOUT;
            break;
        }
        struct timespec ts, *tsp = nullptr;
        if (deadline > 0) {
            std::int64_t now = nanotime();
            if (deadline <= now) {
                rc = ETIMEDOUT;
                break;
            }
            ts = until(deadline, now);
            tsp = &ts;
        }
        // No kick eventfd (eventfd failed: EMFILE under fd exhaustion):
        // nothing interrupts ppoll, and a close or a deadline change would
        // go unseen (a close waits for this wait to end: both would hang).
        // Look again every 10 ms instead; thread_kick_fd retries next time.
        if (kfd < 0 && (tsp == nullptr || ts.tv_sec > 0 || ts.tv_nsec > kNoKickPollNs)) {
            ts = {0, kNoKickPollNs};
            tsp = &ts;
        }
        struct pollfd p[2];
        p[0].fd = pd->fd;
        p[0].events = static_cast<short>(dir == kDirRead ? POLLIN | POLLRDHUP : POLLOUT);
        p[0].revents = 0;
        p[1].fd = kfd;
        p[1].events = POLLIN;
        p[1].revents = 0;
        int r = ppoll(p, kfd >= 0 ? 2 : 1, tsp, nullptr);
        if (r < 0) {
            int e = errno_now();
            if (e == EINTR) continue;
            rc = e;
            break;
        }
        if (kfd >= 0 && p[1].revents != 0) drain(kfd);
        if (p[0].revents != 0) break;  // ready, or an error the operation will report
    }
    {
        LockGuard lg(pd->lock);
        pd->twait[dir - 1] = -1;
    }
    return rc;
}

// Wait for dir the caller's way. Only on the slow path: the ready path
// never asks who the caller is.
inline int wait_io(PollDesc *pd, int dir) {
    return is_goroutine() ? wait_goroutine(pd, dir) : wait_thread(pd, dir);
}

// ------------------------------------------------------------- deadlines

void deadline_fire(std::uintptr_t arg, bool read, bool write) {
    NetpollState *s = g_np.load(std::memory_order_acquire);
    if (s == nullptr) return;
    PollDesc *pd = slot_lookup(s, static_cast<std::uint32_t>(arg));
    if (pd == nullptr) return;
    std::uint32_t seq = static_cast<std::uint32_t>(arg >> 32);
    G *rg = nullptr, *wg = nullptr;
    {
        LockGuard lg(pd->lock);
        // A timer of an older deadline, or of an older incarnation.
        if (seq != (read ? pd->rseq : pd->wseq)) return;
        if (read) {
            pd->rd = -1;
            publish_info(pd);
            rg = unblock(pd, kDirRead, false);
        }
        if (write) {
            pd->wd = -1;
            publish_info(pd);
            wg = unblock(pd, kDirWrite, false);
        }
        // A thread waiting in ppoll has the deadline as its timeout.
    }
    ready_unblocked(rg, wg);
}

void deadline_read(void *arg) { deadline_fire(reinterpret_cast<std::uintptr_t>(arg), true, false); }
void deadline_write(void *arg) { deadline_fire(reinterpret_cast<std::uintptr_t>(arg), false, true); }
void deadline_both(void *arg) { deadline_fire(reinterpret_cast<std::uintptr_t>(arg), true, true); }

inline void *timer_arg(const PollDesc *pd, std::uint32_t seq) {
    return reinterpret_cast<void *>((static_cast<std::uintptr_t>(seq) << 32) | pd->index);
}

enum class TimerAct { kNone, kArm, kDel };

// tlock held, lock not held: make t fire fn(arg) at when, or never.
void timer_apply(Timer *t, TimerAct act, GoFn fn, void *arg, std::int64_t when) {
    if (act == TimerAct::kNone) return;
    timer_del(t);  // once it returns, the timer thread no longer reads fn/arg
    if (act == TimerAct::kArm) {
        t->fn = fn;
        t->arg = arg;
        timer_add(t, when, 0);
    }
}

// Go's poll_runtime_pollSetDeadline. d: 0 none, -1 expired, else a
// nanotime() in the future.
void set_deadline(PollDesc *pd, int which, std::int64_t d) {
    LockGuard tl(pd->tlock);
    G *rg = nullptr, *wg = nullptr;
    TimerAct ract = TimerAct::kNone, wact = TimerAct::kNone;
    GoFn rfn = deadline_read;
    void *rarg = nullptr, *warg = nullptr;
    std::int64_t rwhen = 0, wwhen = 0;
    {
        LockGuard lg(pd->lock);
        if (pd->closing) return;
        std::int64_t rd0 = pd->rd, wd0 = pd->wd;
        bool combo0 = rd0 > 0 && rd0 == wd0;
        if (which & kDirRead) pd->rd = d;
        if (which & kDirWrite) pd->wd = d;
        publish_info(pd);
        bool combo = pd->rd > 0 && pd->rd == pd->wd;
        if (combo) rfn = deadline_both;
        if (!pd->rt_set) {
            if (pd->rd > 0) {
                pd->rt_set = true;
                ract = TimerAct::kArm;
            }
        } else if (pd->rd != rd0 || combo != combo0) {
            pd->rseq++;  // invalidates the timer in flight
            if (pd->rd > 0) {
                ract = TimerAct::kArm;
            } else {
                ract = TimerAct::kDel;
                pd->rt_set = false;
            }
        }
        rarg = timer_arg(pd, pd->rseq);
        rwhen = pd->rd;
        if (!pd->wt_set) {
            if (pd->wd > 0 && !combo) {
                pd->wt_set = true;
                wact = TimerAct::kArm;
            }
        } else if (pd->wd != wd0 || combo != combo0) {
            pd->wseq++;
            if (pd->wd > 0 && !combo) {
                wact = TimerAct::kArm;
            } else {
                wact = TimerAct::kDel;
                pd->wt_set = false;
            }
        }
        warg = timer_arg(pd, pd->wseq);
        wwhen = pd->wd;
        // A deadline in the past unblocks the waiter now.
        if (pd->rd < 0) rg = unblock(pd, kDirRead, false);
        if (pd->wd < 0) wg = unblock(pd, kDirWrite, false);
        // A thread waiting in ppoll recomputes its timeout.
        if (which & kDirRead) kick(pd->twait[0]);
        if (which & kDirWrite) kick(pd->twait[1]);
    }
    timer_apply(&pd->rt, ract, rfn, rarg, rwhen);
    timer_apply(&pd->wt, wact, deadline_write, warg, wwhen);
    ready_unblocked(rg, wg);
}

// Go's poll_runtime_pollUnblock: closing; wake both waiters (EBADF).
void evict(PollDesc *pd) {
    LockGuard tl(pd->tlock);
    G *rg, *wg;
    {
        LockGuard lg(pd->lock);
        pd->closing = true;
        pd->rseq++;
        pd->wseq++;
        publish_info(pd);
        rg = unblock(pd, kDirRead, false);
        wg = unblock(pd, kDirWrite, false);
        kick(pd->twait[0]);
        kick(pd->twait[1]);
    }
    if (pd->rt_set) {
        timer_del(&pd->rt);
        pd->rt_set = false;
    }
    if (pd->wt_set) {
        timer_del(&pd->wt);
        pd->wt_set = false;
    }
    ready_unblocked(rg, wg);
}

// Convert a public deadline (absolute nanotime(), -1 none) to rd/wd's form.
inline std::int64_t deadline_value(std::int64_t deadline) {
    if (deadline < 0) return 0;
    if (deadline <= nanotime()) return -1;
    return deadline;
}

// ------------------------------------------------------------ operations

// The descriptor behind h with one reference taken (Go's incref), or null
// (EBADF: never a handle, stale, or closed).
PollDesc *op_ref(FdHandle h) {
    PollDesc *pd = pd_of(h);
    if (pd == nullptr) return nullptr;
    if (pd->gen.load(std::memory_order_relaxed) != handle_gen(h)) return nullptr;
    if (!mu_incref(pd)) return nullptr;
    // The slot cannot be freed and reused while we hold a reference: the
    // generation seen now is the descriptor's for good.
    if (pd->gen.load(std::memory_order_acquire) != handle_gen(h)) {
        if (mu_decref(pd)) destroy(pd);
        return nullptr;
    }
    return pd;
}

void op_unref(PollDesc *pd) {
    if (mu_decref(pd)) destroy(pd);
}

// The descriptor behind h with its read or write lock (Go's readLock /
// writeLock), or null (EBADF).
PollDesc *op_lock(FdHandle h, bool read) {
    PollDesc *pd = pd_of(h);
    if (pd == nullptr) return nullptr;
    if (pd->gen.load(std::memory_order_relaxed) != handle_gen(h)) return nullptr;
    if (!mu_rwlock(pd, read)) return nullptr;
    if (pd->gen.load(std::memory_order_acquire) != handle_gen(h)) {
        if (mu_rwunlock(pd, read)) destroy(pd);
        return nullptr;
    }
    return pd;
}

void op_unlock(PollDesc *pd, bool read) {
    if (mu_rwunlock(pd, read)) destroy(pd);
}

// Go's prepareRead/prepareWrite (pollReset): the error that stops the
// operation before it starts, and a stale readiness dropped.
inline int prepare(PollDesc *pd, int dir) {
    if (!(pd->flags.load(std::memory_order_relaxed) & kFPollable)) return 0;
    int e = checkerr(pd, dir);
    if (e != 0) return e;
    std::atomic<std::uintptr_t> &gpp = sem_of(pd, dir);
    if (gpp.load(std::memory_order_relaxed) == kPdReady) gpp.store(kPdNil, std::memory_order_relaxed);
    return 0;
}

inline bool pollable(const PollDesc *pd) {
    return pd->flags.load(std::memory_order_relaxed) & kFPollable;
}

// Register fd (or, when epoll refuses it, a regular file: EPERM, adopt it
// unpollable) and return the handle, or a negated errno.
std::int64_t adopt(NetpollState *s, int fd, std::uint8_t flags, bool *registered) {
    PollDesc *pd = alloc_pd(s, fd, flags);
    if (pd == nullptr) return -ENOMEM;
    FdHandle h = handle_of(pd);
    struct epoll_event ev = {};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = h;
    *registered = epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
    if (*registered) {
        pd->flags.store(flags | kFPollable, std::memory_order_relaxed);
        open_pd(pd);
        return static_cast<std::int64_t>(h);
    }
    int e = errno_now();
    if (e == EPERM) {
        // Its operations block (a goroutine's inside syscall_enter/exit),
        // so the fd must too.
        pd->flags.store(flags & ~kFSetNonblock, std::memory_order_relaxed);
        open_pd(pd);
        return static_cast<std::int64_t>(h);
    }
    free_pd(s, pd);
    return -e;
}

// Close or release (Go's FD.Close): returns close(2)'s errno (or 0), or
// EBADF; *fd_out gets the fd.
int close_common(FdHandle h, bool release, int *fd_out) {
    PollDesc *pd = op_ref(h);
    if (pd == nullptr) return EBADF;
    if (!mu_close(pd)) {  // someone else closes it
        op_unref(pd);
        return EBADF;
    }
    // We hold the closed bit: the descriptor is ours to finish.
    pd->release = release;
    char *path = pd->unlink_path;
    pd->unlink_path = nullptr;
    if (path != nullptr) {
        if (!release) unlink(path);  // Go's UnixListener.Close, before the close
        std::free(path);
    }
    if (pollable(pd)) evict(pd);
    *fd_out = pd->fd;
    op_unref(pd);  // the last one destroys, maybe this one
    pd->csema.acquire("semacquire");
    int err = pd->close_err;
    free_pd(g_np.load(std::memory_order_acquire), pd);
    return err;
}

// Level check (poll with timeout 0): kPoll* events ready, 0, or -errno.
int poll_now(int fd, short events) {
    struct pollfd p = {fd, events, 0};
    for (;;) {
        int r = poll(&p, 1, 0);
        if (r >= 0) break;
        int e = errno_now();
        if (e != EINTR) return -e;
    }
    if (p.revents & POLLNVAL) return -EBADF;
    int out = 0;
    if (p.revents & (POLLIN | POLLRDHUP)) out |= kPollIn;
    if (p.revents & POLLOUT) out |= kPollOut;
    if (p.revents & POLLERR) out |= kPollErr;
    if (p.revents & POLLHUP) out |= kPollHup;
    return out;
}

short poll_events(int events) {
    short e = 0;
    if (events & kPollIn) e |= POLLIN | POLLRDHUP;
    if (events & kPollOut) e |= POLLOUT;
    return e;
}

// ppoll until fd is ready or the deadline (-1: none) passes, on this thread.
int poll_blocking(int fd, int events, std::int64_t deadline) {
    short pev = poll_events(events);
    for (;;) {
        struct timespec ts, *tsp = nullptr;
        if (deadline >= 0) {
            std::int64_t now = nanotime();
            if (deadline <= now) return -ETIMEDOUT;
            ts = until(deadline, now);
            tsp = &ts;
        }
        struct pollfd p = {fd, pev, 0};
        int r = ppoll(&p, 1, tsp, nullptr);
        if (r < 0) {
            int e = errno_now();
            if (e == EINTR) continue;
            return -e;
        }
        if (r > 0) return poll_now(fd, pev);
    }
}

}  // namespace

// ================================================== the scheduler's contract

G *netpoll(std::int64_t delay_ns, int *n) {
    if (n != nullptr) *n = 0;
    NetpollState *s = g_np.load(std::memory_order_acquire);
    if (s == nullptr) return nullptr;
    int waitms;
    if (delay_ns < 0) waitms = -1;
    else if (delay_ns == 0) waitms = 0;
    else if (delay_ns < 1000000) waitms = 1;
    else if (delay_ns < 1000000000000000LL) waitms = static_cast<int>(delay_ns / 1000000);
    else waitms = 1000000000;  // about 11.5 days
    int saved = errno_now();
    struct epoll_event events[kEvents];
    int nev;
    for (;;) {
        nev = epoll_wait(s->epfd, events, kEvents, waitms);
        if (nev >= 0) break;
        int e = errno_now();
        if (e != EINTR) fatal_error("runtime: netpoll: epoll_wait failed");
        // Interrupted: a timed wait returns so the caller can recompute it.
        if (waitms > 0) {
            nev = 0;
            break;
        }
    }
    G *head = nullptr, *tail = nullptr;
    int count = 0;
    auto push = [&](G *g) {
        if (g == nullptr) return;
        g->status.store(kGRunnable, std::memory_order_release);  // a dump that holds it reads its fields
        g->schedlink = nullptr;
        if (tail != nullptr) tail->schedlink = g;
        else head = g;
        tail = g;
        count++;
    };
    for (int i = 0; i < nev; i++) {
        std::uint64_t tag = events[i].data.u64;
        if (tag == kBreakTag) {
            // Only a blocking poll consumes the break: a non-blocking one
            // must not swallow the wake-up meant for the blocked one.
            if (delay_ns != 0) {
                drain(s->evfd);
                s->wake_sig.store(0, std::memory_order_seq_cst);
            }
            continue;
        }
        PollDesc *pd = slot_lookup(s, handle_slot(tag));
        // A stale event: the fd was closed and its slot reused since.
        if (pd == nullptr || pd->gen.load(std::memory_order_acquire) != handle_gen(tag)) continue;
        std::uint32_t ev = events[i].events;
        bool r = ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
        bool w = ev & (EPOLLOUT | EPOLLHUP | EPOLLERR);
        if (pd->flags.load(std::memory_order_relaxed) & kFOneShot) {
            r = r || w;  // go_poll_fd waits on rg for any event
            w = false;
        }
        if (r) push(unblock(pd, kDirRead, true));
        if (w) push(unblock(pd, kDirWrite, true));
    }
    if (count != 0) g_waiters.fetch_sub(count, std::memory_order_seq_cst);
    g_last_poll.store(nanotime(), std::memory_order_relaxed);
    *errno_location() = saved;
    if (n != nullptr) *n = count;
    return head;
}

void netpoll_break() {
    NetpollState *s = g_np.load(std::memory_order_acquire);
    if (s == nullptr) return;
    std::uint32_t zero = 0;
    if (!s->wake_sig.compare_exchange_strong(zero, 1, std::memory_order_seq_cst)) return;
    int saved = errno_now();
    std::uint64_t one = 1;
    for (;;) {
        ssize_t w = write(s->evfd, &one, sizeof one);
        if (w == static_cast<ssize_t>(sizeof one)) break;
        int e = errno_now();
        if (e == EINTR) continue;
        if (e == EAGAIN) break;  // the counter is full: a wake-up is pending anyway
        fatal_error("runtime: netpoll_break: eventfd write failed");
    }
    *errno_location() = saved;
}

bool netpoll_inited() { return g_np.load(std::memory_order_relaxed) != nullptr; }

std::int32_t netpoll_waiters() { return g_waiters.load(std::memory_order_seq_cst); }

std::int64_t netpoll_last() { return g_last_poll.load(std::memory_order_relaxed); }

void netpoll_reset_after_fork() {
    NetpollState *s = g_np.load(std::memory_order_relaxed);
    if (s != nullptr) {
        close(s->epfd);
        close(s->evfd);
        g_np_old = s;  // reachable, for leak checkers; never used again
    }
    g_np.store(nullptr, std::memory_order_relaxed);
    g_np_init_mu = PTHREAD_MUTEX_INITIALIZER;
    // The forking thread's kick eventfd is the parent's object (shared
    // across fork): a wait here would drain kicks meant for the parent.
    if (t_kick.fd >= 0) {
        close(t_kick.fd);
        t_kick.fd = -1;
    }
    g_waiters.store(0, std::memory_order_relaxed);
    g_last_poll.store(0, std::memory_order_relaxed);
}

// ================================================================ fd layer

std::int64_t fd_adopt(int fd, unsigned aflags) {
    if (fd < 0) return -EBADF;
    std::uint8_t flags = 0;
    int fl = -1;  // the flags before, when gort set O_NONBLOCK now
    if (aflags & kAdoptNonblocking) {
        flags |= kFSetNonblock;
    } else {
        int cur = fcntl(fd, F_GETFL);
        if (cur < 0) return -errno_now();
        if (!(cur & O_NONBLOCK)) {
            if (fcntl(fd, F_SETFL, cur | O_NONBLOCK) < 0) return -errno_now();
            flags |= kFSetNonblock;
            fl = cur;
        }
    }
    if (aflags & kAdoptSocket) {
        flags |= kFSocket;
    } else {
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) flags |= kFSocket;
    }
    if (aflags & kAdoptTcp) flags |= kFTcp;
    int err = 0;
    bool registered = false;
    NetpollState *s = poller(&err);
    std::int64_t h = s != nullptr ? adopt(s, fd, flags, &registered) : err;
    if (!registered && fl >= 0) fcntl(fd, F_SETFL, fl);  // as it was
    return h;
}

std::int64_t fd_read(FdHandle h, void *buf, std::size_t len) {
    PollDesc *pd = op_lock(h, true);
    if (pd == nullptr) return -EBADF;
    std::int64_t ret;
    int e = prepare(pd, kDirRead);
    if (e != 0) {
        ret = -e;
    } else if (len == 0) {
        ret = 0;  // Go: a zero-byte read returns at once (read(2) would say EOF)
    } else {
        if (len > kMaxRW) len = kMaxRW;
        if (!pollable(pd)) {
            syscall_enter(false);
            ssize_t r;
            do r = read(pd->fd, buf, len);
            while (r < 0 && errno_now() == EINTR);
            e = r < 0 ? errno_now() : 0;
            syscall_exit();
            ret = r < 0 ? -e : r;
        } else {
            for (;;) {
                ssize_t r = read(pd->fd, buf, len);
                if (r >= 0) {
                    ret = r;
                    break;
                }
                e = errno_now();
                if (e == EINTR) continue;
                if (e == EAGAIN) e = wait_io(pd, kDirRead);
                if (e != 0) {
                    ret = -e;
                    break;
                }
            }
        }
    }
    op_unlock(pd, true);
    return ret;
}

std::int64_t fd_write(FdHandle h, const void *buf, std::size_t len, int *err) {
    *err = 0;
    PollDesc *pd = op_lock(h, false);
    if (pd == nullptr) {
        *err = EBADF;
        return 0;
    }
    std::size_t nn = 0;
    int e = prepare(pd, kDirWrite);
    if (e != 0) {
        *err = e;
    } else {
        const char *p = static_cast<const char *>(buf);
        bool sock = pd->flags.load(std::memory_order_relaxed) & kFSocket;
        bool poll = pollable(pd);
        for (;;) {
            std::size_t max = len - nn;
            if (max > kMaxRW) max = kMaxRW;
            ssize_t r;
            if (!poll) syscall_enter(false);
            // Sockets: MSG_NOSIGNAL, so a peer that went away is EPIPE, not
            // a SIGPIPE that kills the process (Go ignores SIGPIPE there).
            if (sock) r = send(pd->fd, p + nn, max, MSG_NOSIGNAL);
            else r = write(pd->fd, p + nn, max);
            e = r < 0 ? errno_now() : 0;
            if (!poll) syscall_exit();
            if (r > 0) nn += static_cast<std::size_t>(r);
            if (nn == len) break;
            if (r < 0) {
                if (e == EINTR) continue;
                if (e == EAGAIN && poll) {
                    e = wait_io(pd, kDirWrite);
                    if (e == 0) continue;
                }
                *err = e;
                break;
            }
            if (r == 0) {  // Go's io.ErrUnexpectedEOF
                *err = EIO;
                break;
            }
        }
    }
    op_unlock(pd, false);
    return static_cast<std::int64_t>(nn);
}

std::int64_t fd_accept(FdHandle h, struct sockaddr *addr, socklen_t *addrlen) {
    PollDesc *pd = op_lock(h, true);
    if (pd == nullptr) return -EBADF;
    std::int64_t ret;
    int e = prepare(pd, kDirRead);
    if (e != 0) {
        ret = -e;
    } else {
        bool poll = pollable(pd);
        std::uint8_t fl = pd->flags.load(std::memory_order_relaxed);
        for (;;) {
            if (!poll) syscall_enter(true);
            int s = accept4(pd->fd, addr, addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC);
            e = s < 0 ? errno_now() : 0;
            if (!poll) syscall_exit();
            if (s >= 0) {
                if (fl & kFTcp) {
                    int one = 1;  // Go's TCPConn default
                    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                }
                ret = fd_adopt(s, kAdoptSocket | kAdoptNonblocking | (fl & kFTcp ? kAdoptTcp : 0));
                if (ret < 0) close(s);
                break;
            }
            // A connection reset while queued: take the next (Go).
            if (e == EINTR || e == ECONNABORTED) continue;
            if (e == EAGAIN && poll) e = wait_io(pd, kDirRead);
            if (e != 0) {
                ret = -e;
                break;
            }
        }
    }
    op_unlock(pd, true);
    return ret;
}

int fd_connect(FdHandle h, const struct sockaddr *addr, socklen_t addrlen) {
    PollDesc *pd = op_lock(h, false);
    if (pd == nullptr) return -EBADF;
    int ret = 0;
    int e = prepare(pd, kDirWrite);
    if (e != 0) {
        op_unlock(pd, false);
        return -e;
    }
    bool poll = pollable(pd);
    if (!poll) syscall_enter(true);
    int r = connect(pd->fd, addr, addrlen);
    e = r < 0 ? errno_now() : 0;
    if (!poll) syscall_exit();
    if (r == 0 || e == EISCONN) {
        ret = 0;
    } else if (e != EINPROGRESS && e != EALREADY && e != EINTR) {
        ret = -e;
    } else if (!poll) {
        ret = -e;
    } else {
        for (;;) {
            // A wake-up may be spurious (the writability of the fresh
            // socket, golang/go#14548): ask the socket, as Go does.
            e = wait_io(pd, kDirWrite);
            if (e != 0) {
                ret = -e;
                break;
            }
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (getsockopt(pd->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) {
                ret = -errno_now();
                break;
            }
            if (soerr == EINPROGRESS || soerr == EALREADY || soerr == EINTR) continue;
            if (soerr == EISCONN) break;
            if (soerr != 0) {
                ret = -soerr;
                break;
            }
            struct sockaddr_storage ss;
            socklen_t ssl = sizeof ss;
            if (getpeername(pd->fd, reinterpret_cast<struct sockaddr *>(&ss), &ssl) == 0) break;
        }
    }
    op_unlock(pd, false);
    return ret;
}

int fd_wait(FdHandle h, int events) {
    bool read = events == kPollIn;
    int dir = read ? kDirRead : kDirWrite;
    PollDesc *pd = op_lock(h, read);
    if (pd == nullptr) return -EBADF;
    int e = 0;
    if (pollable(pd)) {
        bool g = is_goroutine();
        e = checkerr(pd, dir);
        if (e == 0 && g) {
            // An edge recorded since the last wait is consumed, but not
            // trusted: the data it announced may have been read since, and
            // in a narrow race it is a late event of the slot's previous
            // incarnation (netpoll checks the generation, then unblocks: a
            // close and a reopen can fall in between). So the fd itself is
            // asked before reporting ready or parking: go_fd_wait never
            // returns ready for an fd that is not (test_fd_reuse).
            // A wake-up is verified the same way (the same late event can
            // wake a goroutine already parked).
            for (;;) {
                std::uintptr_t v = kPdReady;
                sem_of(pd, dir).compare_exchange_strong(v, kPdNil, std::memory_order_seq_cst);
                int r = poll_now(pd->fd, poll_events(events));
                if (r < 0) e = -r;
                if (r != 0) break;
                e = wait_goroutine(pd, dir);
                if (e != 0) break;
            }
        } else if (e == 0) {
            e = wait_thread(pd, dir);
        }
    }
    op_unlock(pd, read);
    return -e;
}

int fd_set_deadline(FdHandle h, int which, std::int64_t deadline) {
    PollDesc *pd = op_ref(h);
    if (pd == nullptr) return -EBADF;
    int ret = 0;
    if (!pollable(pd)) ret = -ENOTSUP;  // Go's ErrNoDeadline
    else set_deadline(pd, which, deadline_value(deadline));
    op_unref(pd);
    return ret;
}

int fd_shutdown(FdHandle h, int how) {
    PollDesc *pd = op_ref(h);
    if (pd == nullptr) return -EBADF;
    int ret = shutdown(pd->fd, how) < 0 ? -errno_now() : 0;
    op_unref(pd);
    return ret;
}

int fd_fileno(FdHandle h) {
    PollDesc *pd = op_ref(h);
    if (pd == nullptr) return -EBADF;
    int fd = pd->fd;
    op_unref(pd);
    return fd;
}

int fd_sockname(FdHandle h, bool peer, struct sockaddr_storage *ss, socklen_t *len) {
    PollDesc *pd = op_ref(h);
    if (pd == nullptr) return -EBADF;
    *len = sizeof *ss;
    auto *sa = reinterpret_cast<struct sockaddr *>(ss);
    int r = peer ? getpeername(pd->fd, sa, len) : getsockname(pd->fd, sa, len);
    int ret = r < 0 ? -errno_now() : 0;
    op_unref(pd);
    return ret;
}

int fd_set_unlink_path(FdHandle h, const char *path) {
    char *copy = strdup(path);
    if (copy == nullptr) return -ENOMEM;
    PollDesc *pd = op_ref(h);
    if (pd == nullptr) {
        std::free(copy);
        return -EBADF;
    }
    // Set right after go_listen created the descriptor, before anyone else
    // has its handle.
    std::free(pd->unlink_path);
    pd->unlink_path = copy;
    op_unref(pd);
    return 0;
}

int fd_close(FdHandle h) {
    int fd;
    int e = close_common(h, false, &fd);
    return -e;
}

int fd_release(FdHandle h) {
    int fd = -1;
    int e = close_common(h, true, &fd);
    return e != 0 ? -e : fd;
}

int poll_fd(int fd, int events, std::int64_t deadline) {
    if (fd < 0) return -EBADF;
    short pev = poll_events(events);
    int r = poll_now(fd, pev);
    if (r != 0) return r;
    if (deadline >= 0 && deadline <= nanotime()) return -ETIMEDOUT;
    if (!is_goroutine()) {
        PinnedIoWait pinned;
        return poll_blocking(fd, events, deadline);
    }
    int err = 0;
    NetpollState *s = poller(&err);
    if (s == nullptr) return err;
    // A descriptor of its own for this one wait, registered one-shot.
    PollDesc *pd = alloc_pd(s, fd, kFPollable | kFOneShot);
    if (pd == nullptr) return -ENOMEM;
    if (deadline >= 0) set_deadline(pd, kDirRead, deadline_value(deadline));
    struct epoll_event ev = {};
    ev.events = EPOLLONESHOT | ((events & kPollIn) ? EPOLLIN | EPOLLRDHUP : 0u) |
                ((events & kPollOut) ? EPOLLOUT : 0u);
    ev.data.u64 = handle_of(pd);
    int op = EPOLL_CTL_ADD;
    bool registered = false;
    for (;;) {
        if (epoll_ctl(s->epfd, op, fd, &ev) < 0) {
            int e = errno_now();
            if (e == EEXIST && op == EPOLL_CTL_ADD) {
                // The fd is adopted (go_fd_open) here: it cannot be in the
                // set twice. Wait on a thread that gives its P away.
                syscall_enter(true);
                r = poll_blocking(fd, events, deadline);
                syscall_exit();
            } else if (e == EPERM) {
                r = poll_now(fd, pev);  // a regular file: always ready
            } else {
                r = -e;
            }
            break;
        }
        registered = true;
        op = EPOLL_CTL_MOD;
        int w = wait_goroutine(pd, kDirRead);
        if (w != 0) {
            r = -w;
            break;
        }
        r = poll_now(fd, pev);
        if (r != 0) break;
        // Spurious (the readiness went away again): re-arm and wait.
    }
    if (registered) {
        struct epoll_event dummy = {};
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, &dummy);
    }
    evict(pd);  // its deadline timer (it was never opened: no reference to drop)
    free_pd(s, pd);
    return r;
}

}  // namespace gort
