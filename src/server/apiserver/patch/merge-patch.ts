/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`), as evanphx/json-patch v4 `MergePatch`
 * applies it for the apiserver: objects merge recursively, `null` deletes a key (and nulls inside
 * newly added values are dropped), arrays and scalars replace. A `null`, scalar or malformed patch
 * is 400 `Invalid JSON Patch`; an array patch replaces the whole document, which can never be a
 * valid object (422).
 */
import { badRequest } from "../../../shared/api/status.js";
import { isObject, setField, type Json, type JsonObject } from "./json.js";
import { invalidPatchResult } from "./errors.js";

/** evanphx's `errBadJSONPatch` text. */
const ERR_BAD_JSON_PATCH = "Invalid JSON Patch";

/**
 * Applies a parsed merge patch to `doc` and returns the new object; `doc` is not modified.
 *
 * @example applyMergePatch(pod, { metadata: { labels: { tier: "backend", old: null } } })
 */
export function applyMergePatch<T extends object = JsonObject>(doc: T, patch: unknown): T {
  if (Array.isArray(patch)) {
    throw invalidPatchResult(pruneNulls(patch as Json), "json: cannot unmarshal array into Go value of type map[string]interface {}");
  }
  if (!isObject(patch)) throw badRequest(ERR_BAD_JSON_PATCH);
  return mergeObjects(structuredClone(doc) as JsonObject, patch) as T;
}

function mergeObjects(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
    } else if (Object.hasOwn(target, key) && isObject(target[key])) {
      // evanphx merges into an existing object; a non-object value replaces it untouched.
      setField(target, key, isObject(value) ? mergeObjects(target[key] as JsonObject, value) : structuredClone(value));
    } else {
      setField(target, key, pruneNulls(structuredClone(value)));
    }
  }
  return target;
}

/** Drops null members of objects (and null elements of arrays), recursively, as evanphx does for added values. */
function pruneNulls(v: Json): Json {
  if (Array.isArray(v)) return v.filter((e) => e !== null).map(pruneNulls);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, e] of Object.entries(v)) if (e !== null) setField(out, k, pruneNulls(e));
    return out;
  }
  return v;
}
