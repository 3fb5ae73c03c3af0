/**
 * apps/v1 StatefulSet: defaults (OrderedReady, RollingUpdate partition 0, replicas 1, history 10, PVC
 * retention Retain/Retain), validation (pkg/apis/apps/validation `ValidateStatefulSetSpec` and the
 * update rule that only some spec fields may change), strategy and table.
 */
import type { StatefulSet, StatefulSetSpec, StatefulSetStatus, StatefulSetUpdateStrategy } from "kubernetes-types/apps/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { defaultPodTemplateSpec } from "../core-v1/pod-defaults.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { nameIsDNSLabel, validateAnnotations, validateLabels } from "../../../shared/api/validation.js";
import {
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  SCALE_SUBRESOURCE,
  STATUS_SUBRESOURCE,
  column,
  containerCells,
  deepEqual,
  ensure,
  intOrPercentValue,
  nonNegative,
  notMoreThan100Percent,
  specOf,
  statusOf,
  validatePositiveIntOrPercent,
  validateWorkloadSelector,
} from "./common.js";
import { DEFAULT_REVISION_HISTORY_LIMIT } from "./deployments.js";

/** Upstream default replica count. */
export const DEFAULT_STATEFULSET_REPLICAS = 1;
/** PVCs made from volumeClaimTemplates outlive their pods unless the user asks otherwise (data safety). */
export const DEFAULT_PVC_RETENTION_POLICY = "Retain";

/** Spec fields an update may change; everything else is frozen after create (upstream message order). */
const MUTABLE_SPEC_FIELDS = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"] as const;

/**
 * Fills upstream's StatefulSet defaults in place.
 *
 * @example defaultStatefulSet(sts); // podManagementPolicy OrderedReady, updateStrategy RollingUpdate partition 0
 */
export function defaultStatefulSet(obj: KubeObject): void {
  const spec = ensure<StatefulSetSpec>(obj, "spec");
  if (!spec.podManagementPolicy) spec.podManagementPolicy = "OrderedReady";
  const strategy = ensure<StatefulSetUpdateStrategy>(spec, "updateStrategy");
  if (!strategy.type) {
    strategy.type = "RollingUpdate";
    strategy.rollingUpdate ??= {};
  }
  if (strategy.type === "RollingUpdate" && strategy.rollingUpdate) strategy.rollingUpdate.partition ??= 0;
  const retention = ensure<NonNullable<StatefulSetSpec["persistentVolumeClaimRetentionPolicy"]>>(spec, "persistentVolumeClaimRetentionPolicy");
  if (!retention.whenDeleted) retention.whenDeleted = DEFAULT_PVC_RETENTION_POLICY;
  if (!retention.whenScaled) retention.whenScaled = DEFAULT_PVC_RETENTION_POLICY;
  spec.replicas ??= DEFAULT_STATEFULSET_REPLICAS;
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  defaultPodTemplateSpec(ensure<NonNullable<StatefulSetSpec["template"]>>(spec, "template"));
}

function validateRetentionPolicy(policy: StatefulSetSpec["persistentVolumeClaimRetentionPolicy"], path: string): StatusCause[] {
  if (!policy) return [];
  const causes: StatusCause[] = [];
  for (const f of ["whenDeleted", "whenScaled"] as const) {
    const v = policy[f] ?? "";
    if (v !== "Retain" && v !== "Delete") causes.push(fieldError.notSupported(`${path}.${f}`, v, ["Retain", "Delete"]));
  }
  return causes;
}

