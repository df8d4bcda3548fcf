#include "frames.h"

#include "args.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define NOVA_CRC_CLMUL 1
#include <immintrin.h>
#endif

namespace nova {
namespace {

constexpr size_t kHeaderSize = 40;
constexpr size_t kLengthOffset = 32;
constexpr size_t kCrcOffset = 36;
constexpr uint8_t kMajor = 1;

// ---------------------------------------------------------------------------
// Portable CRC-32/IEEE: slicing-by-16. The tables are constant-initialised at
// compile time, so there is no first-call cost and no initialisation race.

struct CrcTables {
  uint32_t t[16][256];
};

constexpr CrcTables BuildTables() {
  CrcTables r{};
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    r.t[0][n] = c;
  }
  for (int k = 1; k < 16; k++) {
    for (uint32_t n = 0; n < 256; n++) r.t[k][n] = r.t[0][r.t[k - 1][n] & 0xFF] ^ (r.t[k - 1][n] >> 8);
  }
  return r;
}

constexpr CrcTables kTables = BuildTables();

// Byte-wise little-endian access: compilers turn these into single (unaligned)
// loads/stores on little-endian targets, and they stay correct everywhere else.
inline uint32_t LoadLE32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

inline void StoreLE32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

// Advances the raw CRC register `c` (not inverted) over n bytes.
uint32_t CrcUpdate(uint32_t c, const uint8_t* p, size_t n) {
  const auto& T = kTables.t;
  for (; n >= 16; p += 16, n -= 16) {
    const uint32_t a = c ^ LoadLE32(p);
    const uint32_t b = LoadLE32(p + 4);
    const uint32_t d = LoadLE32(p + 8);
    const uint32_t e = LoadLE32(p + 12);
    c = T[15][a & 0xFF] ^ T[14][(a >> 8) & 0xFF] ^ T[13][(a >> 16) & 0xFF] ^ T[12][a >> 24] ^  //
        T[11][b & 0xFF] ^ T[10][(b >> 8) & 0xFF] ^ T[9][(b >> 16) & 0xFF] ^ T[8][b >> 24] ^     //
        T[7][d & 0xFF] ^ T[6][(d >> 8) & 0xFF] ^ T[5][(d >> 16) & 0xFF] ^ T[4][d >> 24] ^        //
        T[3][e & 0xFF] ^ T[2][(e >> 8) & 0xFF] ^ T[1][(e >> 16) & 0xFF] ^ T[0][e >> 24];
  }
  // Short tails (every frame has one) as one 8- and one 4-byte step rather
  // than a serial byte loop.
  if (n >= 8) {
    const uint32_t a = c ^ LoadLE32(p);
    const uint32_t b = LoadLE32(p + 4);
    c = T[7][a & 0xFF] ^ T[6][(a >> 8) & 0xFF] ^ T[5][(a >> 16) & 0xFF] ^ T[4][a >> 24] ^  //
        T[3][b & 0xFF] ^ T[2][(b >> 8) & 0xFF] ^ T[1][(b >> 16) & 0xFF] ^ T[0][b >> 24];
    p += 8;
    n -= 8;
  }
  if (n >= 4) {
    const uint32_t a = c ^ LoadLE32(p);
    c = T[3][a & 0xFF] ^ T[2][(a >> 8) & 0xFF] ^ T[1][(a >> 16) & 0xFF] ^ T[0][a >> 24];
    p += 4;
    n -= 4;
  }
  for (; n > 0; p++, n--) c = T[0][(c ^ *p) & 0xFF] ^ (c >> 8);
  return c;
}

// The frame CRC: the 40 header bytes with 36..39 taken as zero, then `len`
// payload bytes. The header goes through a stack copy so the caller's CRC
// field is never read as data (and never written).
uint32_t FrameCrcPortable(const uint8_t* f, size_t len) {
  uint8_t header[kHeaderSize];
  std::memcpy(header, f, kCrcOffset);
  std::memset(header + kCrcOffset, 0, kHeaderSize - kCrcOffset);
  uint32_t c = CrcUpdate(0xFFFFFFFFu, header, kHeaderSize);
  return ~CrcUpdate(c, f + kHeaderSize, len);
}

// ---------------------------------------------------------------------------
// x86 carry-less multiplication (PCLMULQDQ) folding, after Gopal et al.,
// "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ" (Intel, 2009),
// with the bit-reflected constants for the IEEE polynomial. Compiled with a
// target attribute and used only after a runtime CPU check, so the addon still
// loads on any x86-64.

#ifdef NOVA_CRC_CLMUL
// Frames shorter than this go through the table path (the folding needs 64 bytes).
constexpr size_t kClmulMinPayload = 64 - kHeaderSize;

__attribute__((target("pclmul,sse4.1"))) uint32_t FrameCrcClmul(const uint8_t* f, size_t len) {
  const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596LL, 0x0154442bd4LL);
  const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009eLL, 0x01751997d0LL);
  const __m128i k5k0 = _mm_set_epi64x(0, 0x0163cd6124LL);
  const __m128i poly = _mm_set_epi64x(0x01f7011641LL, 0x01db710641LL);
  const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);
  // Bytes 32..47 hold the CRC field at their offsets 4..7: fold it in as zero.
  const __m128i crcFieldMask = _mm_setr_epi32(-1, 0, -1, -1);

  __m128i x1 = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(f)), _mm_cvtsi32_si128(-1));
  __m128i x2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(f + 16));
  __m128i x3 = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(f + 32)), crcFieldMask);
  __m128i x4 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(f + 48));
  const uint8_t* p = f + 64;
  size_t n = len - kClmulMinPayload;  // bytes after the first 64 of the frame

  for (; n >= 64; p += 64, n -= 64) {
    const __m128i l1 = _mm_clmulepi64_si128(x1, k1k2, 0x00);
    const __m128i l2 = _mm_clmulepi64_si128(x2, k1k2, 0x00);
    const __m128i l3 = _mm_clmulepi64_si128(x3, k1k2, 0x00);
    const __m128i l4 = _mm_clmulepi64_si128(x4, k1k2, 0x00);
    x1 = _mm_xor_si128(_mm_clmulepi64_si128(x1, k1k2, 0x11), l1);
    x2 = _mm_xor_si128(_mm_clmulepi64_si128(x2, k1k2, 0x11), l2);
    x3 = _mm_xor_si128(_mm_clmulepi64_si128(x3, k1k2, 0x11), l3);
    x4 = _mm_xor_si128(_mm_clmulepi64_si128(x4, k1k2, 0x11), l4);
    x1 = _mm_xor_si128(x1, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    x2 = _mm_xor_si128(x2, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)));
    x3 = _mm_xor_si128(x3, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)));
    x4 = _mm_xor_si128(x4, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)));
  }

  // Four lanes into one, then the remaining whole 16-byte blocks.
  const __m128i lanes[3] = {x2, x3, x4};
  for (const __m128i& next : lanes) {
    const __m128i lo = _mm_clmulepi64_si128(x1, k3k4, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), next), lo);
  }
  for (; n >= 16; p += 16, n -= 16) {
    const __m128i lo = _mm_clmulepi64_si128(x1, k3k4, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), _mm_loadu_si128(reinterpret_cast<const __m128i*>(p))), lo);
  }

  // 128 -> 64 bits.
  __m128i t = _mm_clmulepi64_si128(x1, k3k4, 0x10);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), t);
  t = _mm_srli_si128(x1, 4);
  x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, low32), k5k0, 0x00), t);
  // Barrett reduction to 32 bits.
  t = _mm_clmulepi64_si128(_mm_and_si128(x1, low32), poly, 0x10);
  t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), poly, 0x00);
  x1 = _mm_xor_si128(x1, t);
  const uint32_t c = static_cast<uint32_t>(_mm_extract_epi32(x1, 1));
  // Fewer than 16 bytes remain.
  return ~CrcUpdate(c, p, n);
}

