/**
 * rbac.authorization.k8s.io/v1 ClusterRoleBinding (cluster-scoped): defaults, validation (roleRef must
 * be a ClusterRole and is immutable; service-account subjects need a namespace) and table.
 */
import type { ClusterRoleBinding } from "kubernetes-types/rbac/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import type { StatusCause } from "../../../shared/api/status.js";
import { resourceType, type ResourceType } from "../types.js";
import { nameIsValidPathSegment } from "../../../shared/api/validation.js";
import { RBAC_GROUP, validateBinding } from "./rbac-common.js";
import { bindingTable, defaultBinding } from "./rolebindings.js";

/** Upstream `ValidateClusterRoleBinding(Update)`. */
export function validateClusterRoleBinding(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const b = obj as unknown as ClusterRoleBinding;
  return validateBinding(b.roleRef, b.subjects, false, old ? (old as unknown as ClusterRoleBinding).roleRef : undefined);
}

export const clusterrolebindings: ResourceType = {
  ...resourceType({
    group: RBAC_GROUP,
    version: "v1",
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    namespaced: false,
    generationTracksSpec: false,
    table: bindingTable("clusterRoleBinding", "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable."),
    defaults: defaultBinding,
    validate: (obj, old) => validateClusterRoleBinding(obj, old),
  }),
  nameValidator: nameIsValidPathSegment,
};
