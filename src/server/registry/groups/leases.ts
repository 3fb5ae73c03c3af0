/**
 * coordination.k8s.io/v1 Lease (node heartbeats, leader election): validation
 * (pkg/apis/coordination/validation `ValidateLeaseSpec`) and table (`printLease`).
 */
import type { Lease, LeaseSpec } from "kubernetes-types/coordination/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isQualifiedName } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, specOf } from "./common.js";
import { isRenewalOnly } from "../renewal-buffer.js";

/** The namespace of node heartbeat Leases (one per node, renewed every 10 s by its kubelet). */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";

/** The built-in coordinated leader election strategy (1.32 alpha). */
const OLDEST_EMULATION_VERSION = "OldestEmulationVersion";

/** Lease spec in 1.32 (kubernetes-types 1.30 lacks the coordinated-election fields). */
type LeaseSpec132 = LeaseSpec & { strategy?: string; preferredHolder?: string };

/**
 * Upstream `ValidateLeaseSpec`.
 *
 * @example validateLease({ metadata: { name: "node-1" }, spec: { holderIdentity: "node-1", leaseDurationSeconds: 40 } }) // []
 */
export function validateLease(obj: KubeObject): StatusCause[] {
  const spec = specOf<LeaseSpec132>(obj);
  const causes: StatusCause[] = [];
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    causes.push(fieldError.invalid("spec.leaseDurationSeconds", spec.leaseDurationSeconds, "must be greater than 0"));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    causes.push(fieldError.invalid("spec.leaseTransitions", spec.leaseTransitions, "must be greater than or equal to 0"));
  }
  if (spec.strategy !== undefined && spec.strategy !== OLDEST_EMULATION_VERSION) {
    for (const msg of isQualifiedName(spec.strategy)) causes.push(fieldError.invalid("spec.strategy", spec.strategy, msg));
  }
  if (spec.preferredHolder && !spec.strategy) causes.push(fieldError.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"));
  return causes;
}

export const leases: ResourceType = resourceType({
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  namespaced: true,
  generationTracksSpec: false,
  table: {
    columns: [NAME_COLUMN, column("Holder", "string", "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."), AGE_COLUMN],
    cells(obj, now) {
      return [obj.metadata.name ?? "", (obj as unknown as Lease).spec?.holderIdentity ?? "", age(obj, now)];
    },
  },
  validate: (obj) => validateLease(obj),
  // Node heartbeats stay in memory and reach SQLite at a low rate (renewal-buffer.ts): SD cards.
  isHeartbeatRenewal: (next, live) => next.metadata.namespace === NODE_LEASE_NAMESPACE && isRenewalOnly(next, live),
});
