/**
 * PersistentVolumeClaims (core/v1): defaults (Filesystem, phase Pending), validation after upstream
 * `ValidatePersistentVolumeClaim`/`…Update` (the spec is immutable except growing the storage request and
 * binding `volumeName`), and the `kubectl get pvc` table.
 */
import type { PersistentVolumeClaimSpec, PersistentVolumeClaimStatus } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { validateLabelSelector } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType, type TableSpec } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { accessModesString, column, quantityString } from "./columns.js";
import { jsonEqual } from "./field-checks.js";
import { parseQuantity } from "./quantity.js";
import { storageClassOf, validateAccessModes, validateVolumeMode, volumeAttributesClassOf } from "./volume-fields.js";

/** Upstream's wording for the update rule. */
const PVC_SPEC_IMMUTABLE = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";

function specOf(obj: KubeObject): PersistentVolumeClaimSpec {
  return (obj.spec ?? {}) as PersistentVolumeClaimSpec;
}

function statusOf(obj: KubeObject): PersistentVolumeClaimStatus {
  return (obj.status ?? {}) as PersistentVolumeClaimStatus;
}

/**
 * Validates a claim spec at `path` ("spec", or a StatefulSet's `spec.volumeClaimTemplates[0].spec`).
 *
 * @example validatePersistentVolumeClaimSpec(pvc.spec, "spec")
 */
export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: string): StatusCause[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, `${path}.accessModes`, "at least 1 access mode is required");
  if (s.selector) errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  const storage = s.resources?.requests?.storage;
  if (storage === undefined) errs.push(fieldError.required(`${path}.resources[storage]`));
  else {
    const q = parseQuantity(storage);
    if (q === undefined || q <= 0) errs.push(fieldError.invalid(`${path}.resources[storage]`, storage, "must be greater than zero"));
  }
  errs.push(...validateVolumeMode(s.volumeMode, `${path}.volumeMode`));
  return errs;
}

function validatePVCUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  const spec = specOf(obj);
  const prev = specOf(old);
  const bound = statusOf(old).phase === "Bound";
  const comparable = (s: PersistentVolumeClaimSpec): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...s };
    delete copy.volumeAttributesClassName;
    // The binder fills volumeName once; a bound claim may grow its storage request (expansion).
    if (!prev.volumeName) delete copy.volumeName;
    if (bound) copy.resources = { ...(s.resources ?? {}), requests: { ...(s.resources?.requests ?? {}), storage: prev.resources?.requests?.storage } };
    return copy;
  };
  if (!jsonEqual(comparable(spec), comparable(prev))) errs.push(fieldError.forbidden("spec", PVC_SPEC_IMMUTABLE));
  const was = parseQuantity(prev.resources?.requests?.storage ?? "0") ?? 0;
  const now = parseQuantity(spec.resources?.requests?.storage ?? "0") ?? 0;
  if (now < was) errs.push(fieldError.forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
  return errs;
}

const pvcTable: TableSpec = {
  columns: [
    NAME_COLUMN,
    column("Status", FIELD_DOCS["PersistentVolumeClaimStatus.phase"]),
    column("Volume", FIELD_DOCS["PersistentVolumeClaimSpec.volumeName"]),
    column("Capacity", FIELD_DOCS["PersistentVolumeClaimStatus.capacity"]),
    column("Access Modes", FIELD_DOCS["PersistentVolumeClaimStatus.accessModes"]),
    column("StorageClass", "StorageClass of the pvc"),
    column("VolumeAttributesClass", "VolumeAttributesClass of the pvc"),
    AGE_COLUMN,
    column("VolumeMode", FIELD_DOCS["PersistentVolumeClaimSpec.volumeMode"], 1),
  ],
  cells(obj, now) {
    const spec = specOf(obj);
    const status = statusOf(obj);
    const bound = Boolean(spec.volumeName);
    return [
      obj.metadata.name ?? "",
      obj.metadata.deletionTimestamp ? "Terminating" : status.phase ?? "",
      spec.volumeName ?? "",
      bound ? quantityString(status.capacity?.storage) : "",
      bound ? accessModesString(status.accessModes) : "",
      storageClassOf(obj),
      volumeAttributesClassOf(obj),
      age(obj, now),
      spec.volumeMode ?? "<unset>",
    ];
  },
};

export const persistentVolumeClaims: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "PersistentVolumeClaim",
  plural: "persistentvolumeclaims",
  namespaced: true,
  // No metadata.generation: upstream (1.32) sets it only for kinds whose controllers report observedGeneration.
  generationTracksSpec: false,
  shortNames: ["pvc"],
  hasStatus: true,
  subresources: [{ name: "status", verbs: ["get", "patch", "update"] }],
  table: pvcTable,
  defaults(obj) {
    const spec = (obj.spec ??= {}) as PersistentVolumeClaimSpec;
    spec.volumeMode ||= "Filesystem";
    const status = (obj.status ??= {}) as PersistentVolumeClaimStatus;
    status.phase ||= "Pending";
  },
  validate(obj, old, ctx) {
    if (ctx.subresource === "status") return [];
    const errs = validatePersistentVolumeClaimSpec(specOf(obj), "spec");
    if (old) errs.push(...validatePVCUpdate(obj, old));
    return errs;
  },
  prepareForCreate(obj) {
    obj.status = { phase: "Pending" };
  },
});
