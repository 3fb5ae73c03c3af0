/**
 * Objects every cluster has from its first start: the system namespaces, and the `kubernetes`
 * Service with its Endpoints (and EndpointSlice) pointing at this API server. Idempotent: runs on
 * every start and repairs what is missing or stale.
 */
import { ApiError } from "../shared/api/status.js";
import type { KubeObject } from "../shared/api/types.js";
import type { Logger } from "../shared/log.js";
import { SYSTEM_NAMESPACES } from "./admission/namespace-lifecycle.js";
import type { GenericStore } from "./registry/generic-store.js";

export interface BootstrapTargets {
  namespaces: GenericStore;
  services: GenericStore;
  endpoints: GenericStore;
  endpointSlices?: GenericStore;
  /** Address clients inside the cluster use to reach the API server (the node IP). */
  advertiseAddress: string;
  port: number;
  serviceIp: string;
  log: Logger;
}

async function ensure(store: GenericStore, namespace: string, desired: KubeObject, log: Logger, sameAs?: (live: KubeObject) => boolean): Promise<void> {
  const name = desired.metadata.name!;
  const live = await store.tryGet(namespace, name);
  if (!live) {
    try {
      await store.create(namespace, desired, { fieldManager: "kube-lite-bootstrap" });
      log.debug({ kind: store.rt.kind, namespace, name }, "created bootstrap object");
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
    return;
  }
  if (sameAs && !sameAs(live)) {
    await store.update(namespace, name, { ...desired, metadata: { ...live.metadata, labels: desired.metadata.labels } }, "", { fieldManager: "kube-lite-bootstrap" });
    log.info({ kind: store.rt.kind, namespace, name }, "repaired bootstrap object");
  }
}

export async function bootstrapCluster(t: BootstrapTargets): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(t.namespaces, "", { apiVersion: "v1", kind: "Namespace", metadata: { name } }, t.log);
  }
  const labels = { component: "apiserver", provider: "kubernetes" };
  await ensure(
    t.services,
    "default",
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kubernetes", namespace: "default", labels },
      spec: { type: "ClusterIP", clusterIP: t.serviceIp, clusterIPs: [t.serviceIp], ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: t.port }], sessionAffinity: "None" },
    },
    t.log,
  );
  // A machine with only loopback has no address pods could use (Endpoints may not hold loopback IPs).
  const routable = !t.advertiseAddress.startsWith("127.") && t.advertiseAddress !== "::1";
  if (!routable) t.log.warn({ address: t.advertiseAddress }, "no non-loopback address: the kubernetes Endpoints stay empty");
  const subsets = routable ? [{ addresses: [{ ip: t.advertiseAddress }], ports: [{ name: "https", port: t.port, protocol: "TCP" }] }] : [];
  await ensure(
    t.endpoints,
    "default",
    { apiVersion: "v1", kind: "Endpoints", metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } }, subsets },
    t.log,
    (live) => JSON.stringify(live.subsets) === JSON.stringify(subsets),
  );
  if (t.endpointSlices && routable) {
    const endpoints = [{ addresses: [t.advertiseAddress], conditions: { ready: true } }];
    await ensure(
      t.endpointSlices,
      "default",
      {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes", "endpointslice.kubernetes.io/managed-by": "kube-lite" } },
        addressType: "IPv4",
        endpoints,
        ports: [{ name: "https", port: t.port, protocol: "TCP" }],
      },
      t.log,
      (live) => JSON.stringify(live.endpoints) === JSON.stringify(endpoints),
    );
  }
}
