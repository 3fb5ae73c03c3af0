/**
 * Starts the server's controllers over the in-process client, each fed by shared informers.
 */
import type { Logger } from "../../shared/log.js";
import { Informer } from "../../shared/client/informer.js";
import type { ControlPlane } from "../control-plane.js";
import { LocalClient } from "../local-client.js";
import { NamespaceController } from "./namespace-controller.js";

export interface RunningControllers {
  stop(): void;
}

export function startControllers(cp: ControlPlane, log: Logger): RunningControllers {
  const client = new LocalClient(cp);
  const namespaces = new Informer(client, { group: "", plural: "namespaces" }, log.child({ informer: "namespaces" }));
  const namespaced = [...cp.stores.keys()]
    .filter((rt) => rt.namespaced && cp.registry.preferred(rt.group, rt.plural) === rt)
    .map((rt) => ({ group: rt.group, plural: rt.plural }));
  const nsController = new NamespaceController(client, namespaces, namespaced, log.child({ controller: "namespace" }));
  namespaces.start();
  void nsController.run();
  return {
    stop() {
      nsController.stop();
      namespaces.stop();
    },
  };
}
