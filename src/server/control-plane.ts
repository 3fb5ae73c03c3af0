/**
 * The API machinery in one place: the registry of every served kind, a `GenericStore` per kind over
 * the shared revision log, admission (namespace lifecycle, Service IPs), subresource and review
 * handlers, and the in-process client that controllers use.
 */
import type { KubeObject } from "../shared/api/types.js";
import type { Logger } from "../shared/log.js";
import type { Store } from "./storage/types.js";
import { Registry } from "./registry/registry.js";
import { GenericStore, type Admission } from "./registry/generic-store.js";
import type { ResourceType } from "./registry/types.js";
import { allResources } from "./registry/index.js";
import { REVIEW_RESOURCES, reviewHandlers } from "./apiserver/reviews.js";
import type { SubresourceHandler } from "./apiserver/resource-handler.js";
import type { VirtualCreateHandler } from "./apiserver/api-handler.js";
import { NamespaceLifecycle } from "./admission/namespace-lifecycle.js";
import { ServiceIpAllocator } from "./admission/service-ips.js";
import { recordManagedFields } from "./apiserver/patch-request.js";
import { legacyBindingsHandler, podBindingHandler } from "./apiserver/pod-binding.js";

export interface ControlPlane {
  registry: Registry;
  stores: Map<ResourceType, GenericStore>;
  /** The store of a resource in its preferred version. */
  store(group: string, plural: string): GenericStore;
  subresourceHandlers: Map<string, SubresourceHandler>;
  virtualCreate: Map<string, VirtualCreateHandler>;
  serviceIps: ServiceIpAllocator;
  /** Writes heartbeat renewals held in memory: the due ones, or all (at shutdown). */
  flushHeartbeats(all?: boolean): Promise<void>;
}

function isService(rt: ResourceType): boolean {
  return rt.group === "" && rt.plural === "services";
}

export async function buildControlPlane(opts: { store: Store; log: Logger }): Promise<ControlPlane> {
  const registry = new Registry([...allResources(), ...REVIEW_RESOURCES]);
  const stores = new Map<ResourceType, GenericStore>();
  const serviceIps = new ServiceIpAllocator();
  const byGroupPlural = (group: string, plural: string): GenericStore => {
    const rt = registry.preferred(group, plural);
    if (!rt) throw new Error(`resource ${plural}.${group} is not registered`);
    return stores.get(rt)!;
  };
  const lifecycle = new NamespaceLifecycle(() => byGroupPlural("", "namespaces"));

  const admission: Admission = {
    async admitCreate(rt, obj: KubeObject, w) {
      await lifecycle.checkCreate(rt, obj);
      if (isService(rt)) serviceIps.assign(obj, !w.dryRun);
    },
    async admitUpdate(rt, obj, old, w) {
      if (isService(rt)) serviceIps.reassign(obj, old, !w.dryRun);
    },
    async admitDelete(rt, obj) {
      lifecycle.checkDelete(rt, obj.metadata.name ?? "");
    },
    async afterDelete(rt, obj) {
      if (isService(rt)) serviceIps.release(obj);
    },
  };

  const virtualCreate = reviewHandlers();
  // The legacy `POST /api/v1/namespaces/<ns>/bindings` collection is served by the pod store, not a store of its own.
  virtualCreate.set("/v1/bindings", legacyBindingsHandler(() => byGroupPlural("", "pods")));
  for (const rt of registry.resources) {
    if (virtualCreate.has(`${rt.group}/${rt.version}/${rt.plural}`)) continue;
    stores.set(rt, new GenericStore(rt, opts.store, admission, recordManagedFields));
  }
  // Allocations already made by stored Services.
  const services = await byGroupPlural("", "services").list(undefined);
  for (const svc of services.items) serviceIps.observe(svc);

  const subresourceHandlers = new Map<string, SubresourceHandler>([["/pods/binding", podBindingHandler]]);
  const flushHeartbeats = async (all = false): Promise<void> => {
    for (const store of stores.values()) await store.flushRenewals(all);
  };
  return { registry, stores, store: byGroupPlural, subresourceHandlers, virtualCreate, serviceIps, flushHeartbeats };
}
