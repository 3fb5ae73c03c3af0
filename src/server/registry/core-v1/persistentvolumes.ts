/**
 * PersistentVolumes (core/v1, cluster-scoped): defaults (Retain, Filesystem, phase Pending), validation
 * after upstream `ValidatePersistentVolume`/`…Update`, and the `kubectl get pv` table.
 */
import type { PersistentVolumeSpec, PersistentVolumeStatus } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType, type TableSpec } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { accessModesString, column, quantityString } from "./columns.js";
import { jsonEqual } from "./field-checks.js";
import { parseQuantity } from "./quantity.js";
import { storageClassOf, validateAccessModes, validateVolumeMode, volumeAttributesClassOf } from "./volume-fields.js";

const RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"];
/** Every volume source a PV may name; exactly one must be set. */
const PV_SOURCES = [
  "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi", "fc", "flexVolume", "flocker",
  "gcePersistentDisk", "glusterfs", "hostPath", "iscsi", "local", "nfs", "photonPersistentDisk", "portworxVolume",
  "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume",
] as const;

function specOf(obj: KubeObject): PersistentVolumeSpec {
  return (obj.spec ?? {}) as PersistentVolumeSpec;
}

function statusOf(obj: KubeObject): PersistentVolumeStatus {
  return (obj.status ?? {}) as PersistentVolumeStatus;
}

function sourceKeys(spec: PersistentVolumeSpec): string[] {
  const rec = spec as unknown as Record<string, unknown>;
  return PV_SOURCES.filter((k) => rec[k] !== undefined && rec[k] !== null);
}

function validatePV(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf(obj);
  const errs = validateAccessModes(spec.accessModes, "spec.accessModes");
  const capacity = spec.capacity ?? {};
  if (!Object.keys(capacity).length) errs.push(fieldError.required("spec.capacity"));
  else if (capacity.storage === undefined || Object.keys(capacity).length > 1) errs.push(fieldError.notSupported("spec.capacity", capacity, ["storage"]));
  else {
    const q = parseQuantity(capacity.storage);
    if (q === undefined || q <= 0) errs.push(fieldError.invalid("spec.capacity[storage]", capacity.storage, "must be greater than zero"));
  }
  if (spec.persistentVolumeReclaimPolicy && !RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy)) {
    errs.push(fieldError.notSupported("spec.persistentVolumeReclaimPolicy", spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
  }
  const sources = sourceKeys(spec);
  if (!sources.length) errs.push(fieldError.required("spec", "must specify a volume type"));
  else if (sources.length > 1) errs.push(fieldError.forbidden(`spec.${sources[1]}`, "may not specify more than 1 volume type"));
  if (spec.hostPath && !spec.hostPath.path) errs.push(fieldError.required("spec.hostPath.path"));
  if (spec.local) {
    if (!spec.local.path) errs.push(fieldError.required("spec.local.path"));
    if (!spec.nodeAffinity) errs.push(fieldError.required("spec.nodeAffinity", "Local volume requires node affinity"));
  }
  if (spec.nfs) {
    if (!spec.nfs.server) errs.push(fieldError.required("spec.nfs.server"));
    if (!spec.nfs.path) errs.push(fieldError.required("spec.nfs.path"));
  }
  if (spec.csi) {
    if (!spec.csi.driver) errs.push(fieldError.required("spec.csi.driver"));
    if (!spec.csi.volumeHandle) errs.push(fieldError.required("spec.csi.volumeHandle"));
  }
  if (spec.persistentVolumeReclaimPolicy === "Recycle" && spec.hostPath && !/^\/tmp\/?/.test(spec.hostPath.path ?? "")) {
    errs.push(fieldError.forbidden("spec.persistentVolumeReclaimPolicy", "may not be 'recycle' for a hostPath volume"));
  }
  errs.push(...validateVolumeMode(spec.volumeMode, "spec.volumeMode"));
  if (old) {
    const prev = specOf(old);
    const pick = (s: PersistentVolumeSpec) => Object.fromEntries(sourceKeys(s).map((k) => [k, (s as unknown as Record<string, unknown>)[k]]));
    if (!jsonEqual(pick(spec), pick(prev))) errs.push(fieldError.forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"));
    if ((spec.volumeMode ?? "") !== (prev.volumeMode ?? "")) errs.push(fieldError.invalid("spec.volumeMode", spec.volumeMode ?? "", "field is immutable"));
    if (prev.nodeAffinity && !jsonEqual(spec.nodeAffinity, prev.nodeAffinity)) errs.push(fieldError.invalid("spec.nodeAffinity", spec.nodeAffinity, "field is immutable"));
  }
  return errs;
}

const pvTable: TableSpec = {
  columns: [
    NAME_COLUMN,
    column("Capacity", FIELD_DOCS["PersistentVolumeSpec.capacity"]),
    column("Access Modes", FIELD_DOCS["PersistentVolumeSpec.accessModes"]),
    column("Reclaim Policy", FIELD_DOCS["PersistentVolumeSpec.persistentVolumeReclaimPolicy"]),
    column("Status", FIELD_DOCS["PersistentVolumeStatus.phase"]),
    column("Claim", FIELD_DOCS["PersistentVolumeSpec.claimRef"]),
    column("StorageClass", "StorageClass of the pv"),
    column("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
    column("Reason", FIELD_DOCS["PersistentVolumeStatus.reason"]),
    AGE_COLUMN,
    column("VolumeMode", FIELD_DOCS["PersistentVolumeSpec.volumeMode"], 1),
  ],
  cells(obj, now) {
    const spec = specOf(obj);
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ""}/${spec.claimRef.name ?? ""}` : "";
    return [
      obj.metadata.name ?? "",
      quantityString(spec.capacity?.storage),
      accessModesString(spec.accessModes),
      spec.persistentVolumeReclaimPolicy ?? "",
      obj.metadata.deletionTimestamp ? "Terminating" : statusOf(obj).phase ?? "",
      claim,
      storageClassOf(obj),
      volumeAttributesClassOf(obj),
      statusOf(obj).reason ?? "",
      age(obj, now),
      spec.volumeMode ?? "<unset>",
    ];
  },
};

export const persistentVolumes: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "PersistentVolume",
  plural: "persistentvolumes",
  namespaced: false,
  // No metadata.generation: upstream (1.32) sets it only for kinds whose controllers report observedGeneration.
  generationTracksSpec: false,
  shortNames: ["pv"],
  hasStatus: true,
  subresources: [{ name: "status", verbs: ["get", "patch", "update"] }],
  table: pvTable,
  defaults(obj) {
    const spec = (obj.spec ??= {}) as PersistentVolumeSpec;
    spec.persistentVolumeReclaimPolicy ||= "Retain";
    spec.volumeMode ||= "Filesystem";
    if (spec.hostPath && spec.hostPath.type === undefined) spec.hostPath.type = "";
    const status = (obj.status ??= {}) as PersistentVolumeStatus;
    status.phase ||= "Pending";
  },
  validate(obj, old, ctx) {
    if (ctx.subresource === "status") return [];
    return validatePV(obj, old);
  },
  prepareForCreate(obj) {
    // A new volume is Pending until the binder looks at it (upstream resets status on create).
    obj.status = { phase: "Pending" };
  },
});
