/**
 * node.k8s.io/v1 RuntimeClass (cluster-scoped): validation (pkg/apis/node/validation: handler is a DNS
 * label and immutable, scheduling labels valid) and table (`printRuntimeClass`).
 */
import type { RuntimeClass } from "kubernetes-types/node/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { nameIsDNSLabel, validateLabels } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, immutable } from "./common.js";

/**
 * Upstream `ValidateRuntimeClass` / `ValidateRuntimeClassUpdate`.
 *
 * @example validateRuntimeClass({ metadata: { name: "gvisor" }, handler: "runsc" }, undefined) // []
 */
export function validateRuntimeClass(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const rc = obj as unknown as RuntimeClass;
  const handler = rc.handler ?? "";
  const causes = nameIsDNSLabel(handler, false).map((msg) => fieldError.invalid("handler", handler, msg));
  if (rc.scheduling?.nodeSelector) causes.push(...validateLabels(rc.scheduling.nodeSelector, "scheduling.nodeSelector"));
  if (old) causes.push(...immutable(rc.handler, (old as unknown as RuntimeClass).handler, "handler"));
  return causes;
}

export const runtimeclasses: ResourceType = resourceType({
  group: "node.k8s.io",
  version: "v1",
  kind: "RuntimeClass",
  plural: "runtimeclasses",
  namespaced: false,
  generationTracksSpec: false,
  table: {
    columns: [NAME_COLUMN, column("Handler", "string", "handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class."), AGE_COLUMN],
    cells(obj, now) {
      return [obj.metadata.name ?? "", (obj as unknown as RuntimeClass).handler ?? "", age(obj, now)];
    },
  },
  validate: (obj, old) => validateRuntimeClass(obj, old),
});
