#pragma once
#include <napi.h>

#include "env-state.h"

namespace nova {

// eventfdCreate(): number — eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK): a doorbell
// another process can ring (the shm transport passes it over SCM_RIGHTS).
Napi::Value EventfdCreate(const Napi::CallbackInfo& info);

// eventfdSignal(fd): rings it (write 1); a full counter (EAGAIN) is already rung.
Napi::Value EventfdSignal(const Napi::CallbackInfo& info);

// watchFd(fd, drainEventfd, callback(events)): number — a uv_poll on the
// environment's loop for readability (1) and hang-up/error (2). With
// drainEventfd the eventfd counter is read (reset) before the callback runs,
// so a doorbell rung N times wakes once. Returns the watch id. The caller must
// keep `fd` open until unwatchFd.
Napi::Value WatchFd(const Napi::CallbackInfo& info);

// watchEvents(id, mask): what the watch polls for: bit 1 readability (and
// hang-up/error, callback bit 2), bit 4 writability (callback bit 4). A
// writer that met EAGAIN adds 4 and removes it once its buffer is flushed;
// libuv allows one poll per descriptor, so reading and writing share a watch.
// Unknown ids are ignored; a mask outside 0..7 is a RangeError.
Napi::Value WatchEvents(const Napi::CallbackInfo& info);

// unwatchFd(id): stops and frees the watch (no callback after it returns).
Napi::Value UnwatchFd(const Napi::CallbackInfo& info);

// refWatch(id, ref): whether the watch keeps the loop alive (it does by default).
Napi::Value RefWatch(const Napi::CallbackInfo& info);

// Closes every watch of an environment that is being torn down.
void CloseAllWatches(EnvState* state);

}  // namespace nova
