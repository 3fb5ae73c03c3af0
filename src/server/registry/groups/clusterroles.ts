/**
 * rbac.authorization.k8s.io/v1 ClusterRole (cluster-scoped): rule and aggregation-rule validation,
 * and the apiserver's default Name / Created At table.
 */
import type { ClusterRole } from "kubernetes-types/rbac/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import type { StatusCause } from "../../../shared/api/status.js";
import { resourceType, type ResourceType } from "../types.js";
import { nameIsValidPathSegment } from "../../../shared/api/validation.js";
import { CREATED_AT_TABLE } from "./common.js";
import { RBAC_GROUP, validateAggregationRule, validateRules } from "./rbac-common.js";

/** Upstream `ValidateClusterRole`. */
export function validateClusterRole(obj: KubeObject): StatusCause[] {
  const cr = obj as unknown as ClusterRole;
  return [...validateRules(cr.rules, false), ...validateAggregationRule(cr.aggregationRule)];
}

export const clusterroles: ResourceType = {
  ...resourceType({
    group: RBAC_GROUP,
    version: "v1",
    kind: "ClusterRole",
    plural: "clusterroles",
    namespaced: false,
    generationTracksSpec: false,
    table: CREATED_AT_TABLE,
    validate: (obj) => validateClusterRole(obj),
  }),
  nameValidator: nameIsValidPathSegment,
};
