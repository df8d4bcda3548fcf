#pragma once
#include <napi.h>

namespace nova {

// memfdCreate(name, size): number — an anonymous shared-memory file
// (memfd_create MFD_CLOEXEC|MFD_ALLOW_SEALING) of `size` bytes (ftruncate), to
// be mapped with mapFd and passed to another process over SCM_RIGHTS.
Napi::Value MemfdCreate(const Napi::CallbackInfo& info);

// mapFd(fd, size, cow): SharedArrayBuffer — mmap(2) of the first `size` bytes
// of `fd`, MAP_SHARED (cow false: writes are seen by every process mapping the
// file) or MAP_PRIVATE (cow true: a copy-on-write snapshot). The memory
// belongs to the SharedArrayBuffer's V8 backing store and is unmapped by its
// deleter once no JS object (in any thread) references it, so JS can never
// touch unmapped memory. The descriptor may be closed right after.
Napi::Value MapFd(const Napi::CallbackInfo& info);

// sealSize(fd): adds F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL to a memfd, so no
// process holding it can change its size: a peer that shrank a mapped memfd
// would turn our next access into SIGBUS.
Napi::Value SealSize(const Napi::CallbackInfo& info);

// sizeSealed(fd): true when the file's seals forbid shrinking (F_SEAL_SHRINK).
Napi::Value SizeSealed(const Napi::CallbackInfo& info);

}  // namespace nova
