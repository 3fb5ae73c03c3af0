/**
 * ReplicationControllers (core/v1): the original replica controller. Defaults (selector and labels from
 * the template, one replica), validation after upstream `ValidateReplicationController`, the scale
 * subresource, and the `kubectl get rc` table.
 */
import type { ReplicationControllerSpec, ReplicationControllerStatus } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { validateLabels } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age, formatMapSelector } from "../printing.js";
import { resourceType, type ResourceType, type TableSpec } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { column, containerCells } from "./columns.js";
import { nonNegative } from "./field-checks.js";
import { defaultPodTemplateSpec } from "./pod-defaults.js";
import { validatePodTemplateSpec } from "./pod-validation.js";

function specOf(obj: KubeObject): ReplicationControllerSpec {
  return (obj.spec ?? {}) as ReplicationControllerSpec;
}

function statusOf(obj: KubeObject): ReplicationControllerStatus {
  return (obj.status ?? {}) as ReplicationControllerStatus;
}

/** True when every selector pair is in `labels` (an empty selector matches nothing here; it is rejected anyway). */
function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

function validateRC(obj: KubeObject): StatusCause[] {
  const spec = specOf(obj);
  const errs: StatusCause[] = [];
  errs.push(...nonNegative(spec.replicas, "spec.replicas"));
  errs.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  const selector = spec.selector ?? {};
  if (!Object.keys(selector).length) errs.push(fieldError.required("spec.selector"));
  else errs.push(...validateLabels(selector, "spec.selector"));
  if (!spec.template) {
    errs.push(fieldError.required("spec.template"));
    return errs;
  }
  const labels = spec.template.metadata?.labels;
  if (Object.keys(selector).length && !selectorMatches(selector, labels)) {
    errs.push(fieldError.invalid("spec.template.metadata.labels", labels ?? {}, "`selector` does not match template `labels`"));
  }
  errs.push(...validatePodTemplateSpec(spec.template, "spec.template"));
  const podSpec = spec.template.spec;
  if (podSpec?.restartPolicy && podSpec.restartPolicy !== "Always") {
    errs.push(fieldError.notSupported("spec.template.spec.restartPolicy", podSpec.restartPolicy, ["Always"]));
  }
  if (podSpec?.activeDeadlineSeconds !== undefined) {
    errs.push(fieldError.forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in ReplicationController is not Supported"));
  }
  return errs;
}

const rcTable: TableSpec = {
  columns: [
    NAME_COLUMN,
    column("Desired", FIELD_DOCS["ReplicationControllerSpec.replicas"], 0, "integer"),
    column("Current", FIELD_DOCS["ReplicationControllerStatus.replicas"], 0, "integer"),
    column("Ready", FIELD_DOCS["ReplicationControllerStatus.readyReplicas"], 0, "integer"),
    AGE_COLUMN,
    column("Containers", "Names of each container in the template.", 1),
    column("Images", "Images referenced by each container in the template.", 1),
    column("Selector", FIELD_DOCS["ReplicationControllerSpec.selector"], 1),
  ],
  cells(obj, now) {
    const spec = specOf(obj);
    const status = statusOf(obj);
    const [names, images] = containerCells(spec.template?.spec?.containers);
    return [obj.metadata.name ?? "", spec.replicas ?? 1, status.replicas ?? 0, status.readyReplicas ?? 0, age(obj, now), names, images, formatMapSelector(spec.selector)];
  },
};

export const replicationControllers: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "ReplicationController",
  plural: "replicationcontrollers",
  namespaced: true,
  shortNames: ["rc"],
  categories: ["all"],
  hasStatus: true,
  subresources: [
    { name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] },
    { name: "status", verbs: ["get", "patch", "update"] },
  ],
  table: rcTable,
  defaults(obj) {
    const spec = (obj.spec ??= {}) as ReplicationControllerSpec;
    const labels = spec.template?.metadata?.labels;
    if (labels) {
      // Upstream fills an empty selector and empty object labels from the template labels.
      if (!Object.keys(spec.selector ?? {}).length) spec.selector = { ...labels };
      if (!Object.keys(obj.metadata.labels ?? {}).length) obj.metadata.labels = { ...labels };
    }
    spec.replicas ??= 1;
    if (spec.template) defaultPodTemplateSpec(spec.template);
  },
  validate(obj, _old, ctx) {
    if (ctx.subresource === "status") return [];
    return validateRC(obj);
  },
  prepareForCreate(obj) {
    // The controller reports replicas; a new RC starts with none observed (upstream resets status).
    obj.status = { replicas: 0 };
  },
  fieldSelectors: {
    "status.replicas": (o) => String(statusOf(o).replicas ?? 0),
  },
});
