/**
 * networking.k8s.io/v1 IngressClass (cluster-scoped): defaults (parameters scope Cluster), validation
 * (pkg/apis/networking/validation `ValidateIngressClass(Update)`) and table (`printIngressClass`).
 */
import type { IngressClass, IngressClassSpec } from "kubernetes-types/networking/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isDNS1123Label } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, immutable, specOf, validateDomainPrefixedPath } from "./common.js";
import { validateTypedLocalObjectReference } from "./ingresses.js";

/** Upstream `maxLenIngressClassController`. */
const MAX_CONTROLLER_LENGTH = 250;

/**
 * Upstream `SetDefaults_IngressClass`: a parameters reference without scope is cluster-scoped.
 *
 * @example defaultIngressClass(ic); // ic.spec.parameters.scope === "Cluster"
 */
export function defaultIngressClass(obj: KubeObject): void {
  const params = specOf<IngressClassSpec>(obj).parameters;
  if (params && !params.scope) params.scope = "Cluster";
}

/**
 * Upstream `ValidateIngressClass` (+ the immutable controller on update).
 *
 * @example validateIngressClass({ metadata: { name: "nginx" }, spec: { controller: "k8s.io/ingress-nginx" } }, undefined) // []
 */
export function validateIngressClass(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf<IngressClassSpec>(obj);
  const causes: StatusCause[] = [];
  const controller = spec.controller ?? "";
  if (controller.length > MAX_CONTROLLER_LENGTH) causes.push(fieldError.tooLong("spec.controller", MAX_CONTROLLER_LENGTH));
  causes.push(...validateDomainPrefixedPath(controller, "spec.controller"));
  const params = spec.parameters;
  if (params) {
    const p = "spec.parameters";
    causes.push(...validateTypedLocalObjectReference(params, p));
    if (!params.scope) {
      causes.push(fieldError.required(`${p}.scope`));
    } else if (params.scope !== "Cluster" && params.scope !== "Namespace") {
      causes.push(fieldError.notSupported(`${p}.scope`, params.scope, ["Cluster", "Namespace"]));
    } else if (params.scope === "Namespace") {
      if (params.namespace === undefined) causes.push(fieldError.required(`${p}.namespace`, "`parameters.scope` is set to 'Namespace'"));
      else for (const msg of isDNS1123Label(params.namespace)) causes.push(fieldError.invalid(`${p}.namespace`, params.namespace, msg));
    } else if (params.namespace !== undefined) {
      causes.push(fieldError.forbidden(`${p}.namespace`, "`parameters.scope` is set to 'Cluster'"));
    }
  }
  if (old) causes.push(...immutable(spec.controller, specOf<IngressClassSpec>(old).controller, "spec.controller"));
  return causes;
}

export const ingressclasses: ResourceType = resourceType({
  group: "networking.k8s.io",
  version: "v1",
  kind: "IngressClass",
  plural: "ingressclasses",
  namespaced: false,
  table: {
    columns: [
      NAME_COLUMN,
      column("Controller", "string", "Controller that is responsible for handling this class"),
      column("Parameters", "string", "A reference to a resource with additional parameters"),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const ic = obj as unknown as IngressClass;
      const p = ic.spec?.parameters;
      const parameters = p ? `${p.kind}${p.apiGroup !== undefined ? "." + p.apiGroup : ""}/${p.name}` : "<none>";
      return [ic.metadata?.name ?? "", ic.spec?.controller ?? "", parameters, age(obj, now)];
    },
  },
  defaults: defaultIngressClass,
  validate: (obj, old) => validateIngressClass(obj, old),
});
