/**
 * storage.k8s.io/v1 VolumeAttachment (cluster-scoped): validation (pkg/apis/storage/validation
 * `ValidateVolumeAttachment(V1/Update)`), strategy (status reset on create) and table.
 */
import type { VolumeAttachment, VolumeAttachmentSpec } from "kubernetes-types/storage/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { nameIsDNSSubdomain } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { STATUS_SUBRESOURCE, column, deepEqual, specOf } from "./common.js";
import { validateCSIDriverName } from "./csidrivers.js";

/**
 * Upstream `ValidateVolumeAttachment` + `ValidateVolumeAttachmentV1`; the spec is immutable after create.
 *
 * @example validateVolumeAttachment(va, undefined) // [] for a valid attachment
 */
export function validateVolumeAttachment(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf<VolumeAttachmentSpec>(obj);
  const causes: StatusCause[] = [];
  const attacher = spec.attacher ?? "";
  if (!attacher) causes.push(fieldError.required("spec.attacher"));
  const src = spec.source ?? {};
  const hasInline = src.inlineVolumeSpec !== undefined;
  const hasPV = src.persistentVolumeName !== undefined;
  if (!hasInline && !hasPV) causes.push(fieldError.required("spec.source", "must specify exactly one of inlineVolumeSpec and persistentVolumeName"));
  else if (hasInline && hasPV) causes.push(fieldError.forbidden("spec.source", "must specify exactly one of inlineVolumeSpec and persistentVolumeName"));
  else if (hasPV && !src.persistentVolumeName) causes.push(fieldError.required("spec.source.persistentVolumeName", "must specify non empty persistentVolumeName"));
  const nodeName = spec.nodeName ?? "";
  for (const msg of nameIsDNSSubdomain(nodeName, false)) causes.push(fieldError.invalid("spec.nodeName", nodeName, msg));
  // The v1-only checks: the attacher is a CSI driver name, the PV name a valid object name.
  if (attacher) causes.push(...validateCSIDriverName(attacher, "spec.attacher"));
  if (src.persistentVolumeName) {
    for (const msg of nameIsDNSSubdomain(src.persistentVolumeName, false)) causes.push(fieldError.invalid("spec.source.persistentVolumeName", src.persistentVolumeName, msg));
  }
  if (old && !deepEqual(spec, specOf<VolumeAttachmentSpec>(old))) causes.push(fieldError.invalid("spec", spec, "field is immutable"));
  return causes;
}

export const volumeattachments: ResourceType = resourceType({
  group: "storage.k8s.io",
  version: "v1",
  kind: "VolumeAttachment",
  plural: "volumeattachments",
  namespaced: false,
  subresources: [STATUS_SUBRESOURCE],
  hasStatus: true,
  generationTracksSpec: false,
  table: {
    columns: [
      NAME_COLUMN,
      { name: "Attacher", type: "string", format: "name", description: "attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().", priority: 0 },
      column("PV", "string", "persistentVolumeName represents the name of the persistent volume to attach."),
      column("Node", "string", "nodeName represents the node that the volume should be attached to."),
      column("Attached", "boolean", "attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher."),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const va = obj as unknown as VolumeAttachment;
      return [va.metadata?.name ?? "", va.spec?.attacher ?? "", va.spec?.source?.persistentVolumeName ?? "", va.spec?.nodeName ?? "", va.status?.attached ?? false, age(obj, now)];
    },
  },
  validate: (obj, old, ctx) => (ctx.subresource === "status" ? [] : validateVolumeAttachment(obj, old)),
  prepareForCreate(obj) {
    // `attached` is a required (non-omitempty) field upstream, so a fresh status shows it as false.
    obj.status = { attached: false };
  },
});
