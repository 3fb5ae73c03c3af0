/**
 * Types with their own protobuf and JSON codecs upstream (apimachinery's Time, MicroTime, Duration,
 * Quantity, IntOrString, RawExtension, FieldsV1): wire message → the JSON value Go's encoding/json emits.
 */
import protobuf from "protobufjs/minimal.js";
import { badRequest } from "../../../shared/api/status.js";

type Reader = protobuf.Reader;

/** Wire types (protobuf encoding spec). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/** Seconds since the epoch of Go's zero `time.Time` (0001-01-01T00:00:00Z); `IsZero()` times marshal as JSON null. */
const GO_ZERO_TIME_SECONDS = -62135596800;

/** int64 from protobufjs (a Long when `long` is installed) as a JS number; exact up to 2^53, as JSON clients read it. */
export function int64ToNumber(v: unknown): number {
  return typeof v === "number" ? v : Number(String(v));
}

/** Reads the fields of a sub-message occupying `reader` up to `end`, calling `onField` for the numbers it knows. */
function eachField(reader: Reader, end: number, onField: (no: number, wireType: number) => boolean): void {
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (!onField(tag >>> 3, tag & 7)) reader.skipType(tag & 7);
  }
  if (reader.pos !== end) throw badRequest("protobuf: a nested message overruns its declared length");
}

function timestamp(reader: Reader, end: number): { seconds: number; nanos: number } {
  let seconds = 0;
  let nanos = 0;
  eachField(reader, end, (no, wt) => {
    if (wt !== WIRE_VARINT) return false;
    if (no === 1) seconds = int64ToNumber(reader.int64());
    else if (no === 2) nanos = reader.int32();
    else return false;
    return true;
  });
  return { seconds, nanos };
}

function rfc3339(seconds: number, fraction: string): string {
  const iso = new Date(seconds * 1000).toISOString(); // 2006-01-02T15:04:05.000Z
  return `${iso.slice(0, 19)}${fraction}Z`;
}

/**
 * `metav1.Time`: an empty message is the zero time (JSON null); nanos are dropped, as upstream's decoder does.
 *
 * @example decodeTime(reader, end) // "2026-01-02T03:04:05Z"
 */
export function decodeTime(reader: Reader, end: number): string | null {
  if (reader.pos === end) return null;
  const { seconds } = timestamp(reader, end);
  return seconds === GO_ZERO_TIME_SECONDS ? null : rfc3339(seconds, "");
}

/** `metav1.MicroTime`: like Time with microseconds always printed (`RFC3339Micro`). */
export function decodeMicroTime(reader: Reader, end: number): string | null {
  if (reader.pos === end) return null;
  const { seconds, nanos } = timestamp(reader, end);
  const micros = Math.floor(nanos / 1000);
  if (seconds === GO_ZERO_TIME_SECONDS && micros === 0) return null;
  return rfc3339(seconds, "." + String(micros).padStart(6, "0"));
}

/** `metav1.Duration{duration int64 ns}` → Go's `time.Duration.String()` ("1h2m3.5s", "150ms", "0s"). */
export function decodeDuration(reader: Reader, end: number): string {
  let ns = 0n;
  eachField(reader, end, (no, wt) => {
    if (no !== 1 || wt !== WIRE_VARINT) return false;
    ns = BigInt(String(reader.int64()));
    return true;
  });
  return goDurationString(ns);
}

/** Go's fmtFrac: `v / 10^prec` with trailing zeros (and a bare dot) removed. */
function withFraction(v: bigint, prec: number): string {
  const unit = 10n ** BigInt(prec);
  const frac = (v % unit).toString().padStart(prec, "0").replace(/0+$/, "");
  return `${v / unit}${frac ? "." + frac : ""}`;
}

/**
 * Formats nanoseconds exactly as Go's `time.Duration.String()`.
 *
 * @example goDurationString(90_000_000_000n) // "1m30s"
 */
export function goDurationString(ns: bigint): string {
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  let out: string;
  if (u === 0n) return "0s";
  if (u < 1000n) out = `${u}ns`;
  else if (u < 1_000_000n) out = `${withFraction(u, 3)}\u00b5s`;
  else if (u < 1_000_000_000n) out = `${withFraction(u, 6)}ms`;
  else {
    const secs = u / 1_000_000_000n;
    const s = `${withFraction(u % 60_000_000_000n, 9)}s`;
    const h = secs / 3600n;
    const m = (secs / 60n) % 60n;
    out = h > 0n ? `${h}h${m}m${s}` : m > 0n ? `${m}m${s}` : s;
  }
  return neg ? "-" + out : out;
}

/**
 * `resource.Quantity{string = 1}` → its string. kubectl sends the canonical form; an empty message is zero ("0").
 * An explicitly empty string fails, as upstream's ParseQuantity does.
 */
export function decodeQuantity(reader: Reader, end: number): string {
  let s: string | undefined;
  eachField(reader, end, (no, wt) => {
    if (no !== 1 || wt !== WIRE_BYTES) return false;
    s = reader.string();
    return true;
  });
  if (s === undefined) return "0";
  if (!/^[+-]?[0-9.]+[eEinumkKMGTP]*[-+]?[0-9]*$/.test(s)) throw badRequest(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': "${s}"`);
  return s;
}

/** `intstr.IntOrString{type = 1, intVal = 2, strVal = 3}` → a number (type 0) or a string (type 1). */
export function decodeIntOrString(reader: Reader, end: number): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = "";
  eachField(reader, end, (no, wt) => {
    if (no === 1 && wt === WIRE_VARINT) type = int64ToNumber(reader.int64());
    else if (no === 2 && wt === WIRE_VARINT) intVal = reader.int32();
    else if (no === 3 && wt === WIRE_BYTES) strVal = reader.string();
    else return false;
    return true;
  });
  if (type === 0) return intVal;
  if (type === 1) return strVal;
  throw badRequest(`protobuf: impossible IntOrString.Type ${type}`);
}

/**
 * `runtime.RawExtension{raw = 1}` and `metav1.FieldsV1{Raw = 1}`: raw JSON bytes → the parsed value (null when
 * absent). `what` names the field for error messages.
 */
export function decodeRawJSON(reader: Reader, end: number, what: string): unknown {
  let raw: Uint8Array | undefined;
  eachField(reader, end, (no, wt) => {
    if (no !== 1 || wt !== WIRE_BYTES) return false;
    raw = reader.bytes();
    return true;
  });
  if (raw === undefined) return null;
  if (raw.length === 0) return null;
  try {
    return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString("utf8"));
  } catch {
    throw badRequest(`protobuf: ${what} does not hold JSON (only JSON raw content is supported)`);
  }
}
