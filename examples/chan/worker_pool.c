/* worker_pool.c - a fixed pool of workers fed by a jobs channel; the
 * results come back over a second channel.
 *
 *     jobs := make(chan int, numJobs)
 *     results := make(chan result, numJobs)
 *     for w := 1; w <= numWorkers; w++ { go worker(w, jobs, results, &wg) }
 *     for j := 1; j <= numJobs; j++ { jobs <- j }
 *     close(jobs)                 // the workers' range loops end
 *     for i := 0; i < numJobs; i++ { r := <-results; ... }
 *
 * Each job computes the number of Collatz steps from j down to 1. Which
 * worker runs which job, and the order the results arrive in, change from
 * run to run; each result carries its job number, so main stores it in its
 * slot and prints the table in job order: the output is always the same.
 * The per-worker job counts are not printed (they vary), only their sum.
 *
 * A channel's element can be any fixed-size value: here a struct. The
 * values are copied in and out, so the worker's local struct can be reused
 * at once. Go twin: go/worker_pool.go. */
#include <stdio.h>
#include <stdlib.h>

#include <gort.h>

#define NUM_WORKERS 4
#define NUM_JOBS 20

struct result {
    int job;
    int steps;
    int worker;
};

struct worker_args {
    int id;
    go_chan_t *jobs, *results;
    go_wg_t *wg;
};

static int collatz_steps(long long n)
{
    int steps = 0;
    while (n != 1) {
        n = n % 2 == 0 ? n / 2 : 3 * n + 1;
        steps++;
    }
    return steps;
}

static void worker(void *arg)
{
    const struct worker_args *w = arg;
    int job;
    while (chan_recv(w->jobs, &job) == 1) { /* for job := range jobs */
        struct result r = { job, collatz_steps(job), w->id };
        chan_send(w->results, &r);
    }
    wg_done(w->wg);
}

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *jobs = chan_new(sizeof(int), NUM_JOBS);
    go_chan_t *results = chan_new(sizeof(struct result), NUM_JOBS);
    go_wg_t *wg = wg_new();
    if (jobs == NULL || results == NULL || wg == NULL) {
        perror("worker_pool");
        exit(1);
    }

    wg_add(wg, NUM_WORKERS);
    for (int w = 1; w <= NUM_WORKERS; w++) {
        struct worker_args a = { w, jobs, results, wg };
        go_spawn_copy(worker, &a, sizeof a);
    }
    for (int j = 1; j <= NUM_JOBS; j++)
        chan_send(jobs, &j);
    chan_close(jobs); /* no more jobs: each worker's loop ends once it is drained */

    int steps[NUM_JOBS + 1] = { 0 };
    int per_worker[NUM_WORKERS + 1] = { 0 };
    for (int i = 0; i < NUM_JOBS; i++) {
        struct result r;
        chan_recv(results, &r);
        steps[r.job] = r.steps;
        per_worker[r.worker]++;
    }
    wg_wait(wg); /* every worker has left its loop */

    int total = 0, done = 0;
    for (int j = 1; j <= NUM_JOBS; j++) {
        printf("job %2d: %3d steps\n", j, steps[j]);
        total += steps[j];
    }
    for (int w = 1; w <= NUM_WORKERS; w++)
        done += per_worker[w];
    printf("%d workers ran %d jobs, %d steps in all\n", NUM_WORKERS, done, total);

    /* The workers are past their last channel call (wg_wait returned), but
     * one may still be on its way out of wg_done: let them all finish
     * before freeing the WaitGroup. */
    while (go_num_goroutine() > 1)
        go_yield();
    chan_free(jobs);
    chan_free(results);
    wg_free(wg);
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
