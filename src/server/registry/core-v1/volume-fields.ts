/**
 * Helpers shared by PersistentVolumes and PersistentVolumeClaims: access modes, storage class lookup
 * (annotation first, as upstream's `GetPersistentVolumeClass`), and the VolumeAttributesClass cell.
 */
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";

export const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
export const VOLUME_MODES = ["Block", "Filesystem"];
/** The beta annotation that still overrides `storageClassName` (upstream `BetaStorageClassAnnotation`). */
const STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

/** Storage class of a PV or PVC: the beta annotation, else `spec.storageClassName`, else "". */
export function storageClassOf(obj: KubeObject): string {
  const ann = obj.metadata.annotations?.[STORAGE_CLASS_ANNOTATION];
  if (ann !== undefined) return ann;
  return ((obj.spec ?? {}) as { storageClassName?: string }).storageClassName ?? "";
}

/** VolumeAttributesClass cell: the name, or "<unset>". */
export function volumeAttributesClassOf(obj: KubeObject): string {
  const v = ((obj.spec ?? {}) as { volumeAttributesClassName?: string }).volumeAttributesClassName;
  return v === undefined ? "<unset>" : v;
}

/** Access modes: at least one, each supported; ReadWriteOncePod excludes the others (upstream). */
export function validateAccessModes(modes: string[] | undefined, path: string, requiredMessage = ""): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!modes?.length) return [fieldError.required(path, requiredMessage)];
  for (const m of modes) if (!ACCESS_MODES.includes(m)) errs.push(fieldError.notSupported(path, m, ACCESS_MODES));
  if (modes.includes("ReadWriteOncePod") && modes.length > 1) {
    errs.push(fieldError.forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  }
  return errs;
}

export function validateVolumeMode(mode: string | undefined, path: string): StatusCause[] {
  return mode !== undefined && !VOLUME_MODES.includes(mode) ? [fieldError.notSupported(path, mode, VOLUME_MODES)] : [];
}
