/**
 * Bindings (core/v1): create-only; binds a pod to a node (what the scheduler posts). The API layer
 * applies it to the pod; this entry validates the request as upstream `ValidatePodBinding`.
 */
import type { Binding } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { resourceType, type ResourceType } from "../types.js";

export const bindings: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "Binding",
  plural: "bindings",
  namespaced: true,
  verbs: ["create"],
  generationTracksSpec: false,
  validate(obj) {
    const errs: StatusCause[] = [];
    const target = (obj as unknown as Binding).target ?? { name: "" };
    if (target.kind && target.kind !== "Node") errs.push(fieldError.notSupported("target.kind", target.kind, ["Node", "<empty>"]));
    if (!target.name) errs.push(fieldError.required("target.name"));
    return errs;
  },
});
