/**
 * apps/v1 ControllerRevision: immutable snapshots of a DaemonSet/StatefulSet template, used for
 * rollout history. Validation from pkg/apis/apps/validation `ValidateControllerRevision(Update)`.
 */
import type { ControllerRevision } from "kubernetes-types/apps/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { parseApiVersion } from "../../../shared/api/types.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, immutable, nonNegative } from "./common.js";

/**
 * Upstream `ValidateControllerRevision`: data is mandatory, revision ≥ 0; on update data is immutable.
 *
 * @example validateControllerRevision({ metadata: { name: "r" }, revision: 1 }, undefined) // data required
 */
export function validateControllerRevision(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const cr = obj as unknown as ControllerRevision;
  const causes: StatusCause[] = [];
  if (cr.data === undefined || cr.data === null) causes.push(fieldError.required("data", "data is mandatory"));
  causes.push(...nonNegative(cr.revision, "revision"));
  if (old) causes.push(...immutable(cr.data, (old as unknown as ControllerRevision).data, "data"));
  return causes;
}

/** Controller cell: "daemonset.apps/web" from the controlling ownerReference, else "<none>". */
function controllerName(obj: KubeObject): string {
  const ref = (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return "<none>";
  const { group } = parseApiVersion(ref.apiVersion ?? "");
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return `${kind.toLowerCase()}/${ref.name}`;
}

export const controllerrevisions: ResourceType = resourceType({
  group: "apps",
  version: "v1",
  kind: "ControllerRevision",
  plural: "controllerrevisions",
  namespaced: true,
  generationTracksSpec: false,
  table: {
    columns: [
      NAME_COLUMN,
      column("Controller", "string", "Controller of the object"),
      column("Revision", "string", "Revision indicates the revision of the state represented by Data."),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      return [obj.metadata.name ?? "", controllerName(obj), (obj as unknown as ControllerRevision).revision ?? 0, age(obj, now)];
    },
  },
  validate: (obj, old) => validateControllerRevision(obj, old),
});
