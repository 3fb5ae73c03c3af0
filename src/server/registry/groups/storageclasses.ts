/**
 * storage.k8s.io/v1 StorageClass (cluster-scoped, fields at the top level): defaults (reclaimPolicy
 * Delete, volumeBindingMode Immediate), validation (pkg/apis/storage/validation) and table.
 */
import type { StorageClass } from "kubernetes-types/storage/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isQualifiedName } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, deepEqual, immutable } from "./common.js";

/** Annotation that marks the class PVCs get when they name none (and its beta spelling). */
export const DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
export const BETA_DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
/** Upstream limits on provisioner parameters: 512 entries, 256 KiB in total. */
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

/** True when the class carries the default-class annotation ("true"), as upstream's `IsDefaultAnnotation`. */
export function isDefaultStorageClass(obj: KubeObject): boolean {
  const a = obj.metadata.annotations ?? {};
  return a[DEFAULT_STORAGE_CLASS_ANNOTATION] === "true" || a[BETA_DEFAULT_STORAGE_CLASS_ANNOTATION] === "true";
}

/**
 * Upstream `SetDefaults_StorageClass`.
 *
 * @example defaultStorageClass(sc); // sc.reclaimPolicy === "Delete", sc.volumeBindingMode === "Immediate"
 */
export function defaultStorageClass(obj: KubeObject): void {
  const sc = obj as unknown as StorageClass;
  sc.reclaimPolicy ??= "Delete";
  sc.volumeBindingMode ??= "Immediate";
}

/**
 * Upstream `ValidateStorageClass` and `ValidateStorageClassUpdate`.
 *
 * @example validateStorageClass({ metadata: { name: "local" }, provisioner: "rancher.io/local-path", reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer" }, undefined) // []
 */
export function validateStorageClass(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const sc = obj as unknown as StorageClass;
  const causes: StatusCause[] = [];
  const provisioner = sc.provisioner ?? "";
  if (!provisioner) causes.push(fieldError.required("provisioner"));
  else for (const msg of isQualifiedName(provisioner.toLowerCase())) causes.push(fieldError.invalid("provisioner", provisioner, msg));
  const params = sc.parameters ?? {};
  if (Object.keys(params).length > MAX_PARAMETERS) causes.push(fieldError.tooLong("parameters", MAX_PARAMETERS));
  let size = 0;
  for (const [k, v] of Object.entries(params)) {
    if (k.length < 1) causes.push(fieldError.invalid("parameters", k, "field can not be empty."));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > MAX_PARAMETERS_SIZE) causes.push(fieldError.tooLong("parameters", MAX_PARAMETERS_SIZE));
  if (sc.reclaimPolicy && sc.reclaimPolicy !== "Delete" && sc.reclaimPolicy !== "Retain") {
    causes.push(fieldError.notSupported("reclaimPolicy", sc.reclaimPolicy, ["Delete", "Retain"]));
  }
  if (sc.volumeBindingMode === undefined) causes.push(fieldError.required("volumeBindingMode"));
  else if (sc.volumeBindingMode !== "Immediate" && sc.volumeBindingMode !== "WaitForFirstConsumer") {
    causes.push(fieldError.notSupported("volumeBindingMode", sc.volumeBindingMode, ["Immediate", "WaitForFirstConsumer"]));
  }
  if (old) {
    const o = old as unknown as StorageClass;
    if (!deepEqual(o.parameters ?? {}, sc.parameters ?? {})) causes.push(fieldError.forbidden("parameters", "updates to parameters are forbidden."));
    if (sc.provisioner !== o.provisioner) causes.push(fieldError.forbidden("provisioner", "updates to provisioner are forbidden."));
    if (sc.reclaimPolicy !== o.reclaimPolicy) causes.push(fieldError.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
    causes.push(...immutable(sc.volumeBindingMode, o.volumeBindingMode, "volumeBindingMode"));
  }
  return causes;
}

export const storageclasses: ResourceType = resourceType({
  group: "storage.k8s.io",
  version: "v1",
  kind: "StorageClass",
  plural: "storageclasses",
  namespaced: false,
  shortNames: ["sc"],
  generationTracksSpec: false,
  table: {
    columns: [
      NAME_COLUMN,
      column("Provisioner", "string", "provisioner indicates the type of the provisioner."),
      column("ReclaimPolicy", "string", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete."),
      column("VolumeBindingMode", "string", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature."),
      column("AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class allow volume expand."),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const sc = obj as unknown as StorageClass;
      const name = (sc.metadata?.name ?? "") + (isDefaultStorageClass(obj) ? " (default)" : "");
      return [name, sc.provisioner ?? "", sc.reclaimPolicy ?? "Delete", sc.volumeBindingMode ?? "Immediate", sc.allowVolumeExpansion ?? false, age(obj, now)];
    },
  },
  defaults: defaultStorageClass,
  validate: (obj, old) => validateStorageClass(obj, old),
});
