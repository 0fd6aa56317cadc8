// worker_pool.cpp - examples/chan/worker_pool.c in C++: a fixed pool of
// workers ranges over a jobs channel (`for (int job : jobs)` is Go's
// `for job := range jobs`) and sends typed results back. Same output as
// worker_pool.c.
#include <gort.hpp>

#include <cstdio>

namespace {

constexpr int num_workers = 4;
constexpr int num_jobs = 20;

struct result {
    int job, steps, worker;
};

int collatz_steps(long long n) {
    int steps = 0;
    while (n != 1) {
        n = n % 2 == 0 ? n / 2 : 3 * n + 1;
        steps++;
    }
    return steps;
}

}  // namespace

int main() {
    return gort::main([] {
        gort::Chan<int> jobs(num_jobs);
        gort::Chan<result> results(num_jobs);
        gort::WaitGroup wg;

        wg.add(num_workers);
        for (int w = 1; w <= num_workers; w++) {
            gort::go([&jobs, &results, &wg, w] {
                for (int job : jobs) results.send(result{job, collatz_steps(job), w});
                wg.done();
            });
        }
        for (int j = 1; j <= num_jobs; j++) jobs.send(j);
        jobs.close();  // no more jobs: each worker's loop ends once it is drained

        int steps[num_jobs + 1] = {0};
        int per_worker[num_workers + 1] = {0};
        for (int i = 0; i < num_jobs; i++) {
            result r = *results.recv();
            steps[r.job] = r.steps;
            per_worker[r.worker]++;
        }
        wg.wait();  // every worker has left its loop

        int total = 0, done = 0;
        for (int j = 1; j <= num_jobs; j++) {
            std::printf("job %2d: %3d steps\n", j, steps[j]);
            total += steps[j];
        }
        for (int w = 1; w <= num_workers; w++) done += per_worker[w];
        std::printf("%d workers ran %d jobs, %d steps in all\n", num_workers, done, total);
        // A worker may still be on its way out of done(): the WaitGroup and
        // channels are destroyed after they have all finished.
        while (gort::num_goroutine() > 1) gort::yield();
    }) < 0;
}