// Chosen once at load: the CPU must have PCLMULQDQ and SSE4.1, the folding must
// agree with the table path on a self-test, and NOVA_NATIVE_CRC_PORTABLE=1 (a
// test hook, read once) must not be set.
bool DetectClmul() {
  const char* force = std::getenv("NOVA_NATIVE_CRC_PORTABLE");
  if (force != nullptr && std::strcmp(force, "1") == 0) return false;
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("pclmul") || !__builtin_cpu_supports("sse4.1")) return false;
  uint8_t probe[kHeaderSize + 301];
  for (size_t i = 0; i < sizeof probe; i++) probe[i] = static_cast<uint8_t>(i * 131u + 7u);
  for (size_t len = kClmulMinPayload; len <= sizeof probe - kHeaderSize; len += 23) {
    if (FrameCrcClmul(probe, len) != FrameCrcPortable(probe, len)) return false;
  }
  return true;
}

const bool kUseClmul = DetectClmul();
#endif

inline uint32_t FrameCrc(const uint8_t* f, size_t len) {
#ifdef NOVA_CRC_CLMUL
  if (kUseClmul && len >= kClmulMinPayload) return FrameCrcClmul(f, len);
#endif
  return FrameCrcPortable(f, len);
}

// ---------------------------------------------------------------------------
// Frame walking; every length is compared with the bytes left before `end`
// by subtraction, so no sum can overflow.

