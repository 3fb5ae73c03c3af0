/**
 * The patch engine's one entry: decode a PATCH body by its Content-Type and apply it to the live
 * object. Pure: no I/O, no clock unless `now` is left out. The apiserver runs it inside its
 * compare-and-swap loop and stores the result.
 */
import { parse as parseYaml } from "yaml";
import { ApiError, badRequest, notFound, unsupportedMediaType } from "../../../shared/api/status.js";
import type { KubeObject, ManagedFieldsEntry } from "../../../shared/api/types.js";
import { isObject, goJsonKind, type JsonObject } from "./json.js";
import { applyJsonPatch } from "./json-patch.js";
import { applyMergePatch } from "./merge-patch.js";
import { applyStrategicMergePatch } from "./strategic-merge-patch.js";
import { applyServerSide, updateManagedFields } from "./server-side-apply.js";

export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from "./json-patch.js";
export { applyMergePatch } from "./merge-patch.js";
export { applyStrategicMergePatch } from "./strategic-merge-patch.js";
export { applyServerSide, updateManagedFields, type ApplyOptions, type ApplyResult, type UpdateManagedFieldsOptions } from "./server-side-apply.js";
export { FieldSet, formatPath } from "./field-set.js";
export { LAST_APPLIED_ANNOTATION } from "./last-applied.js";
export { rootTypeOf, schemaAt, fieldSchema, type FieldSchema, type TypeSchema } from "./merge-keys.js";

export const JSON_PATCH = "application/json-patch+json";
export const MERGE_PATCH = "application/merge-patch+json";
export const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
export const APPLY_PATCH_YAML = "application/apply-patch+yaml";

/** Patch types of built-in kinds, in upstream's order (used in the 415 message). */
export const BUILTIN_PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH_YAML] as const;
/** Patch types of kinds we have no field table for (custom resources): no strategic merge patch. */
export const CUSTOM_PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH_YAML] as const;

export interface PatchOptions {
  /** Kind of the object being patched (selects the strategic-merge and apply type tables). */
  kind: string;
  /** False for kinds we do not know the Go types of (custom resources): SMP is refused with 415. Default true. */
  builtinKind?: boolean;
  /** API version of the request, e.g. "apps/v1" (recorded in managedFields). */
  apiVersion: string;
  /** `fieldManager` query parameter. Required for apply (the handler answers 422 without it). */
  manager?: string;
  /** `force` query parameter (apply only). */
  force?: boolean;
  /** Subresource written ("status"), empty for the main resource. */
  subresource?: string;
  /** Field paths the endpoint resets and does not track (see `ApplyOptions.ignoredFields`). */
  ignoredFields?: string[][];
  /** For the 404 of a non-apply patch on a missing object: API group, plural and name. */
  group?: string;
  resource?: string;
  name?: string;
  now?: Date | string;
}

export interface PatchOutcome {
  /** The patched object (for apply: with managedFields). */
  object: KubeObject;
  /** True when apply created the object (there was no live object). */
  created: boolean;
  /** managedFields after the write (when a manager was given). */
  managedFields?: ManagedFieldsEntry[];
}

/**
 * The media type of a Content-Type header, without parameters, lower-cased.
 *
 * @example patchMediaType("application/merge-patch+json; charset=utf-8") // "application/merge-patch+json"
 */
export function patchMediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * Applies a PATCH body to `live` according to its Content-Type.
 *
 * - json/merge/strategic patches need `live` (a missing object is 404, as upstream) and record an
 *   `Update` managedFields entry when `manager` is given;
 * - apply patches create the object when `live` is undefined and record an `Apply` entry;
 * - any other Content-Type, or strategic merge patch on a non-built-in kind, is 415.
 *
 * @example
 * const { object } = applyPatch("application/merge-patch+json", pod, '{"metadata":{"labels":{"tier":null}}}',
 *   { kind: "Pod", apiVersion: "v1", manager: "kubectl-label" });
 */
export function applyPatch(contentType: string | undefined, live: KubeObject | undefined, patchBody: Buffer | string, opts: PatchOptions): PatchOutcome {
  const mediaType = patchMediaType(contentType);
  const accepted: readonly string[] = opts.builtinKind === false ? CUSTOM_PATCH_TYPES : BUILTIN_PATCH_TYPES;
  if (!accepted.includes(mediaType)) throw unsupportedMediaType(mediaType, [...accepted]);
  const text = typeof patchBody === "string" ? patchBody : patchBody.toString("utf8");

  if (mediaType === APPLY_PATCH_YAML) {
    const applied = decodeApplyBody(text);
    const result = applyServerSide({
      live,
      applied,
      manager: opts.manager ?? "",
      force: opts.force ?? false,
      apiVersion: opts.apiVersion,
      kind: opts.kind,
      subresource: opts.subresource,
      ignoredFields: opts.ignoredFields,
      now: opts.now,
    });
    return { object: result.object, created: live === undefined, managedFields: result.managedFields };
  }

  const patch = decodeJsonBody(text);
  if (live === undefined) {
    throw opts.resource ? notFound(opts.group ?? "", opts.resource, opts.name ?? "") : new ApiError(404, "NotFound", "the server could not find the requested resource", {});
  }
  let patched: KubeObject;
  if (mediaType === JSON_PATCH) patched = applyJsonPatch(live, patch);
  else if (mediaType === MERGE_PATCH) patched = applyMergePatch(live, patch);
  else patched = applyStrategicMergePatch(live, patch, opts.kind);
  if (!isObject(patched.metadata)) (patched as { metadata: unknown }).metadata = {};

  if (!opts.manager) return { object: patched, created: false };
  const recorded = updateManagedFields({
    old: live,
    updated: patched,
    manager: opts.manager,
    apiVersion: opts.apiVersion,
    kind: opts.kind,
    subresource: opts.subresource,
    ignoredFields: opts.ignoredFields,
    now: opts.now,
  });
  return { object: recorded.object, created: false, managedFields: recorded.managedFields };
}

/** Upstream `validateAndTranscodePatch`: JSON patch types must be valid JSON. */
function decodeJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("invalid JSON patch");
  }
}

/** An apply body is YAML (JSON is YAML) holding one object. */
export function decodeApplyBody(text: string): JsonObject {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw badRequest(`error encoding patch: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!isObject(value)) throw badRequest(`error decoding patch: json: cannot unmarshal ${goJsonKind(value)} into Go value of type map[string]interface {}`);
  return value;
}