function validateUpdateStrategy(strategy: StatefulSetUpdateStrategy | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  switch (strategy?.type ?? "") {
    case "":
      causes.push(fieldError.required(path));
      break;
    case "OnDelete":
      if (strategy?.rollingUpdate) causes.push(fieldError.invalid(`${path}.rollingUpdate`, strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case "RollingUpdate": {
      const ru = strategy?.rollingUpdate;
      if (!ru) break;
      causes.push(...nonNegative(ru.partition, `${path}.rollingUpdate.partition`));
      if (ru.maxUnavailable !== undefined) {
        const p = `${path}.rollingUpdate.maxUnavailable`;
        causes.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p));
        if (intOrPercentValue(ru.maxUnavailable) === 0) causes.push(fieldError.invalid(p, ru.maxUnavailable, "cannot be 0"));
        causes.push(...notMoreThan100Percent(ru.maxUnavailable, p));
      }
      break;
    }
    default:
      causes.push(fieldError.invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  return causes;
}

/**
 * Upstream `ValidateStatefulSetSpec`; on update also `ValidateStatefulSetUpdate`'s frozen-fields rule.
 *
 * @example validateStatefulSet(sts, undefined) // [] for a valid StatefulSet
 */
export function validateStatefulSet(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf<StatefulSetSpec>(obj);
  const causes: StatusCause[] = [];
  switch (spec.podManagementPolicy ?? "") {
    case "":
      causes.push(fieldError.required("spec.podManagementPolicy"));
      break;
    case "OrderedReady":
    case "Parallel":
      break;
    default:
      causes.push(fieldError.invalid("spec.podManagementPolicy", spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  causes.push(...validateUpdateStrategy(spec.updateStrategy, "spec.updateStrategy"));
  causes.push(...validateRetentionPolicy(spec.persistentVolumeClaimRetentionPolicy, "spec.persistentVolumeClaimRetentionPolicy"));
  causes.push(...nonNegative(spec.replicas, "spec.replicas"));
  causes.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  if (spec.ordinals) causes.push(...nonNegative(spec.ordinals.start, "spec.ordinals.start"));
  causes.push(...validateWorkloadSelector(spec.selector, spec.template, "spec", "empty selector is invalid for statefulset"));
  // Upstream checks only the template's labels and annotations here: the pod spec may mount volumes
  // that exist only as volumeClaimTemplates, which plain pod-spec validation would reject.
  causes.push(...validateLabels(spec.template?.metadata?.labels, "spec.template.labels"));
  causes.push(...validateAnnotations(spec.template?.metadata?.annotations, "spec.template.annotations"));
  const podSpec = spec.template?.spec;
  if ((podSpec?.restartPolicy ?? "") !== "Always") {
    causes.push(fieldError.notSupported("spec.template.spec.restartPolicy", podSpec?.restartPolicy ?? "", ["Always"]));
  }
  if (podSpec?.activeDeadlineSeconds !== undefined) {
    causes.push(fieldError.forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in StatefulSet is not Supported"));
  }
  if (old) {
    const oldSpec = specOf<Record<string, unknown>>(old);
    const frozen = (s: Record<string, unknown>) => Object.fromEntries(Object.entries(s).filter(([k]) => !(MUTABLE_SPEC_FIELDS as readonly string[]).includes(k)));
    if (!deepEqual(frozen(specOf<Record<string, unknown>>(obj)), frozen(oldSpec))) {
      causes.push(
        fieldError.forbidden(
          "spec",
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
  }
  return causes;
}

/** Upstream `ValidateStatefulSetStatus` (writes to /status). */
export function validateStatefulSetStatus(obj: KubeObject): StatusCause[] {
  const st = statusOf<StatefulSetStatus>(obj);
  const causes: StatusCause[] = [];
  for (const f of ["replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas", "observedGeneration", "collisionCount"] as const) {
    causes.push(...nonNegative(st[f], `status.${f}`));
  }
  const msg = "cannot be greater than status.replicas";
  for (const f of ["readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"] as const) {
    if ((st[f] ?? 0) > (st.replicas ?? 0)) causes.push(fieldError.invalid(`status.${f}`, st[f], msg));
  }
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) causes.push(fieldError.invalid("status.availableReplicas", st.availableReplicas, "cannot be greater than status.readyReplicas"));
  return causes;
}

/** StatefulSet names become pod hostnames (`<name>-<ordinal>`), so upstream requires a DNS label. */
export const statefulsets: ResourceType = {
  ...resourceType({
    group: "apps",
    version: "v1",
    kind: "StatefulSet",
    plural: "statefulsets",
    namespaced: true,
    shortNames: ["sts"],
    categories: ["all"],
    subresources: [STATUS_SUBRESOURCE, SCALE_SUBRESOURCE],
    hasStatus: true,
    table: {
      columns: [NAME_COLUMN, column("Ready", "string", "Number of the pod with ready state"), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
      cells(obj, now) {
        const sts = obj as unknown as StatefulSet;
        const [names, images] = containerCells(sts.spec?.template?.spec);
        return [sts.metadata?.name ?? "", `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`, age(obj, now), names, images];
      },
    },
    defaults: defaultStatefulSet,
    validate: (obj, old, ctx) => (ctx.subresource === "status" ? validateStatefulSetStatus(obj) : validateStatefulSet(obj, old)),
    prepareForCreate(obj) {
      obj.status = {};
    },
  }),
  nameValidator: nameIsDNSLabel,
};
