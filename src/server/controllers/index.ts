/**
 * Starts the server's controllers over the in-process client, each fed by informers or watches.
 */
import type { Logger } from "../../shared/log.js";
import { parseApiVersion } from "../../shared/api/types.js";
import { Informer } from "../../shared/client/informer.js";
import type { ResourceRef } from "../../shared/client/types.js";
import type { ControlPlane } from "../control-plane.js";
import { LocalClient } from "../local-client.js";
import { NamespaceController } from "./namespace-controller.js";
import { GarbageCollector } from "./garbage-collector.js";
import { DEFAULT_SERVICE_ACCOUNT, ServiceAccountController } from "./serviceaccount-controller.js";
import { ROOT_CA_CONFIGMAP, RootCAPublisher } from "./root-ca-publisher.js";
import { startScheduler } from "../scheduler/index.js";
import { NodeIpamController, PodCidrAllocator } from "./node-ipam-controller.js";
import { NodeLifecycleController } from "./node-lifecycle-controller.js";
import { EventTTLController } from "./event-ttl-controller.js";
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND, ReplicaSetController } from "./replicaset-controller.js";
import { DeploymentController } from "./deployment-controller.js";

export interface RunningControllers {
  stop(): void;
}

export interface ControllerOptions {
  /** The cluster CA certificate (PEM) published to every namespace. */
  caCertPem: string;
  /** Pod addresses, split into one /24 per node. */
  clusterCidr: string;
}

export function startControllers(cp: ControlPlane, opts: ControllerOptions, log: Logger): RunningControllers {
  const client = new LocalClient(cp);
  // One entry per stored resource: preferred versions, minus versions served from another's storage.
  const preferred = [...cp.stores.keys()].filter((rt) => cp.registry.preferred(rt.group, rt.plural) === rt && !rt.sharedStorage);
  const refOf = (rt: { group: string; plural: string }): ResourceRef => ({ group: rt.group, plural: rt.plural });

  const namespaces = new Informer(client, { group: "", plural: "namespaces" }, log.child({ informer: "namespaces" }));
  const nsController = new NamespaceController(client, namespaces, preferred.filter((rt) => rt.namespaced).map(refOf), log.child({ controller: "namespace" }));

  const resolveKind = (apiVersion: string, kind: string): ResourceRef | undefined => {
    const { group } = parseApiVersion(apiVersion);
    const rt = preferred.find((r) => r.group === group && r.kind === kind);
    return rt ? refOf(rt) : undefined;
  };
  const gc = new GarbageCollector(client, preferred.map(refOf), resolveKind, log.child({ controller: "garbage-collector" }));

  // Informers caching only the objects these controllers own, to keep memory flat as clusters grow.
  const defaultServiceAccounts = new Informer(client, { group: "", plural: "serviceaccounts" }, log.child({ informer: "serviceaccounts" }), undefined, { fieldSelector: `metadata.name=${DEFAULT_SERVICE_ACCOUNT}` });
  const rootCaConfigMaps = new Informer(client, { group: "", plural: "configmaps" }, log.child({ informer: "configmaps" }), undefined, { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
  const saController = new ServiceAccountController(client, namespaces, defaultServiceAccounts, log.child({ controller: "serviceaccount" }));
  const caPublisher = new RootCAPublisher(client, namespaces, rootCaConfigMaps, opts.caCertPem, log.child({ controller: "root-ca-cert-publisher" }));

  const nodes = new Informer(client, { group: "", plural: "nodes" }, log.child({ informer: "nodes" }));
  const ipam = new NodeIpamController(client, nodes, new PodCidrAllocator(opts.clusterCidr), log.child({ controller: "node-ipam" }));

  // Workloads: Deployments → ReplicaSets → pods (and ReplicationControllers → pods), sharing one pod cache.
  const pods = new Informer(client, { group: "", plural: "pods" }, log.child({ informer: "pods" }));
  const replicaSets = new Informer(client, { group: "apps", plural: "replicasets" }, log.child({ informer: "replicasets" }));
  const replicationControllers = new Informer(client, { group: "", plural: "replicationcontrollers" }, log.child({ informer: "replicationcontrollers" }));
  const deployments = new Informer(client, { group: "apps", plural: "deployments" }, log.child({ informer: "deployments" }));
  const rsController = new ReplicaSetController(client, REPLICA_SET_KIND, replicaSets, pods, log.child({ controller: "replicaset" }));
  const rcController = new ReplicaSetController(client, REPLICATION_CONTROLLER_KIND, replicationControllers, pods, log.child({ controller: "replicationcontroller" }));
  const deploymentController = new DeploymentController(client, deployments, replicaSets, pods, log.child({ controller: "deployment" }));

  const informers = [namespaces, defaultServiceAccounts, rootCaConfigMaps, nodes, pods, replicaSets, replicationControllers, deployments];
  for (const i of informers) i.start();
  const failed = (name: string) => (err: unknown) => log.error({ controller: name, err }, "controller stopped");
  nsController.run().catch(failed("namespace"));
  gc.run().catch(failed("garbage-collector"));
  saController.run().catch(failed("serviceaccount"));
  caPublisher.run().catch(failed("root-ca-cert-publisher"));
  ipam.run().catch(failed("node-ipam"));
  rsController.run().catch(failed("replicaset"));
  rcController.run().catch(failed("replicationcontroller"));
  deploymentController.run().catch(failed("deployment"));
  const lifecycle = new NodeLifecycleController(client, log.child({ controller: "node-lifecycle" }));
  lifecycle.start();
  const eventTtl = new EventTTLController(client, log.child({ controller: "event-ttl" }));
  eventTtl.start();
  const scheduler = startScheduler(cp, log.child({ controller: "scheduler" }));
  return {
    stop() {
      scheduler.stop();
      gc.stop();
      nsController.stop();
      saController.stop();
      caPublisher.stop();
      ipam.stop();
      lifecycle.stop();
      eventTtl.stop();
      rsController.stop();
      rcController.stop();
      deploymentController.stop();
      for (const i of informers) i.stop();
    },
  };
}
