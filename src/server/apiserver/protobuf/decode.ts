/**
 * Table-driven protobuf → JSON decoding of Kubernetes API messages, with protobufjs' `Reader`.
 *
 * The result is what upstream's apiserver gets by decoding the message into the Go struct and marshalling
 * it with encoding/json: gogo-protobuf fills absent non-pointer fields with zero values, and `omitempty`
 * then drops the zero scalars, nil slices and nil maps, while non-pointer structs are always emitted
 * (`status: {}`, `creationTimestamp: null`) and pointer fields keep zero values (`replicas: 0`).
 */
import protobuf from "protobufjs/minimal.js";
import { ApiError, badRequest } from "../../../shared/api/status.js";
import { messageSpec, type FieldSpec, type MessageSpec } from "./schema.js";
import {
  WIRE_BYTES,
  WIRE_FIXED32,
  WIRE_FIXED64,
  WIRE_VARINT,
  decodeDuration,
  decodeIntOrString,
  decodeMicroTime,
  decodeQuantity,
  decodeRawJSON,
  decodeTime,
  int64ToNumber,
} from "./wellknown.js";

type Reader = protobuf.Reader;
type Json = Record<string, unknown>;

/** Nesting limit: real objects are < 20 deep; a hostile body must not exhaust the stack. */
const MAX_DEPTH = 100;

const SCALAR_WIRE: Readonly<Record<string, number>> = {
  string: WIRE_BYTES,
  bytes: WIRE_BYTES,
  bool: WIRE_VARINT,
  int32: WIRE_VARINT,
  int64: WIRE_VARINT,
  uint32: WIRE_VARINT,
  uint64: WIRE_VARINT,
  double: WIRE_FIXED64,
  float: WIRE_FIXED32,
};

/** The zero value Go would marshal for an absent non-pointer, non-slice field of `type`. */
function zeroValue(type: string, depth: number): unknown {
  switch (type) {
    case "string":
      return "";
    case "bool":
      return false;
    case "int32":
    case "int64":
    case "uint32":
    case "uint64":
    case "double":
    case "float":
      return 0;
    case "bytes":
    case "@Time":
    case "@MicroTime":
    case "@RawExtension":
    case "@FieldsV1":
      return null;
    case "@Duration":
      return "0s";
    case "@Quantity":
      return "0";
    case "@IntOrString":
      return 0;
  }
  if (type.startsWith("@List:")) return null;
  return emitMessage(requireSpec(type), new Map(), depth + 1);
}

function isZero(v: unknown): boolean {
  return v === "" || v === 0 || v === false || v === null;
}

function requireSpec(type: string): MessageSpec {
  const spec = messageSpec(type);
  if (!spec) throw new Error(`protobuf schema: no message ${type}`); // a table bug, not a client error
  return spec;
}

function readScalar(reader: Reader, type: string): unknown {
  switch (type) {
    case "string":
      return reader.string();
    case "bytes": {
      const b = reader.bytes();
      return Buffer.from(b.buffer, b.byteOffset, b.length).toString("base64");
    }
    case "bool":
      return reader.bool();
    case "int32":
      return reader.int32();
    case "uint32":
      return reader.uint32();
    case "int64":
      return int64ToNumber(reader.int64());
    case "uint64":
      return int64ToNumber(reader.uint64());
    case "double":
      return reader.double();
    case "float":
      return reader.float();
  }
  throw new Error(`protobuf schema: unknown scalar ${type}`);
}

/** Reads one length-delimited value of a non-scalar `type` (message, well-known type, or named list). */
function readEmbedded(reader: Reader, type: string, depth: number): unknown {
  const len = reader.uint32();
  const end = reader.pos + len;
  if (end > reader.len) throw badRequest("protobuf: truncated message");
  switch (type) {
    case "@Time":
      return decodeTime(reader, end);
    case "@MicroTime":
      return decodeMicroTime(reader, end);
    case "@Duration":
      return decodeDuration(reader, end);
    case "@Quantity":
      return decodeQuantity(reader, end);
    case "@IntOrString":
      return decodeIntOrString(reader, end);
    case "@RawExtension":
      return decodeRawJSON(reader, end, "RawExtension");
    case "@FieldsV1":
      return decodeRawJSON(reader, end, "FieldsV1");
  }
  if (type.startsWith("@List:")) {
    const items: unknown[] = [];
    readFields(reader, end, (no, wt) => {
      if (no !== 1) return false;
      readRepeatedInto(items, reader, type.slice(6), wt, depth);
      return true;
    });
    return items.length ? items : null; // an empty list decodes to a nil slice
  }
  if (depth > MAX_DEPTH) throw badRequest("protobuf: message nesting is too deep");
  return decodeMessageFields(reader, end, requireSpec(type), depth + 1);
}

function readFields(reader: Reader, end: number, onField: (no: number, wireType: number) => boolean): void {
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wt = tag & 7;
    if (!onField(tag >>> 3, wt)) reader.skipType(wt);
  }
  if (reader.pos !== end) throw badRequest("protobuf: a nested message overruns its declared length");
}

function isScalar(type: string): boolean {
  return type in SCALAR_WIRE;
}

