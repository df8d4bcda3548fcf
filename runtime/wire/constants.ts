/**
 * Fixed numbers of the NOVA wire format, version 1.0 (idl/WIRE.md).
 * Everything that a compatible peer must agree on lives here, so the
 * encoder, the decoders and the docs cannot drift apart silently.
 */

/** The four magic bytes "N" "O" "V" "A" at offset 0 of every frame. */
export const MAGIC = Uint8Array.of(0x4e, 0x4f, 0x56, 0x41);
/** The magic read as a little-endian u32 (bytes N O V A => 0x41564f4e). */
export const MAGIC_U32_LE = 0x41564f4e;
/** Size of the fixed header in bytes. */
export const HEADER_SIZE = 40;
/** The major version this implementation writes and reads. */
export const VERSION_MAJOR = 1;
/** The minor version this implementation writes; any minor of major 1 is read. */
export const VERSION_MINOR = 0;
/** Default limit on a frame's payload length and on a decompressed section. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
/** Hard ceiling for the configurable limit: the payload length field is a u32. */
export const MAX_MESSAGE_SIZE_LIMIT = 0xffff_ffff;

/** Byte offsets of the header fields. */
export const Offset = {
  magic: 0,
  versionMajor: 4,
  versionMinor: 5,
  messageType: 6,
  flags: 7,
  messageId: 8,
  correlationId: 16,
  timestampNs: 24,
  payloadLength: 32,
  crc: 36,
} as const;

/**
 * Bits of header byte 7 (the high byte of the u16 "message type" field).
 * The low byte (byte 6) is the type code; see idl/WIRE.md "Flags".
 */
export const Flag = {
  /** Bits 0..1: payload format code (0 msgpack, 1 json; 2, 3 reserved). */
  formatMask: 0x03,
  formatShift: 0,
  /** Bits 2..3: compression code (0 none, 1 lz4, 2 zstd; 3 reserved). */
  compressionMask: 0x0c,
  compressionShift: 2,
  /** Bit 4: the payload ends with a MAC trailer (reserved for the security layer). */
  macTrailer: 0x10,
  /** Bit 5: the body is encrypted (reserved for the security layer). */
  encrypted: 0x20,
  /** Bits 6..7: reserved, must be zero. */
  reservedMask: 0xc0,
} as const;

/** Format codes of flag bits 0..1. */
export const FORMAT_CODES = ["msgpack", "json"] as const;
/** Compression codes of flag bits 2..3. */
export const COMPRESSION_CODES = ["none", "lz4", "zstd"] as const;

/** Size of the Heartbeat body (spec 4.3.2): pid u64, load f32, memory u64, uptime u64. */
export const HEARTBEAT_BODY_SIZE = 28;
/** Largest u16: the limit on method and event-type names in UTF-8 bytes. */
export const MAX_NAME_BYTES = 0xffff;
/** Largest u64 value. */
export const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** Largest u32 (the body's u32 fields). */
export const U32_MAX = 0xffff_ffff;
