/**
 * storage.k8s.io/v1 CSINode (cluster-scoped, one per node, written by the kubelet's CSI plugin
 * manager): validation (pkg/apis/storage/validation `ValidateCSINode`) and table (`printCSINode`).
 */
import type { CSINode, CSINodeSpec } from "kubernetes-types/storage/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isQualifiedName } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, nonNegative, specOf } from "./common.js";
import { validateCSIDriverName } from "./csidrivers.js";

/** Upstream `csiNodeIDMaxLength`. */
const MAX_NODE_ID_LENGTH = 192;

/**
 * Upstream `ValidateCSINode`: unique valid driver names, nodeID required, topology keys qualified.
 *
 * @example validateCSINode({ metadata: { name: "n1" }, spec: { drivers: [{ name: "csi.x.io", nodeID: "n1" }] } }) // []
 */
export function validateCSINode(obj: KubeObject): StatusCause[] {
  const spec = specOf<CSINodeSpec>(obj);
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  (spec.drivers ?? []).forEach((d, i) => {
    const p = `spec.drivers[${i}]`;
    causes.push(...validateCSIDriverName(d.name ?? "", `${p}.name`));
    if (!d.nodeID) causes.push(fieldError.required(`${p}.nodeID`));
    else if (d.nodeID.length > MAX_NODE_ID_LENGTH) causes.push(fieldError.tooLong(`${p}.nodeID`, MAX_NODE_ID_LENGTH));
    if (d.allocatable) causes.push(...nonNegative(d.allocatable.count, `${p}.allocatable.count`));
    const keys = new Set<string>();
    (d.topologyKeys ?? []).forEach((k, j) => {
      const kp = `${p}.topologyKeys[${j}]`;
      if (!k) causes.push(fieldError.required(kp));
      for (const msg of isQualifiedName(k)) causes.push(fieldError.invalid(kp, k, msg));
      if (keys.has(k)) causes.push(fieldError.duplicate(kp, k));
      keys.add(k);
    });
    if (seen.has(d.name)) causes.push(fieldError.duplicate(`${p}.name`, d.name));
    seen.add(d.name);
  });
  return causes;
}

export const csinodes: ResourceType = resourceType({
  group: "storage.k8s.io",
  version: "v1",
  kind: "CSINode",
  plural: "csinodes",
  namespaced: false,
  generationTracksSpec: false,
  table: {
    columns: [NAME_COLUMN, column("Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node"), AGE_COLUMN],
    cells(obj, now) {
      return [obj.metadata.name ?? "", ((obj as unknown as CSINode).spec?.drivers ?? []).length, age(obj, now)];
    },
  },
  validate: (obj) => validateCSINode(obj),
});
