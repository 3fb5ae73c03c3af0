/**
 * PATCH requests: decode the patch by Content-Type, apply it to the live object inside the store's
 * compare-and-swap loop (so a concurrent write re-applies it to the newer object), and server-side
 * apply with managedFields, including create-on-apply.
 */
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../shared/api/types.js";
import { badRequest, invalid, unsupportedMediaType } from "../../shared/api/status.js";
import type { FieldValidation, ManagedFieldsRecorder, UpdateResult } from "../registry/generic-store.js";
import { readBody } from "./body.js";
import { bodyMediaType } from "./negotiation.js";
import { applyJsonPatch } from "./patch/json-patch.js";
import { applyMergePatch } from "./patch/merge-patch.js";
import { applyStrategicMergePatch } from "./patch/strategic-merge-patch.js";
import { applyServerSide, updateManagedFields } from "./patch/server-side-apply.js";
import type { JsonObject } from "./patch/json.js";
import { writeOptions, type ResourceRequest } from "./resource-handler.js";

export const PATCH_MEDIA_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];

function parseJsonPatchBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

export interface PatchTarget {
  kind: string;
  group: string;
  version: string;
  manager: string;
  force: boolean;
}

/** Applies a json, merge or strategic merge patch to a plain object (no apply patches). */
export function applyPatchToObject(contentType: string | undefined, live: KubeObject, body: Buffer, target: PatchTarget): KubeObject {
  const mt = bodyMediaType(contentType);
  const doc = live as unknown as JsonObject;
  switch (mt) {
    case "application/json-patch+json":
      return applyJsonPatch(doc, parseJsonPatchBody(body)) as unknown as KubeObject;
    case "application/merge-patch+json":
      return applyMergePatch(doc, parseJsonPatchBody(body)) as unknown as KubeObject;
    case "application/strategic-merge-patch+json":
      return applyStrategicMergePatch(doc, parseJsonPatchBody(body), target.kind) as unknown as KubeObject;
    default:
      throw unsupportedMediaType(mt, PATCH_MEDIA_TYPES.filter((t) => t !== "application/apply-patch+yaml"));
  }
}

function parseApplyBody(body: Buffer): KubeObject {
  let v: unknown;
  try {
    v = parseYaml(body.toString("utf8"), { uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw badRequest("error decoding YAML: the apply configuration must be an object");
  const obj = v as KubeObject;
  obj.metadata ??= {};
  return obj;
}

export interface PatchResult extends UpdateResult {
  warnings: string[];
}

/**
 * Handles PATCH on a resource or its status. `validate` applies fieldValidation to the patched object
 * and returns Warning headers.
 */
export async function applyPatchRequest(r: ResourceRequest, ns: string, subresource: string, mode: FieldValidation, validate: (obj: KubeObject) => string[]): Promise<PatchResult> {
  const body = await readBody(r.req);
  const contentType = r.req.headers["content-type"];
  const mt = bodyMediaType(contentType);
  if (!PATCH_MEDIA_TYPES.includes(mt)) throw unsupportedMediaType(mt, PATCH_MEDIA_TYPES);
  const q = r.query;
  const dryRun = q.getAll("dryRun").includes("All");
  const force = q.get("force") === "true";
  const name = r.info.name;
  let warnings: string[] = [];

  if (mt === "application/apply-patch+yaml") {
    const manager = q.get("fieldManager");
    if (!manager) {
      throw invalid("meta.k8s.io", "PatchOptions", "", [{ reason: "FieldValueRequired", field: "fieldManager", message: "Required value: is required for apply patch" }]);
    }
    const applied = parseApplyBody(body);
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
  const target: PatchTarget = { kind: r.rt.kind, group: r.rt.group, version: r.rt.version, manager: opts.fieldManager!, force };
  const result = await r.store.guaranteedUpdate(ns, name, subresource, opts, (live) => {
    const patched = applyPatchToObject(contentType, live, body, target);
    if (patched === null || typeof patched !== "object" || Array.isArray(patched)) throw badRequest("the patched object must be an object");
    patched.metadata ??= {} as KubeObject["metadata"];
    warnings = validate(patched);
    // A resourceVersion in the patch is a precondition; without one the patch applies to the newest object.
    if (!patchSetsResourceVersion(bodyMediaType(contentType), parseJsonPatchBody(body))) delete patched.metadata.resourceVersion;
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

/** Whether the patch body itself names a resourceVersion (then it is a precondition, never retried). */
function patchSetsResourceVersion(contentType: string, body: unknown): boolean {
  if (contentType.startsWith("application/json-patch+json")) {
    return Array.isArray(body) && body.some((op) => typeof op === "object" && op !== null && (op as { path?: string }).path === "/metadata/resourceVersion");
  }
  const meta = (body as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return meta !== null && typeof meta === "object" && meta.resourceVersion !== undefined && meta.resourceVersion !== null;
}
