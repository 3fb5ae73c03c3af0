/**
 * Protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`), which kubectl ≥ 1.32 sends
 * from its typed clients. A body is the 4-byte magic `k8s\0` followed by a `runtime.Unknown` message
 * `{typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3, contentType = 4}` whose `raw`
 * holds the object message. The API layer decodes it here into the JSON upstream would have produced,
 * then handles the request exactly as a JSON one.
 */
import protobuf from "protobufjs/minimal.js";
import { ApiError, badRequest } from "../../../shared/api/status.js";
import { decodeMessage } from "./decode.js";
import { requestMessageFor } from "./schema.js";
import { WIRE_BYTES } from "./wellknown.js";

export const PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

/** The 4-byte prefix of every Kubernetes protobuf body ("k8s" then a zero byte). */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export interface DecodedBody {
  apiVersion: string;
  kind: string;
  /** The object as upstream's JSON, `kind` and `apiVersion` first. */
  object: Record<string, unknown>;
}

/**
 * True when a request's Content-Type names the Kubernetes protobuf media type (parameters ignored).
 *
 * @example isProtobufContentType("application/vnd.kubernetes.protobuf; charset=utf-8") // true
 */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase() === PROTOBUF_CONTENT_TYPE;
}

interface Unknown {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

function readUnknown(body: Uint8Array): Unknown {
  const u: Unknown = { apiVersion: "", kind: "", raw: new Uint8Array(0), contentEncoding: "", contentType: "" };
  const reader = protobuf.Reader.create(body);
  reader.pos = MAGIC.length;
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const no = tag >>> 3;
      const wt = tag & 7;
      if (wt !== WIRE_BYTES || no < 1 || no > 4) {
        reader.skipType(wt);
        continue;
      }
      if (no === 1) {
        const end = reader.uint32() + reader.pos;
        if (end > reader.len) throw new RangeError("typeMeta");
        while (reader.pos < end) {
          const t = reader.uint32();
          if (t === ((1 << 3) | WIRE_BYTES)) u.apiVersion = reader.string();
          else if (t === ((2 << 3) | WIRE_BYTES)) u.kind = reader.string();
          else reader.skipType(t & 7);
        }
        if (reader.pos !== end) throw new RangeError("typeMeta");
      } else if (no === 2) u.raw = reader.bytes();
      else if (no === 3) u.contentEncoding = reader.string();
      else u.contentType = reader.string();
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw badRequest(`the protobuf request body is truncated or malformed: ${(e as Error).message}`);
  }
  return u;
}

/**
 * Decodes a Kubernetes protobuf request body into the object's upstream JSON form.
 * Throws ApiError 400 (not a protobuf body, truncated, malformed) or 415 (a kind or encoding kube-lite
 * cannot decode from protobuf; the client may send it as JSON).
 *
 * @example
 * if (isProtobufContentType(req.headers["content-type"])) {
 *   const { kind, object } = decodeProtobufBody(body); // object: { kind: "ConfigMap", apiVersion: "v1", metadata: {...}, data: {...} }
 * }
 */
export function decodeProtobufBody(body: Buffer): DecodedBody {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix ${JSON.stringify(MAGIC.toString("latin1"))}`);
  }
  const u = readUnknown(body);
  if (u.contentEncoding) throw unsupported(`protobuf bodies with contentEncoding "${u.contentEncoding}" are not supported`);
  if (u.contentType && u.contentType !== PROTOBUF_CONTENT_TYPE) throw unsupported(`protobuf envelopes carrying "${u.contentType}" are not supported`);
  if (!u.kind || !u.apiVersion) throw badRequest("the protobuf request body has no apiVersion or kind in its typeMeta");
  const message = requestMessageFor(u.apiVersion, u.kind);
  if (!message) throw unsupported(`kube-lite cannot decode kind "${u.kind}" in "${u.apiVersion}" from protobuf; send it as application/json`);
  const fields = decodeMessage(message, u.raw);
  return { apiVersion: u.apiVersion, kind: u.kind, object: { kind: u.kind, apiVersion: u.apiVersion, ...fields } };
}

function unsupported(message: string): ApiError {
  return new ApiError(415, "UnsupportedMediaType", message, {});
}
