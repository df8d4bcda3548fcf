// Per-environment (main thread or worker thread) state of the addon's
// asynchronous parts: futex waits completed on addon threads, and descriptor
// watches on the environment's libuv loop. Created on first use, torn down by
// an environment cleanup hook.
#pragma once
#include <napi.h>
#include <uv.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_map>

namespace nova {

struct FutexWaitJob;
struct FdWatch;

struct Completion {
  uint32_t id;
  const char* result;
};

// A futexWait in flight: its callback and the view it waits on (referenced, so
// the mapping cannot be garbage collected and unmapped under the waiting thread).
struct PendingWait {
  Napi::FunctionReference callback;
  Napi::ObjectReference view;
};

struct EnvState {
  napi_env env;
  uv_loop_t* loop;
  // Futex waits of this environment: JS callbacks by id (touched on the loop thread only).
  std::unordered_map<uint32_t, PendingWait> callbacks;
  std::unordered_map<uint32_t, FutexWaitJob*> jobs;  // guarded by mu
  uint32_t nextWaitId = 1;
  uv_async_t async;  // wakes the loop when an addon thread completes a wait
  std::mutex mu;
  std::condition_variable drained;
  std::deque<Completion> done;  // guarded by mu
  size_t running = 0;            // jobs handed to threads, not yet completed; guarded by mu
  bool closing = false;          // guarded by mu
  // Descriptor watches (loop thread only).
  std::unordered_map<uint32_t, FdWatch*> watches;
  uint32_t nextWatchId = 1;
};

// The state of `env`, created (with its uv_async, unref'd) on first call.
EnvState* GetEnvState(Napi::Env env);

// Keeps the loop alive while waits are pending (called on the loop thread).
void UpdateAsyncRef(EnvState* state);

}  // namespace nova
