/**
 * How the scheduler binds: a `Binder` posts a `v1 Binding` for a pod. In the server it goes through the
 * same code as `POST …/pods/<name>/binding` (the pod store's guaranteed update with subresource
 * "binding"); an out-of-process scheduler would POST it over HTTP.
 */
import type { ControlPlane } from "../control-plane.js";
import { bindPod } from "../apiserver/pod-binding.js";

export interface BindTarget {
  namespace: string;
  name: string;
  uid?: string;
  nodeName: string;
}

export interface Binder {
  bind(target: BindTarget): Promise<void>;
}

/**
 * A binder over the in-process API: the pods/binding subresource's own code path.
 *
 * @example new Scheduler(client, localBinder(cp), log)
 */
export function localBinder(cp: ControlPlane): Binder {
  return {
    async bind(t) {
      await bindPod(cp.store("", "pods"), { namespace: t.namespace, name: t.name, uid: t.uid, nodeName: t.nodeName });
    },
  };
}
