/**
 * Request bodies: read with a size cap, then decode JSON, YAML or Kubernetes protobuf into an object.
 */
import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { ApiError, badRequest, tooLarge, unsupportedMediaType } from "../../shared/api/status.js";
import { decodeProtobufBody, PROTOBUF_CONTENT_TYPE } from "./protobuf/index.js";
import { bodyMediaType } from "./negotiation.js";

/** Upstream's limit for request bodies (apiserver `MaxRequestBodyBytes`, 3 MiB, etcd's object size). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

export const OBJECT_MEDIA_TYPES = ["application/json", "application/yaml", PROTOBUF_CONTENT_TYPE];

/** Reads the whole body, failing with 413 as soon as it exceeds `limit` (the rest is discarded). */
export function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}

export interface DecodedBody {
  object: Record<string, unknown>;
  /** The JSON text the object came from (for duplicate-field detection), when the body was JSON. */
  json?: string;
}

/** Decodes an object body by Content-Type; `expectedKind` names the type in errors. */
export function decodeObjectBody(body: Buffer, contentType: string | undefined, expectedKind: string): DecodedBody {
  const mt = bodyMediaType(contentType);
  if (body.length === 0) throw badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): the body is empty`);
  let value: unknown;
  let json: string | undefined;
  if (mt === "" || mt === "application/json" || mt === "*/*") {
    json = body.toString("utf8");
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  } else if (mt === "application/yaml") {
    try {
      value = parseYaml(body.toString("utf8"), { uniqueKeys: true, maxAliasCount: 100 });
    } catch (err) {
      throw badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): error converting YAML to JSON: ${(err as Error).message.split("\n")[0]}`);
    }
  } else if (mt === PROTOBUF_CONTENT_TYPE) {
    try {
      value = decodeProtobufBody(body).object;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): ${(err as Error).message}`);
    }
  } else {
    throw unsupportedMediaType(mt, OBJECT_MEDIA_TYPES);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): body must be a JSON object`);
  }
  return { object: value as Record<string, unknown>, json };
}
