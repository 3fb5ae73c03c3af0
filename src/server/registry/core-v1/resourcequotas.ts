/**
 * ResourceQuotas (core/v1): hard limits per namespace, usage written by the quota controller to status.
 * Validation after upstream `ValidateResourceQuota`; REQUEST/LIMIT columns as upstream's printer.
 */
import type { ResourceQuotaSpec, ResourceQuotaStatus } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { isQualifiedName } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column } from "./columns.js";
import { parseQuantity } from "./quantity.js";

const QUOTA_SCOPES = ["BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass", "Terminating"];

function specOf(obj: KubeObject): ResourceQuotaSpec {
  return (obj.spec ?? {}) as ResourceQuotaSpec;
}

function statusOf(obj: KubeObject): ResourceQuotaStatus {
  return (obj.status ?? {}) as ResourceQuotaStatus;
}

/** Resource names and non-negative quantities of a resource list at `path` (e.g. `spec.hard`). */
export function validateResourceList(list: Record<string, string | number> | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const [name, q] of Object.entries(list ?? {})) {
    const p = `${path}[${name}]`;
    for (const m of isQualifiedName(name)) errs.push(fieldError.invalid(p, name, m));
    const v = parseQuantity(q);
    if (v === undefined) errs.push(fieldError.invalid(p, q, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    else if (v < 0) errs.push(fieldError.invalid(p, q, "must be greater than or equal to 0"));
  }
  return errs;
}

/**
 * The REQUEST and LIMIT cells: "cpu: 100m/1, pods: 2/10" from status used/hard, `limits.*` in LIMIT.
 *
 * @example quotaCells({ hard: { pods: "10" }, used: { pods: "2" } }) → ["pods: 2/10", ""]
 */
export function quotaCells(status: ResourceQuotaStatus): [string, string] {
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(status.hard ?? {}).sort()) {
    const used = status.used?.[name] ?? "0";
    const entry = `${name}: ${String(used)}/${String(status.hard![name])}`;
    (name.split(".")[0] === "limits" && name.includes(".") ? limit : request).push(entry);
  }
  return [request.join(", "), limit.join(", ")];
}

export const resourceQuotas: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "ResourceQuota",
  plural: "resourcequotas",
  namespaced: true,
  // No metadata.generation: upstream (1.32) sets it only for kinds whose controllers report observedGeneration.
  generationTracksSpec: false,
  shortNames: ["quota"],
  hasStatus: true,
  subresources: [{ name: "status", verbs: ["get", "patch", "update"] }],
  table: {
    columns: [
      NAME_COLUMN,
      AGE_COLUMN,
      column("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
      column("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
    ],
    cells(obj, now) {
      const [request, limit] = quotaCells(statusOf(obj));
      return [obj.metadata.name ?? "", age(obj, now), request, limit];
    },
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs = validateResourceList(spec.hard, "spec.hard");
    (spec.scopes ?? []).forEach((s, i) => {
      if (!QUOTA_SCOPES.includes(s)) errs.push(fieldError.notSupported(`spec.scopes[${i}]`, s, QUOTA_SCOPES));
    });
    errs.push(...validateResourceList(statusOf(obj).hard, "status.hard"));
    errs.push(...validateResourceList(statusOf(obj).used, "status.used"));
    return errs;
  },
  prepareForCreate(obj) {
    // Usage is the quota controller's to report (upstream resets status on create).
    obj.status = {};
  },
});
