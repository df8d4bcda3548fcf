// The addon threads that park in FUTEX_WAIT on behalf of futexWait, so that a
// contended lock never blocks an event loop. Threads are reused: an idle one
// takes the next wait; a new one starts when none is idle.
#pragma once
#include <atomic>
#include <cstdint>

#include "env-state.h"

namespace nova {

struct FutexWaitJob {
  EnvState* state;
  uint32_t id;
  int32_t* addr;
  int32_t expected;
  double timeoutMs;  // < 0: none
  uint32_t bitset;   // FUTEX_WAIT_BITSET mask: a cancel wakes only waiters sharing it
  std::atomic<bool> cancelled{false};
};

// Queues `job` (owned by the pool until its completion is posted).
void SubmitWait(FutexWaitJob* job);
// Cancels `job` if still pending (state->mu held by the caller is NOT required).
void CancelWait(EnvState* state, uint32_t id);
// Cancels every wait of `state` and blocks until none is running.
void CancelAllWaits(EnvState* state);
// One FUTEX_WAIT_BITSET: returns "ok", "not-equal", "timed-out" or "interrupted".
const char* WaitOnce(int32_t* addr, int32_t expected, double timeoutMs, uint32_t bitset);

}  // namespace nova
