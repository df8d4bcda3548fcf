#pragma once
#include <napi.h>

namespace nova {

// futexWake(view: Int32Array, index, count): number — FUTEX_WAKE (shared, not
// FUTEX_PRIVATE_FLAG, so waiters in other processes mapping the same file are
// woken) on view[index]; returns how many waiters were woken.
Napi::Value FutexWake(const Napi::CallbackInfo& info);

// futexWaitSync(view, index, expected, timeoutMs): "ok" | "not-equal" |
// "timed-out" — FUTEX_WAIT on the calling thread (blocks it: worker threads only).
Napi::Value FutexWaitSync(const Napi::CallbackInfo& info);

// futexWait(view, index, expected, timeoutMs, callback): number — the same
// wait on an addon thread; `callback(result)` runs on the loop afterwards, with
// "cancelled" added to the results. Returns the wait id for futexCancel. The
// loop stays alive while a wait is pending.
Napi::Value FutexWait(const Napi::CallbackInfo& info);

// futexCancel(id): ends a pending futexWait with "cancelled" (no-op once done).
Napi::Value FutexCancel(const Napi::CallbackInfo& info);

// schedYield(): sched_yield(2) — lets another runnable thread on this CPU
// run; a spinning shm channel calls it so that a peer the scheduler put on the
// same CPU is not starved by the spin.
Napi::Value SchedYield(const Napi::CallbackInfo& info);

}  // namespace nova
