/**
 * apps/v1 ReplicaSet: defaults, validation (pkg/apis/apps/validation `ValidateReplicaSetSpec`), strategy
 * and table (pkg/printers/internalversion `printReplicaSet`).
 */
import type { ReplicaSet, ReplicaSetSpec, ReplicaSetStatus } from "kubernetes-types/apps/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { defaultPodTemplateSpec } from "../core-v1/pod-defaults.js";
import { validatePodTemplateSpec } from "../core-v1/pod-validation.js";
import { AGE_COLUMN, NAME_COLUMN, age, formatLabelSelector } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import {
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  SCALE_SUBRESOURCE,
  STATUS_SUBRESOURCE,
  column,
  containerCells,
  ensure,
  immutable,
  nonNegative,
  specOf,
  statusOf,
  validateWorkloadSelector,
} from "./common.js";

/** Upstream default replica count. */
export const DEFAULT_REPLICASET_REPLICAS = 1;

/**
 * Fills upstream's ReplicaSet defaults in place (replicas 1, pod template defaults).
 *
 * @example defaultReplicaSet(obj); // obj.spec.replicas === 1
 */
export function defaultReplicaSet(obj: KubeObject): void {
  const spec = ensure<ReplicaSetSpec>(obj, "spec");
  spec.replicas ??= DEFAULT_REPLICASET_REPLICAS;
  defaultPodTemplateSpec(ensure<NonNullable<ReplicaSetSpec["template"]>>(spec, "template"));
}

/**
 * Upstream `ValidateReplicaSetSpec` plus the apps/v1 selector immutability.
 *
 * @example validateReplicaSet(rs, undefined) // [] for a valid ReplicaSet
 */
export function validateReplicaSet(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf<ReplicaSetSpec>(obj);
  const causes: StatusCause[] = [];
  causes.push(...nonNegative(spec.replicas, "spec.replicas"));
  causes.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  // Upstream reuses the Deployment wording here.
  causes.push(...validateWorkloadSelector(spec.selector, spec.template, "spec", "empty selector is invalid for deployment"));
  causes.push(...validatePodTemplateSpec(spec.template, "spec.template"));
  const podSpec = spec.template?.spec;
  if ((podSpec?.restartPolicy ?? "") !== "Always") {
    causes.push(fieldError.notSupported("spec.template.spec.restartPolicy", podSpec?.restartPolicy ?? "", ["Always"]));
  }
  if (podSpec?.activeDeadlineSeconds !== undefined) {
    causes.push(fieldError.forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in ReplicaSet is not Supported"));
  }
  if (old) causes.push(...immutable(spec.selector, specOf<ReplicaSetSpec>(old).selector, "spec.selector"));
  return causes;
}

/** Upstream `ValidateReplicaSetStatus` (writes to /status). */
export function validateReplicaSetStatus(obj: KubeObject): StatusCause[] {
  const st = statusOf<ReplicaSetStatus>(obj);
  const causes: StatusCause[] = [];
  for (const f of ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"] as const) {
    causes.push(...nonNegative(st[f], `status.${f}`));
  }
  const replicas = st.replicas ?? 0;
  const msg = "cannot be greater than status.replicas";
  if ((st.fullyLabeledReplicas ?? 0) > replicas) causes.push(fieldError.invalid("status.fullyLabeledReplicas", st.fullyLabeledReplicas, msg));
  if ((st.readyReplicas ?? 0) > replicas) causes.push(fieldError.invalid("status.readyReplicas", st.readyReplicas, msg));
  if ((st.availableReplicas ?? 0) > replicas) causes.push(fieldError.invalid("status.availableReplicas", st.availableReplicas, msg));
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) causes.push(fieldError.invalid("status.availableReplicas", st.availableReplicas, "cannot be greater than readyReplicas"));
  return causes;
}

export const replicasets: ResourceType = resourceType({
  group: "apps",
  version: "v1",
  kind: "ReplicaSet",
  plural: "replicasets",
  namespaced: true,
  shortNames: ["rs"],
  categories: ["all"],
  subresources: [STATUS_SUBRESOURCE, SCALE_SUBRESOURCE],
  hasStatus: true,
  table: {
    columns: [
      NAME_COLUMN,
      column("Desired", "integer", "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"),
      column("Current", "integer", "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"),
      column("Ready", "integer", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      column("Selector", "string", "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
    ],
    cells(obj, now) {
      const rs = obj as unknown as ReplicaSet;
      const [names, images] = containerCells(rs.spec?.template?.spec);
      return [rs.metadata?.name ?? "", rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0, rs.status?.readyReplicas ?? 0, age(obj, now), names, images, formatLabelSelector(rs.spec?.selector)];
    },
  },
  defaults: defaultReplicaSet,
  validate: (obj, old, ctx) => (ctx.subresource === "status" ? validateReplicaSetStatus(obj) : validateReplicaSet(obj, old)),
  fieldSelectors: {
    // Upstream ReplicaSetToSelectableFields.
    "status.replicas": (obj) => String(statusOf<ReplicaSetStatus>(obj).replicas ?? 0),
  },
  prepareForCreate(obj) {
    obj.status = {};
  },
});
