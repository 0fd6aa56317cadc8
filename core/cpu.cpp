// cpu.cpp - how many CPUs this process may use (runtime.NumCPU), and the
// GOMAXPROCS environment variable.
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sched.h>
#include <string>
#include <unistd.h>

#include "sched.hpp"

namespace gort {

namespace {

int affinity_cpus() {
    for (int ncpu = 1024; ncpu <= (1 << 20); ncpu *= 2) {
        cpu_set_t *set = CPU_ALLOC(ncpu);
        if (set == nullptr) break;
        std::size_t size = CPU_ALLOC_SIZE(ncpu);
        if (sched_getaffinity(0, size, set) == 0) {
            int n = CPU_COUNT_S(size, set);
            CPU_FREE(set);
            return n;
        }
        CPU_FREE(set);
        if (errno != EINVAL) break;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
}

bool read_line(const std::string &path, char *buf, std::size_t len) {
    FILE *f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return false;
    bool ok = std::fgets(buf, static_cast<int>(len), f) != nullptr;
    std::fclose(f);
    return ok;
}

// CPUs allowed by a quota/period pair, rounded up; 0 when unlimited.
int quota_cpus(long long quota, long long period) {
    if (quota <= 0 || period <= 0) return 0;
    long long n = (quota + period - 1) / period;
    return n > INT_MAX ? INT_MAX : static_cast<int>(n);
}

// The tightest CPU quota on the cgroup path and its ancestors; 0 when none.
int cgroup_cpus() {
    FILE *f = std::fopen("/proc/self/cgroup", "r");
    if (f == nullptr) return 0;
    char line[4096];
    std::string v2path, v1path;
    bool have_v2 = false, have_v1 = false;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        line[std::strcspn(line, "\n")] = 0;
        char *c1 = std::strchr(line, ':');
        if (c1 == nullptr) continue;
        char *c2 = std::strchr(c1 + 1, ':');
        if (c2 == nullptr) continue;
        std::string controllers(c1 + 1, c2);
        std::string path(c2 + 1);
        if (std::strncmp(line, "0:", 2) == 0 && controllers.empty()) {
            v2path = path;
            have_v2 = true;
        } else {
            // v1: "cpu" among a comma-separated list
            std::string list = "," + controllers + ",";
            if (list.find(",cpu,") != std::string::npos) {
                v1path = path;
                have_v1 = true;
            }
        }
    }
    std::fclose(f);
    int best = 0;
    auto consider = [&best](int n) {
        if (n > 0 && (best == 0 || n < best)) best = n;
    };
    char buf[256];
    if (have_v2) {
        for (std::string p = v2path;; p = p.substr(0, p.rfind('/'))) {
            if (read_line("/sys/fs/cgroup" + p + "/cpu.max", buf, sizeof buf)) {
                long long quota = 0, period = 0;
                if (std::strncmp(buf, "max", 3) != 0 &&
                    std::sscanf(buf, "%lld %lld", &quota, &period) == 2)
                    consider(quota_cpus(quota, period));
            }
            if (p.empty() || p == "/") break;
        }
    }
    if (have_v1) {
        for (const char *root : {"/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu"}) {
            for (std::string p = v1path;; p = p.substr(0, p.rfind('/'))) {
                char qb[64], pb[64];
                std::string dir = std::string(root) + (p == "/" ? "" : p);
                if (read_line(dir + "/cpu.cfs_quota_us", qb, sizeof qb) &&
                    read_line(dir + "/cpu.cfs_period_us", pb, sizeof pb))
                    consider(quota_cpus(std::atoll(qb), std::atoll(pb)));
                if (p.empty() || p == "/") break;
            }
        }
    }
    return best;
}

}  // namespace

int count_cpus() {
    int n = affinity_cpus();
    int q = cgroup_cpus();
    if (q > 0 && q < n) n = q;
    return n < 1 ? 1 : n;
}

// GOMAXPROCS from the environment: a positive decimal integer, else 0
// (Go ignores a malformed value too).
int env_gomaxprocs() {
    const char *s = std::getenv("GOMAXPROCS");
    if (s == nullptr || *s == 0) return 0;
    char *end = nullptr;
    errno = 0;
    long v = std::strtol(s, &end, 10);
    if (errno != 0 || *end != 0 || v <= 0) return 0;
    return v > kMaxProcs ? kMaxProcs : static_cast<int>(v);
}

}  // namespace gort
