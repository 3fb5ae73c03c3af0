/**
 * NamespaceLifecycle admission, as upstream: namespaced objects may be created only in a namespace
 * that exists and is not terminating; the system namespaces cannot be deleted.
 */
import { ApiError, forbidden, notFound } from "../../shared/api/status.js";
import type { KubeObject } from "../../shared/api/types.js";
import type { GenericStore } from "../registry/generic-store.js";
import type { ResourceType } from "../registry/types.js";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Kinds that may be created in a terminating namespace (upstream lets events and reviews through). */
const ALLOWED_WHILE_TERMINATING = new Set(["events", "localsubjectaccessreviews"]);

export class NamespaceLifecycle {
  constructor(private readonly namespaces: () => GenericStore) {}

  async checkCreate(rt: ResourceType, obj: KubeObject): Promise<void> {
    if (!rt.namespaced) return;
    const ns = obj.metadata.namespace ?? "";
    const nsObj = await this.namespaces().tryGet("", ns);
    if (!nsObj) throw notFound("", "namespaces", ns);
    const phase = (nsObj.status as { phase?: string } | undefined)?.phase;
    if ((nsObj.metadata.deletionTimestamp || phase === "Terminating") && !ALLOWED_WHILE_TERMINATING.has(rt.plural)) {
      throw new ApiError(403, "Forbidden", `${rt.singular} "${obj.metadata.name ?? ""}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
        name: obj.metadata.name,
        group: rt.group,
        kind: rt.plural,
        causes: [{ reason: "NamespaceTerminating", message: `namespace ${ns} is being terminated`, field: "metadata.namespace" }],
      });
    }
  }

  checkDelete(rt: ResourceType, name: string): void {
    if (rt.group === "" && rt.plural === "namespaces" && SYSTEM_NAMESPACES.includes(name)) {
      throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: "namespaces" });
    }
  }
}
