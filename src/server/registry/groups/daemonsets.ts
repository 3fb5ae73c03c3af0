/**
 * apps/v1 DaemonSet: defaults (updateStrategy RollingUpdate maxUnavailable 1 / maxSurge 0, history 10),
 * validation (pkg/apis/apps/validation `ValidateDaemonSetSpec`), strategy and table.
 */
import type { DaemonSet, DaemonSetSpec, DaemonSetStatus, DaemonSetUpdateStrategy } from "kubernetes-types/apps/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { defaultPodTemplateSpec } from "../core-v1/pod-defaults.js";
import { validatePodTemplateSpec } from "../core-v1/pod-validation.js";
import { AGE_COLUMN, NAME_COLUMN, age, formatLabelSelector, formatMapSelector } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import {
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  STATUS_SUBRESOURCE,
  column,
  containerCells,
  ensure,
  immutable,
  intOrPercentValue,
  nonNegative,
  notMoreThan100Percent,
  specOf,
  statusOf,
  validatePositiveIntOrPercent,
  validateWorkloadSelector,
} from "./common.js";
import { DEFAULT_REVISION_HISTORY_LIMIT } from "./deployments.js";

/** One node at a time: a DaemonSet rollout replaces pods node by node. */
export const DEFAULT_DAEMONSET_MAX_UNAVAILABLE = 1;
/** No surge: two copies of a node agent on one node usually conflict (host ports, devices). */
export const DEFAULT_DAEMONSET_MAX_SURGE = 0;

/**
 * Fills upstream's DaemonSet defaults in place.
 *
 * @example defaultDaemonSet(ds); // updateStrategy {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1, maxSurge: 0}}
 */
export function defaultDaemonSet(obj: KubeObject): void {
  const spec = ensure<DaemonSetSpec>(obj, "spec");
  const strategy = ensure<DaemonSetUpdateStrategy>(spec, "updateStrategy");
  if (!strategy.type) strategy.type = "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const ru = ensure<NonNullable<DaemonSetUpdateStrategy["rollingUpdate"]>>(strategy, "rollingUpdate");
    ru.maxUnavailable ??= DEFAULT_DAEMONSET_MAX_UNAVAILABLE;
    ru.maxSurge ??= DEFAULT_DAEMONSET_MAX_SURGE;
  }
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  defaultPodTemplateSpec(ensure<NonNullable<DaemonSetSpec["template"]>>(spec, "template"));
}

/** Upstream `ValidateDaemonSetUpdateStrategy` + `ValidateRollingUpdateDaemonSet`. */
function validateUpdateStrategy(strategy: DaemonSetUpdateStrategy | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  switch (strategy?.type) {
    case "OnDelete":
      break;
    case "RollingUpdate": {
      const ru = strategy.rollingUpdate;
      if (!ru) return [fieldError.required(`${path}.rollingUpdate`)];
      const p = `${path}.rollingUpdate`;
      causes.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
      causes.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      causes.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      causes.push(...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) causes.push(fieldError.invalid(`${p}.maxSurge`, ru.maxSurge, "may not be set when maxUnavailable is non-zero"));
      if (!hasUnavailable && !hasSurge) causes.push(fieldError.required(`${p}.maxUnavailable`, "cannot be 0 when maxSurge is 0"));
      break;
    }
    default:
      causes.push(fieldError.notSupported(path, strategy ?? {}, ["RollingUpdate", "OnDelete"]));
  }
  return causes;
}

/**
 * Upstream `ValidateDaemonSetSpec` plus the apps/v1 selector immutability.
 *
 * @example validateDaemonSet(ds, undefined) // [] for a valid DaemonSet
 */
export function validateDaemonSet(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf<DaemonSetSpec>(obj);
  const causes: StatusCause[] = [];
  causes.push(...validateWorkloadSelector(spec.selector, spec.template, "spec", "empty selector is invalid for daemonset"));
  causes.push(...validatePodTemplateSpec(spec.template, "spec.template"));
  const podSpec = spec.template?.spec;
  if ((podSpec?.restartPolicy ?? "") !== "Always") {
    causes.push(fieldError.notSupported("spec.template.spec.restartPolicy", podSpec?.restartPolicy ?? "", ["Always"]));
  }
  if (podSpec?.activeDeadlineSeconds !== undefined) {
    causes.push(fieldError.forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in DaemonSet is not Supported"));
  }
  causes.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  causes.push(...validateUpdateStrategy(spec.updateStrategy, "spec.updateStrategy"));
  causes.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  if (old) causes.push(...immutable(spec.selector, specOf<DaemonSetSpec>(old).selector, "spec.selector"));
  return causes;
}

/** Upstream `validateDaemonSetStatus` (writes to /status). */
export function validateDaemonSetStatus(obj: KubeObject): StatusCause[] {
  const st = statusOf<DaemonSetStatus>(obj);
  const fields = [
    "currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady", "observedGeneration",
    "updatedNumberScheduled", "numberAvailable", "numberUnavailable", "collisionCount",
  ] as const;
  return fields.flatMap((f) => nonNegative(st[f], `status.${f}`));
}

export const daemonsets: ResourceType = resourceType({
  group: "apps",
  version: "v1",
  kind: "DaemonSet",
  plural: "daemonsets",
  namespaced: true,
  shortNames: ["ds"],
  categories: ["all"],
  subresources: [STATUS_SUBRESOURCE],
  hasStatus: true,
  table: {
    columns: [
      NAME_COLUMN,
      column("Desired", "integer", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
      column("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
      column("Ready", "integer", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
      column("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
      column("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
      column("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      column("Selector", "string", "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
    ],
    cells(obj, now) {
      const ds = obj as unknown as DaemonSet;
      const st = ds.status;
      const [names, images] = containerCells(ds.spec?.template?.spec);
      return [
        ds.metadata?.name ?? "",
        st?.desiredNumberScheduled ?? 0,
        st?.currentNumberScheduled ?? 0,
        st?.numberReady ?? 0,
        st?.updatedNumberScheduled ?? 0,
        st?.numberAvailable ?? 0,
        formatMapSelector(ds.spec?.template?.spec?.nodeSelector),
        age(obj, now),
        names,
        images,
        formatLabelSelector(ds.spec?.selector),
      ];
    },
  },
  defaults: defaultDaemonSet,
  validate: (obj, old, ctx) => (ctx.subresource === "status" ? validateDaemonSetStatus(obj) : validateDaemonSet(obj, old)),
  prepareForCreate(obj) {
    obj.status = {};
  },
});
