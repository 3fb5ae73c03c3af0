/**
 * PATCH requests: the patch engine (./patch) applies the body to the live object inside the store's
 * compare-and-swap loop (so a concurrent write re-applies it to the newer object); server-side apply
 * records managedFields and may create the object.
 */
import type { KubeObject } from "../../shared/api/types.js";
import { badRequest, invalid, unsupportedMediaType } from "../../shared/api/status.js";
import type { ManagedFieldsRecorder, UpdateResult } from "../registry/generic-store.js";
import { readBody } from "./body.js";
import { APPLY_PATCH_YAML, BUILTIN_PATCH_TYPES, applyPatch, applyServerSide, decodeApplyBody, patchMediaType, updateManagedFields } from "./patch/index.js";
import type { JsonObject } from "./patch/json.js";
import { writeOptions, type ResourceRequest } from "./resource-handler.js";

/**
 * Applies a json, merge or strategic merge patch to a plain object (apply patches are refused: the
 * caller handles server-side apply itself). managedFields are recorded by the store, not here.
 */
export function applyPatchToObject(contentType: string | undefined, live: KubeObject, body: Buffer, kind: string): KubeObject {
  if (patchMediaType(contentType) === APPLY_PATCH_YAML) throw unsupportedMediaType(APPLY_PATCH_YAML, BUILTIN_PATCH_TYPES.filter((t) => t !== APPLY_PATCH_YAML));
  return applyPatch(contentType, live, body, { kind, apiVersion: "" }).object;
}

export interface PatchResult extends UpdateResult {
  warnings: string[];
}

/**
 * Handles PATCH on a resource or its status. `validate` applies fieldValidation to the patched object
 * and returns Warning headers.
 */
export async function applyPatchRequest(r: ResourceRequest, ns: string, subresource: string, validate: (obj: KubeObject) => string[]): Promise<PatchResult> {
  const body = await readBody(r.req);
  const contentType = r.req.headers["content-type"];
  const mt = patchMediaType(contentType);
  if (!(BUILTIN_PATCH_TYPES as readonly string[]).includes(mt)) throw unsupportedMediaType(mt, [...BUILTIN_PATCH_TYPES]);
  const q = r.query;
  const dryRun = q.getAll("dryRun").includes("All");
  const force = q.get("force") === "true";
  const name = r.info.name;
  let warnings: string[] = [];

  if (mt === APPLY_PATCH_YAML) {
    const manager = q.get("fieldManager");
    if (!manager) {
      throw invalid("meta.k8s.io", "PatchOptions", "", [{ reason: "FieldValueRequired", field: "fieldManager", message: "Required value: is required for apply patch" }]);
    }
    const applied = decodeApplyBody(body.toString("utf8")) as unknown as KubeObject;
    applied.metadata ??= {};
    if (applied.metadata.name && applied.metadata.name !== name) {
      throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    }
    warnings = validate(applied);
    const apiVersion = r.store.apiVersion;
    const now = new Date();
    const kind = r.rt.kind;
    const ignoredFields = ignoredFieldsFor(r, subresource);
    const result = await r.store.guaranteedUpdate(
      ns,
      name,
      subresource,
      { dryRun },
      (live) => {
        const object = applyServerSide({ live: asJson(live), applied: asJson(applied), manager, force, apiVersion, kind, now, subresource, ignoredFields }).object as unknown as KubeObject;
        // Only a resourceVersion in the applied configuration is a precondition; otherwise retry on a concurrent write.
        if (!applied.metadata.resourceVersion) delete object.metadata.resourceVersion;
        return object;
      },
      subresource
        ? undefined
        : async () => {
            const created = applyServerSide({ live: undefined, applied: asJson(applied), manager, force, apiVersion, kind, now, subresource, ignoredFields }).object as unknown as KubeObject;
            created.metadata.name = name;
            return r.store.create(ns, created, { dryRun });
          },
    );
    return { ...result, warnings };
  }

  const opts = writeOptions(r);
  const result = await r.store.guaranteedUpdate(ns, name, subresource, opts, (live) => {
    const patched = applyPatchToObject(contentType, live, body, r.rt.kind);
    warnings = validate(patched);
    // A resourceVersion the patch sets is a precondition. One it left as it was is not: drop it, so
    // a concurrent write re-applies the patch to the newer object instead of failing with 409.
    if (patched.metadata.resourceVersion === live.metadata.resourceVersion) delete patched.metadata.resourceVersion;
    return patched;
  });
  return { ...result, warnings };
}

function asJson(obj: KubeObject): JsonObject {
  return obj as unknown as JsonObject;
}

/** Fields an endpoint resets, which no manager owns: status on the main resource of kinds with a status subresource. */
function ignoredFieldsFor(r: ResourceRequest, subresource: string): string[][] {
  if (!r.rt.hasStatus) return [];
  return subresource === "status" ? [["spec"], ["metadata"]] : [["status"]];
}

/** Records an `Update` managedFields entry for non-apply writes (create, update, patch). */
export const recordManagedFields: ManagedFieldsRecorder = ({ old, updated, manager, apiVersion, subresource, kind, hasStatus }) => {
  const ignoredFields = hasStatus ? (subresource === "status" ? [["spec"], ["metadata"]] : [["status"]]) : [];
  const result = updateManagedFields({ old: old ? asJson(old) : undefined, updated: asJson(updated), manager, operation: "Update", apiVersion, kind, subresource, ignoredFields, now: new Date() });
  if (result.managedFields.length > 0) updated.metadata.managedFields = result.managedFields;
  else delete updated.metadata.managedFields;
};
