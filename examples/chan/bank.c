/* bank.c - shared state guarded by mutexes: concurrent transfers between
 * two accounts, and auditors that check that no money appears or vanishes.
 *
 *     type Account struct {
 *         mu      sync.Mutex
 *         id      int
 *         balance int
 *     }
 *
 * A transfer locks both accounts, always the lower id first: two transfers
 * in opposite directions that each held one lock and waited for the other
 * would deadlock. An auditor locks both (in the same order) and reads the
 * total, so it never sees a transfer half done. Without the locks the
 * increments would race and the totals would drift.
 *
 * The final balances do not depend on the interleaving: the starting
 * balances cover every withdrawal even if all of one side's transfers run
 * first, so every transfer succeeds. Go twin: go/bank.go. */
#include <stdio.h>
#include <stdlib.h>

#include <gort.h>

struct account {
    go_mutex_t *mu;
    int id;
    long long balance; /* guarded by mu */
};

static struct account a = { NULL, 1, 5000 }, b = { NULL, 2, 2000 };
static go_mutex_t *stats_mu;
static long long transfers, failed; /* guarded by stats_mu */
static int audits, unbalanced;     /* guarded by stats_mu */
static go_wg_t *wg;

static void lock_both(struct account *x, struct account *y)
{
    struct account *first = x->id < y->id ? x : y;
    struct account *second = x->id < y->id ? y : x;
    mutex_lock(first->mu);
    mutex_lock(second->mu);
}

static void unlock_both(struct account *x, struct account *y)
{
    mutex_unlock(x->mu);
    mutex_unlock(y->mu);
}

static int transfer(struct account *from, struct account *to, long long amount)
{
    lock_both(from, to);
    int ok = from->balance >= amount;
    if (ok) {
        from->balance -= amount;
        to->balance += amount;
    }
    unlock_both(from, to);

    mutex_lock(stats_mu);
    if (ok)
        transfers++;
    else
        failed++;
    mutex_unlock(stats_mu);
    return ok;
}

struct mover {
    struct account *from, *to;
    long long amount;
    int times;
};

static void move_money(void *arg)
{
    const struct mover *m = arg;
    for (int i = 0; i < m->times; i++) {
        transfer(m->from, m->to, m->amount);
        go_yield(); /* let the others in between: more interleaving */
    }
    wg_done(wg);
}

static void audit(void *arg)
{
    int times = *(const int *)arg;
    for (int i = 0; i < times; i++) {
        lock_both(&a, &b);
        long long total = a.balance + b.balance;
        unlock_both(&a, &b);

        mutex_lock(stats_mu);
        audits++;
        if (total != 7000)
            unbalanced++;
        mutex_unlock(stats_mu);
        go_yield();
    }
    wg_done(wg);
}

static void real_main(void *unused)
{
    (void)unused;
    a.mu = mutex_new();
    b.mu = mutex_new();
    stats_mu = mutex_new();
    wg = wg_new();
    if (a.mu == NULL || b.mu == NULL || stats_mu == NULL || wg == NULL) {
        perror("bank");
        exit(1);
    }
    printf("start: A=%lld B=%lld total=%lld\n", a.balance, b.balance, a.balance + b.balance);

    const struct mover a_to_b = { &a, &b, 3, 100 }; /* 10 goroutines: 3000 from A */
    const struct mover b_to_a = { &b, &a, 5, 100 }; /*  4 goroutines: 2000 from B */
    const int audit_times = 50;                     /*  2 auditors */
    wg_add(wg, 10 + 4 + 2);
    for (int i = 0; i < 10; i++)
        go_spawn_copy(move_money, &a_to_b, sizeof a_to_b);
    for (int i = 0; i < 4; i++)
        go_spawn_copy(move_money, &b_to_a, sizeof b_to_a);
    for (int i = 0; i < 2; i++)
        go_spawn_copy(audit, &audit_times, sizeof audit_times);
    wg_wait(wg);

    /* wg_wait's return orders every goroutine's writes before these reads;
     * the locks are for form (and cost nothing now). */
    lock_both(&a, &b);
    printf("end:   A=%lld B=%lld total=%lld\n", a.balance, b.balance, a.balance + b.balance);
    unlock_both(&a, &b);
    mutex_lock(stats_mu);
    printf("transfers: %lld done, %lld refused\n", transfers, failed);
    printf("audits: %d, unbalanced: %d\n", audits, unbalanced);
    mutex_unlock(stats_mu);

    /* A goroutine may still be on its way out of wg_done: let them all
     * finish before freeing what they used. */
    while (go_num_goroutine() > 1)
        go_yield();
    mutex_free(a.mu);
    mutex_free(b.mu);
    mutex_free(stats_mu);
    wg_free(wg);
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
