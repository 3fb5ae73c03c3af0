/**
 * The requests the benchmark sends: small ConfigMaps in the default namespace, as a controller or
 * `kubectl create configmap` would write them.
 */
import type { RequestSpec } from "./load.js";

export const NAMESPACE = "default";
export const CONFIGMAPS_PATH = `/api/v1/namespaces/${NAMESPACE}/configmaps`;

/** A small ConfigMap body (about 200 bytes, like a typical settings map). */
export function configMapBody(name: string, data: Record<string, string> = { key: "value", mode: "benchmark" }): string {
  return JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels: { app: "kube-lite-bench" } }, data });
}

/**
 * Creates of `prefix-<i>`: each request number makes a new object.
 *
 * @example runLoad({ ..., request: createConfigMaps("c16") })
 */
export function createConfigMaps(prefix: string): (i: number) => RequestSpec {
  return (i) => ({ method: "POST", path: CONFIGMAPS_PATH, body: configMapBody(`${prefix}-${i}`), expect: 201 });
}

/**
 * Gets of `prefix-<i mod existing>`: spreads reads over objects created earlier.
 *
 * @example runLoad({ ..., request: getConfigMaps("c16", 2000) })
 */
export function getConfigMaps(prefix: string, existing: number): (i: number) => RequestSpec {
  return (i) => ({ method: "GET", path: `${CONFIGMAPS_PATH}/${prefix}-${i % existing}`, expect: 200 });
}

/**
 * Unconditional updates (PUT without resourceVersion) cycling over `keys` objects `prefix-<k>`:
 * request i writes key `i mod keys`, so every key gets count/keys revisions of history.
 *
 * @example runLoad({ ..., request: updateConfigMaps("s", 1000) })
 */
export function updateConfigMaps(prefix: string, keys: number): (i: number) => RequestSpec {
  return (i) => {
    const name = `${prefix}-${i % keys}`;
    return { method: "PUT", path: `${CONFIGMAPS_PATH}/${name}`, body: configMapBody(name, { key: "value", round: String(Math.floor(i / keys)) }), expect: 200 };
  };
}
