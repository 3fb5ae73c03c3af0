/**
 * RFC 6902 JSON patch (`application/json-patch+json`) with the apiserver's error behaviour
 * (`handlers/patch.go` `applyJSPatch`, evanphx/json-patch v4 underneath):
 * - a body that is not a list of operation objects → 400 BadRequest (Go's decode error text);
 * - more than 10000 operations → 413;
 * - an operation that fails (a `test` that does not match, a missing path, an unknown op) → 422
 *   Invalid with upstream's generic message.
 */
import jsonpatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import { ApiError, badRequest } from "../../../shared/api/status.js";
import { goJsonKind, isObject, type JsonObject } from "./json.js";
import { invalidPatchResult, jsonPatchApplyFailed } from "./errors.js";

/** Upstream `maxJSONPatchOperations`: bounds the work one request can ask for. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * Applies a parsed JSON patch document to `doc` and returns the new object; `doc` is not modified.
 *
 * @example applyJsonPatch(deploy, [{ op: "test", path: "/spec/replicas", value: 1 }, { op: "replace", path: "/spec/replicas", value: 2 }])
 */
export function applyJsonPatch<T extends object = JsonObject>(doc: T, patch: unknown): T {
  const ops = decodeOperations(patch);
  let result: unknown;
  try {
    result = jsonpatch.applyPatch(structuredClone(doc), ops, true, true, true).newDocument;
  } catch (e) {
    // fast-json-patch throws JsonPatchError for failed operations and TypeError for banned
    // __proto__ paths; both are failures of the patch, not of the server.
    if (e instanceof Error) throw jsonPatchApplyFailed();
    throw e;
  }
  if (!isObject(result)) throw invalidPatchResult(result, `json: cannot unmarshal ${goJsonKind(result)} into Go value of type map[string]interface {}`);
  return result as T;
}

/** Checks the shape evanphx's `DecodePatch` checks (a JSON array of objects) and the size limit. */
function decodeOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw badRequest(`json: cannot unmarshal ${goJsonKind(patch)} into Go value of type jsonpatch.Patch`);
  for (const op of patch) {
    if (!isObject(op)) throw badRequest(`json: cannot unmarshal ${goJsonKind(op)} into Go value of type jsonpatch.Operation`);
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError(413, "RequestEntityTooLarge", `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  return patch as unknown as Operation[];
}