size_t Scan(const uint8_t* b, size_t start, size_t end, uint64_t maxPayload) {
  size_t p = start;
  while (end - p >= kHeaderSize) {
    const uint8_t* f = b + p;
    if (f[0] != 'N' || f[1] != 'O' || f[2] != 'V' || f[3] != 'A' || f[4] != kMajor) break;
    const uint32_t len = LoadLE32(f + kLengthOffset);
    if (len > maxPayload || len > end - p - kHeaderSize) break;
    if (FrameCrc(f, len) != LoadLE32(f + kCrcOffset)) break;
    p += kHeaderSize + len;
  }
  return p;
}

// Returns the frame count, or -1 when the lengths do not tile [start, end).
double Seal(uint8_t* b, size_t start, size_t end) {
  double count = 0;
  for (size_t p = start; p < end; count++) {
    if (end - p < kHeaderSize) return -1;
    const uint32_t len = LoadLE32(b + p + kLengthOffset);
    if (len > end - p - kHeaderSize) return -1;
    p += kHeaderSize + len;
  }
  // The bounds are checked again because shared memory could change between the passes.
  for (size_t p = start; p < end && end - p >= kHeaderSize;) {
    const uint32_t len = LoadLE32(b + p + kLengthOffset);
    if (len > end - p - kHeaderSize) break;
    StoreLE32(b + p + kCrcOffset, FrameCrc(b + p, len));
    p += kHeaderSize + len;
  }
  return count;
}

// ---------------------------------------------------------------------------
// Argument checking: the addon must never index outside the typed array,
// whatever the façade passed.

// Reads buf, start, end (0 <= start <= end <= byteLength).
bool GetRange(Napi::Env env, const Napi::CallbackInfo& info, const char* fn, Bytes* bytes, size_t* start, size_t* end) {
  double s = 0, e = 0;
  if (!GetBytes(env, info, 0, fn, bytes)) return false;
  const double len = static_cast<double>(bytes->length);
  if (!GetInteger(env, info, 1, fn, "start", len, &s) || !GetInteger(env, info, 2, fn, "end", len, &e)) return false;
  if (s > e) {
    Napi::RangeError::New(env, std::string(fn) + ": start must not exceed end").ThrowAsJavaScriptException();
    return false;
  }
  *start = static_cast<size_t>(s);
  *end = static_cast<size_t>(e);
  return true;
}

}  // namespace

Napi::Value ScanFrames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes bytes{};
  size_t start = 0, end = 0;
  double maxPayload = 0;
  if (!GetRange(env, info, "scanFrames", &bytes, &start, &end)) return env.Undefined();
  if (!GetInteger(env, info, 3, "scanFrames", "maxPayload", 4294967295.0, &maxPayload)) return env.Undefined();
  if (start == end) return Napi::Number::New(env, static_cast<double>(start));
  const size_t stop = Scan(bytes.data, start, end, static_cast<uint64_t>(maxPayload));
  return Napi::Number::New(env, static_cast<double>(stop));
}

Napi::Value SealFrames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes bytes{};
  size_t start = 0, end = 0;
  if (!GetRange(env, info, "sealFrames", &bytes, &start, &end)) return env.Undefined();
  if (start == end) return Napi::Number::New(env, 0);
  return Napi::Number::New(env, Seal(bytes.data, start, end));
}

}  // namespace nova
