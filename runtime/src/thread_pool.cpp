// thread_pool.cpp — the persistent CPU thread pool behind wp::launch_cpu.
//
// Contract (see wp/launch.h for the public one):
//  * One process-wide pool of (threads - 1) workers, created on first use; the calling
//    thread is the remaining participant of every launch.
//  * A launch is a Job: [0, n) split into contiguous chunks claimed through an atomic
//    counter, so each index runs exactly once. The caller returns only after every
//    participating worker has finished the job.
//  * After the first failure, chunks not yet claimed are skipped; the first exception is
//    rethrown on the caller as a wp::Error.
//  * Workers that took part in a job spin ~100 µs after it before sleeping on a condition
//    variable (workers left out of a launch go straight back to sleep), and the caller spins
//    as long for the workers to finish, so back-to-back launches skip the sleep/wake trip.
//  * Launches are serialised by a mutex; a launch made from inside a running body (any
//    pool thread) runs serially instead of deadlocking.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "wp/deterministic.h"
#include "wp/launch.h"

namespace wp {
namespace detail {
namespace {

thread_local bool t_in_launch = false;  // this thread is running some launch's body

struct Job {
  int64_t n = 0;
  int64_t chunk = 1;
  int64_t chunks = 0;
  int workers = 0;  // pool workers taking part (the caller takes part too)
  ChunkFn fn = nullptr;
  void* ctx = nullptr;
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;
};

void run_chunks(Job& job) {
  for (;;) {
    const int64_t c = job.next.fetch_add(1, std::memory_order_relaxed);
    if (c >= job.chunks || job.failed.load(std::memory_order_relaxed)) return;
    const int64_t begin = c * job.chunk;
    const int64_t end = std::min(job.n, begin + job.chunk);
    try {
      job.fn(job.ctx, begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> lock(job.error_mutex);
      if (!job.error) job.error = std::current_exception();
      job.failed.store(true, std::memory_order_relaxed);
    }
  }
}

// Busy-waits (politely) until pred() holds or about kSpinMicros pass; returns pred().
// Back-to-back launches then skip the sleep/wake round trip of a condition variable.
constexpr int64_t kSpinMicros = 100;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

template <typename Pred>
bool spin_until(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
  for (int i = 1;; ++i) {
    if (pred()) return true;
    cpu_relax();
    if (i % 64 == 0 && std::chrono::steady_clock::now() > deadline) return pred();
  }
}

class ThreadPool {
 public:
  explicit ThreadPool(int threads) : threads_(std::max(1, threads)) {
    for (int id = 0; id < threads_ - 1; ++id) workers_.emplace_back([this, id] { work(id); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  int threads() const { return threads_; }

  void run(Job& job) {
    std::lock_guard<std::mutex> launch_lock(launch_mutex_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      pending_.store(job.workers, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    if (job.workers > 0) wake_.notify_all();
    t_in_launch = true;
    run_chunks(job);
    t_in_launch = false;
    if (!spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
    }
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = nullptr;
  }

 private:
  // Waits for a generation other than `seen` (or stop); returns false on stop. Spins first
  // only when this worker took part in the last launch (idle workers go straight to sleep).
  bool wait_for_work(uint64_t seen, bool spin) {
    if (spin) spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_relaxed) != seen; });
    return !stop_;
  }

  void work(int id) {
    t_in_launch = true;  // a launch from inside a body on this thread runs serially
    uint64_t seen = 0;
    bool worked = false;
    while (wait_for_work(seen, worked)) {
      Job* job = nullptr;
      {
        std::lock_guard<std::mutex> lock(mutex_);  // job_ is read only under the mutex
        seen = generation_.load(std::memory_order_relaxed);
        worked = job_ && id < job_->workers;
        if (!worked) continue;
        job = job_;
      }
      run_chunks(*job);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);  // pairs with the caller's predicate check
        done_.notify_one();
      }
    }
  }

  const int threads_;
  std::vector<std::thread> workers_;
  std::mutex launch_mutex_;
  std::mutex mutex_;  // guards job_ and stop_; generation_ changes only while it is held
  std::condition_variable wake_;
  std::condition_variable done_;
  Job* job_ = nullptr;
  std::atomic<int> pending_{0};
  std::atomic<uint64_t> generation_{0};
  bool stop_ = false;
};

ThreadPool& pool() {
  static ThreadPool p(parse_thread_count(std::getenv("WARPC_NUM_THREADS"),
                                         static_cast<int>(std::thread::hardware_concurrency())));
  return p;
}

int threads_for(int max_threads) {
  const int all = pool().threads();
  return max_threads > 0 ? std::min(all, max_threads) : all;
}

}  // namespace

int parse_thread_count(const char* text, int fallback) {
  if (!text) return std::max(1, fallback);
  const std::string s(text);
  bool digits = !s.empty() && s.size() <= 6;
  for (char c : s) digits = digits && c >= '0' && c <= '9';
  const int value = digits ? std::stoi(s) : 0;
  if (value < 1) {
    throw Error("WARPC_NUM_THREADS='" + s + "' is not a positive integer (at most 6 digits)");
  }
  return value;
}

bool run_serially(int64_t n, int max_threads) {
  return n <= kSerialLaunchThreshold || t_in_launch || deterministic_cpu() || threads_for(max_threads) == 1;
}

void run_parallel(int64_t n, int max_threads, ChunkFn fn, void* ctx, std::string_view kernel) {
  const int threads = threads_for(max_threads);
  Job job;
  job.n = n;
  // About 4 chunks per thread balances uneven work while keeping chunks contiguous.
  job.chunks = std::min<int64_t>(n, int64_t{threads} * 4);
  job.chunk = (n + job.chunks - 1) / job.chunks;
  job.chunks = (n + job.chunk - 1) / job.chunk;
  job.workers = static_cast<int>(std::min<int64_t>(threads - 1, job.chunks - 1));
  job.fn = fn;
  job.ctx = ctx;
  pool().run(job);
  if (job.error) {
    try {
      std::rethrow_exception(job.error);
    } catch (...) {
      rethrow_as_error(kernel);
    }
  }
}

[[noreturn]] void rethrow_as_error(std::string_view kernel) {
  try {
    throw;
  } catch (const Error& e) {
    if (!e.kernel().empty() || kernel.empty()) throw;
    throw Error(e.cause(), std::string(kernel));
  } catch (const std::exception& e) {
    throw Error(e.what(), std::string(kernel));
  } catch (...) {
    throw Error("unknown exception", std::string(kernel));
  }
}

}  // namespace detail

int cpu_thread_count() { return detail::pool().threads(); }

namespace {
std::atomic<bool>& deterministic_flag() {
  static std::atomic<bool> flag{[] {
    const char* env = std::getenv("WARPC_DETERMINISTIC");
    return env != nullptr && std::string(env) == "1";
  }()};
  return flag;
}
}  // namespace

void set_deterministic_cpu(bool on) { deterministic_flag().store(on, std::memory_order_relaxed); }
bool deterministic_cpu() { return deterministic_flag().load(std::memory_order_relaxed); }

}  // namespace wp
