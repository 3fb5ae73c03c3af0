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

export interface RunningControllers {
  stop(): void;
}

export function startControllers(cp: ControlPlane, log: Logger): RunningControllers {
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

  namespaces.start();
  const failed = (name: string) => (err: unknown) => log.error({ controller: name, err }, "controller stopped");
  nsController.run().catch(failed("namespace"));
  gc.run().catch(failed("garbage-collector"));
  return {
    stop() {
      gc.stop();
      nsController.stop();
      namespaces.stop();
    },
  };
}
