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
import { column, immutable, nonNegative, specOf } from "./common.js";
import { validateCSIDriverName } from "./csidrivers.js";

/** Upstream `csiNodeIDMaxLength`. */
const MAX_NODE_ID_LENGTH = 192;

/**
 * Upstream `ValidateCSINode(Update)`: unique valid driver names, nodeID required, topology keys
 * qualified names (reported on the driver), and registered drivers never change.
 *
 * @example validateCSINode({ metadata: { name: "n1" }, spec: { drivers: [{ name: "csi.x.io", nodeID: "n1" }] } }, undefined) // []
 */
export function validateCSINode(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf<CSINodeSpec>(obj);
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  (spec.drivers ?? []).forEach((d, i) => {
    const p = `spec.drivers[${i}]`;
    causes.push(...validateCSIDriverName(d.name ?? "", `${p}.name`));
    if (!d.nodeID) causes.push(fieldError.required(`${p}.nodeID`));
    if ((d.nodeID ?? "").length > MAX_NODE_ID_LENGTH) causes.push(fieldError.invalid(`${p}.nodeID`, d.nodeID, `must be ${MAX_NODE_ID_LENGTH} characters or less`));
    if (d.allocatable) causes.push(...nonNegative(d.allocatable.count, `${p}.allocatable.count`));
    if (seen.has(d.name)) causes.push(fieldError.duplicate(`${p}.name`, d.name));
    seen.add(d.name);
    const keys = new Set<string>();
    for (const k of d.topologyKeys ?? []) {
      if (!k) causes.push(fieldError.required(p));
      if (keys.has(k)) causes.push(fieldError.duplicate(p, k));
      keys.add(k);
      for (const msg of isQualifiedName(k)) causes.push(fieldError.invalid(p, k, msg));
    }
  });
  if (old) {
    for (const before of specOf<CSINodeSpec>(old).drivers ?? []) {
      for (const now of spec.drivers ?? []) if (now.name === before.name) causes.push(...immutable(now, before, "spec.drivers"));
    }
  }
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
  validate: (obj, old) => validateCSINode(obj, old),
});
