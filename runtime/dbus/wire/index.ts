/**
 * Our own D-Bus wire codec (D-Bus specification, "Message Protocol"):
 * signatures, values of every type in both byte orders, messages, stream
 * framing with descriptors, and GVariant text output. See runtime/dbus/README.md.
 */
export { MAX_CONTAINER_NESTING, MAX_SIGNATURE_LENGTH, MAX_TOTAL_NESTING, isValidSignature, parseSignature, parseSingleType, type SigType, type Signature } from "./signature.js";
export { Variant } from "./variant.js";
export { MAX_ARRAY_BYTES, MAX_MESSAGE_BYTES, WireWriter, encodeBody } from "./encoder.js";
export { WireReader, decodeBody } from "./decoder.js";
export { MessageFlags, encodeMessage, writeMessage, type DbusMessage, type DbusMessageType } from "./message.js";
export { decodeMessage, messageLength, readMessage } from "./message-decode.js";
export { MessageReader } from "./message-reader.js";
export { formatBody, formatValue } from "./format.js";
export { isBusName, isInterfaceName, isMemberName, isObjectPath } from "./names.js";
