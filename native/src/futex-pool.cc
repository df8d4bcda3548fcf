#include "futex-pool.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace nova {

namespace {

// A cancelled wait is woken by FUTEX_WAKE_BITSET; in the narrow window where
// the cancel lands between the thread's check and its FUTEX_WAIT, the wait
// notices at the end of its current slice instead.
constexpr double kSliceMs = 100;
// Idle threads kept for reuse; more exit when they run out of work.
constexpr size_t kMaxIdle = 16;

// Never destroyed: idle threads still wait on the condition variable when the
// process exits, and glibc's pthread_cond_destroy would block on them.
std::mutex& poolMu = *new std::mutex();
std::condition_variable& poolCv = *new std::condition_variable();
std::deque<FutexWaitJob*>& queue = *new std::deque<FutexWaitJob*>();
size_t idle = 0;

timespec Deadline(double ms) {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const double whole = std::floor(ms / 1000);
  ts.tv_sec += static_cast<time_t>(whole);
  ts.tv_nsec += static_cast<long>((ms - whole * 1000) * 1e6);
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

double MsUntil(const timespec& t) {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (t.tv_sec - now.tv_sec) * 1000.0 + (t.tv_nsec - now.tv_nsec) / 1e6;
}

const char* Run(FutexWaitJob* job) {
  const bool forever = job->timeoutMs < 0;
  const timespec deadline = Deadline(forever ? 0 : job->timeoutMs);
  for (;;) {
    if (job->cancelled.load()) return "cancelled";
    double slice = kSliceMs;
    if (!forever) {
      const double left = MsUntil(deadline);
      if (left <= 0) return "timed-out";
      if (left < slice) slice = left;
    }
    const char* r = WaitOnce(job->addr, job->expected, slice, job->bitset);
    if (job->cancelled.load()) return "cancelled";
    if (r[0] == 'o' || r[0] == 'n') return r;  // "ok", "not-equal"
  }
}

void Complete(FutexWaitJob* job, const char* result) {
  EnvState* state = job->state;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    state->done.push_back({job->id, result});
    state->jobs.erase(job->id);
    if (!state->closing) uv_async_send(&state->async);
    state->running--;
  }
  state->drained.notify_all();
  delete job;
}

void Worker() {
  std::unique_lock<std::mutex> lock(poolMu);
  for (;;) {
    while (queue.empty()) {
      if (idle >= kMaxIdle) return;
      idle++;
      poolCv.wait(lock);
      idle--;
    }
    FutexWaitJob* job = queue.front();
    queue.pop_front();
    lock.unlock();
    Complete(job, Run(job));
    lock.lock();
  }
}

}  // namespace

const char* WaitOnce(int32_t* addr, int32_t expected, double timeoutMs, uint32_t bitset) {
  timespec deadline;
  timespec* t = nullptr;
  if (timeoutMs >= 0) {
    deadline = Deadline(timeoutMs);
    t = &deadline;
  }
  for (;;) {
    // Not FUTEX_PRIVATE_FLAG: the word may be shared with other processes.
    // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, so EINTR retries keep it.
    const long r = syscall(SYS_futex, addr, FUTEX_WAIT_BITSET, expected, t, nullptr, bitset);
    if (r == 0) return "ok";
    if (errno == EAGAIN) return "not-equal";
    if (errno == ETIMEDOUT) return "timed-out";
    if (errno == EINTR) continue;
    return "interrupted";
  }
}

void SubmitWait(FutexWaitJob* job) {
  {
    std::lock_guard<std::mutex> lock(job->state->mu);
    job->state->jobs[job->id] = job;
    job->state->running++;
  }
  bool spawn;
  {
    std::lock_guard<std::mutex> lock(poolMu);
    queue.push_back(job);
    // Every queued wait needs its own thread (each blocks in the kernel):
    // start one unless enough idle threads are there to take them all.
    spawn = queue.size() > idle;
  }
  if (spawn) std::thread(Worker).detach();
  poolCv.notify_one();
}

void CancelWait(EnvState* state, uint32_t id) {
  std::lock_guard<std::mutex> lock(state->mu);
  auto it = state->jobs.find(id);
  if (it == state->jobs.end()) return;
  FutexWaitJob* job = it->second;
  job->cancelled.store(true);
  syscall(SYS_futex, job->addr, FUTEX_WAKE_BITSET, INT_MAX, nullptr, nullptr, job->bitset);
}

void CancelAllWaits(EnvState* state) {
  std::unique_lock<std::mutex> lock(state->mu);
  state->closing = true;
  for (auto& entry : state->jobs) {
    entry.second->cancelled.store(true);
    syscall(SYS_futex, entry.second->addr, FUTEX_WAKE_BITSET, INT_MAX, nullptr, nullptr, entry.second->bitset);
  }
  state->drained.wait(lock, [state] { return state->running == 0; });
}

}  // namespace nova