/** Appends one occurrence of a repeated field; scalars may arrive packed. */
function readRepeatedInto(out: unknown[], reader: Reader, type: string, wt: number, depth: number): void {
  if (isScalar(type)) {
    const want = SCALAR_WIRE[type];
    if (wt === want) out.push(readScalar(reader, type));
    else if (wt === WIRE_BYTES && want !== WIRE_BYTES) {
      const end = reader.uint32() + reader.pos;
      while (reader.pos < end) out.push(readScalar(reader, type));
      if (reader.pos !== end) throw badRequest("protobuf: truncated packed field");
    } else throw badRequest(`protobuf: wrong wire type ${wt} for a ${type} field`);
    return;
  }
  if (wt !== WIRE_BYTES) throw badRequest(`protobuf: wrong wire type ${wt} for a message field`);
  out.push(readEmbedded(reader, type, depth));
}

function readSingle(reader: Reader, f: FieldSpec, wt: number, depth: number): unknown {
  if (isScalar(f.type)) {
    if (wt !== SCALAR_WIRE[f.type]) throw badRequest(`protobuf: wrong wire type ${wt} for field ${f.json || f.type} (${f.type})`);
    return readScalar(reader, f.type);
  }
  if (wt !== WIRE_BYTES) throw badRequest(`protobuf: wrong wire type ${wt} for field ${f.json || f.type}`);
  return readEmbedded(reader, f.type, depth);
}

/** A map entry message `{key = 1, value = 2}`; an absent value is the type's zero value, as in Go. */
function readMapEntry(reader: Reader, f: FieldSpec, wt: number, depth: number, into: Map<string, unknown>): void {
  if (wt !== WIRE_BYTES) throw badRequest(`protobuf: wrong wire type ${wt} for map field ${f.json}`);
  const end = reader.uint32() + reader.pos;
  if (end > reader.len) throw badRequest("protobuf: truncated message");
  let key = "";
  let value: unknown;
  let seen = false;
  readFields(reader, end, (no, w) => {
    if (no === 1 && w === WIRE_BYTES) key = reader.string();
    else if (no === 2) {
      value = readSingle(reader, f, w, depth);
      seen = true;
    } else return false;
    return true;
  });
  into.set(key, seen ? value : f.type === "bytes" ? "" : zeroValue(f.type, depth));
}

/** Decoded occurrences by field number: one value, a list (repeated) or a key → value map. */
type FieldValues = Map<number, unknown>;

function decodeMessageFields(reader: Reader, end: number, spec: MessageSpec, depth: number): Json {
  const values: FieldValues = new Map();
  readFields(reader, end, (no, wt) => {
    const f = spec.byNumber.get(no);
    if (!f) return false; // unknown field numbers are skipped, as gogo does
    if (f.repeated) {
      let list = values.get(no) as unknown[] | undefined;
      if (!list) values.set(no, (list = []));
      readRepeatedInto(list, reader, f.type, wt, depth);
    } else if (f.map) {
      let m = values.get(no) as Map<string, unknown> | undefined;
      if (!m) values.set(no, (m = new Map()));
      readMapEntry(reader, f, wt, depth, m);
    } else values.set(no, readSingle(reader, f, wt, depth)); // last one wins
    return true;
  });
  return emitMessage(spec, values, depth);
}

/** Builds the Go encoding/json view of a decoded message, field by field in struct order. */
function emitMessage(spec: MessageSpec, values: FieldValues, depth: number): Json {
  const out: Json = {};
  for (const f of spec.fields) {
    const present = values.has(f.no);
    const v = values.get(f.no);
    if (f.repeated || f.map) {
      const size = !present ? 0 : f.repeated ? (v as unknown[]).length : (v as Map<string, unknown>).size;
      if (size === 0) {
        if (!f.omitEmpty) out[f.json] = null; // a nil slice or map
        continue;
      }
      out[f.json] = f.repeated ? v : sortedObject(v as Map<string, unknown>);
      continue;
    }
    if (f.pointer) {
      if (!present) {
        if (!f.omitEmpty && !f.inline) out[f.json] = null;
        continue;
      }
      if (f.inline) Object.assign(out, v);
      else out[f.json] = v;
      continue;
    }
    const value = present ? v : zeroValue(f.type, depth);
    if (f.inline) {
      Object.assign(out, value);
      continue;
    }
    // omitempty never drops a struct; scalars, bytes and named lists are dropped when zero or empty.
    const struct = !isScalar(f.type) && !f.type.startsWith("@List:");
    if (f.omitEmpty && !struct && (isZero(value) || (f.type === "bytes" && value === ""))) continue;
    out[f.json] = value;
  }
  return out;
}

function sortedObject(m: Map<string, unknown>): Json {
  const out: Json = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k);
  return out;
}

/**
 * Decodes `bytes` as the message `messageName` into upstream's JSON form.
 *
 * @example decodeMessage("core.v1.ConfigMap", raw) // { metadata: { name: "x", creationTimestamp: null }, data: {...} }
 */
export function decodeMessage(messageName: string, bytes: Uint8Array): Json {
  const spec = requireSpec(messageName);
  const reader = protobuf.Reader.create(bytes);
  try {
    return decodeMessageFields(reader, bytes.length, spec, 0);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    // protobufjs throws RangeError past the end of the buffer and Error on an invalid wire type.
    const why = e instanceof RangeError ? "truncated" : (e as Error).message;
    throw badRequest(`protobuf: cannot decode ${messageName.split(".").pop()}: ${why}`);
  }
}
