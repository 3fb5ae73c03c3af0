/**
 * A container's environment as upstream's `makeEnvironmentVariables` builds it: Service variables,
 * then `envFrom` sources, then `env` entries (literal values, the downward API through `fieldRef`/`resourceFieldRef`,
 * ConfigMap and Secret keys). `$(VAR)` expansion happens later, in the runtime's container config.
 */
import type { ConfigMap, Container, EnvVarSource, Pod, Secret, Service } from "kubernetes-types/core/v1.js";
import type { ApiClient } from "../../../shared/client/types.js";
import type { EnvVar } from "../runtime/types.js";
import { parseQuantity } from "../runtime/resources.js";

const CONFIGMAPS = { group: "", plural: "configmaps" };
const SECRETS = { group: "", plural: "secrets" };

/** A missing ConfigMap/Secret or key: the container waits with CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  readonly reason = "CreateContainerConfigError";
}

export interface EnvContext {
  pod: Pod;
  podIP: string;
  hostIP: string;
  /** Services visible to the pod (see `servicesForPod`); their variables come first, env overrides them. */
  services?: Service[];
}

/**
 * The value of a downward API field path.
 *
 * @example fieldPathValue(ctx, "metadata.labels['app']") === "web"
 */
export function fieldPathValue(ctx: EnvContext, path: string): string {
  const m = ctx.pod.metadata ?? {};
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return (sub[1] === "labels" ? m.labels : m.annotations)?.[sub[2]!] ?? "";
  switch (path) {
    case "metadata.name": return m.name ?? "";
    case "metadata.namespace": return m.namespace ?? "";
    case "metadata.uid": return m.uid ?? "";
    case "spec.nodeName": return ctx.pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName": return ctx.pod.spec?.serviceAccountName ?? "";
    case "status.hostIP": case "status.hostIPs": return ctx.hostIP;
    case "status.podIP": case "status.podIPs": return ctx.pod.spec?.hostNetwork ? ctx.hostIP : ctx.podIP;
    default: throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
  }
}

/** `resourceFieldRef`: a container's request or limit, divided by the divisor and rounded up, as upstream. */
export function resourceFieldValue(container: Container, resource: string, divisor?: string): string {
  const [kind, name] = resource.split(".") as ["limits" | "requests", string];
  const list = container.resources?.[kind];
  let q = parseQuantity(list?.[name] as string | undefined);
  if (q === undefined && kind === "requests") q = parseQuantity(container.resources?.limits?.[name] as string | undefined);
  if (q === undefined) q = 0;
  const d = parseQuantity(divisor) || 1;
  return String(Math.ceil(q / d));
}

function decodeSecret(s: Secret, key: string): string | undefined {
  const v = s.data?.[key];
  if (v !== undefined) return Buffer.from(v, "base64").toString("utf8");
  return s.stringData?.[key];
}

/**
 * Resolves the container's env. ConfigMaps and Secrets are read from the API once per call.
 *
 * @example const env = await containerEnv(client, container, { pod, podIP, hostIP });
 */
export async function containerEnv(client: ApiClient, container: Container, ctx: EnvContext): Promise<EnvVar[]> {
  const ns = ctx.pod.metadata?.namespace ?? "default";
  const cache = new Map<string, Promise<ConfigMap | Secret | undefined>>();
  const read = (kind: "configmap" | "secret", name: string): Promise<ConfigMap | Secret | undefined> => {
    const k = `${kind}/${name}`;
    let p = cache.get(k);
    if (!p) {
      p = client.get(kind === "configmap" ? CONFIGMAPS : SECRETS, ns, name).then((o) => o as unknown as ConfigMap, () => undefined);
      cache.set(k, p);
    }
    return p;
  };
  const out = new Map<string, string>();
  for (const e of serviceEnv(ctx.services ?? [])) out.set(e.name, e.value);
  for (const src of container.envFrom ?? []) {
    const prefix = src.prefix ?? "";
    if (src.configMapRef) {
      const cm = (await read("configmap", src.configMapRef.name ?? "")) as ConfigMap | undefined;
      if (!cm) {
        if (src.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${src.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) out.set(prefix + k, v);
    } else if (src.secretRef) {
      const s = (await read("secret", src.secretRef.name ?? "")) as Secret | undefined;
      if (!s) {
        if (src.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${src.secretRef.name}" not found`);
      }
      for (const k of Object.keys(s.data ?? {})) out.set(prefix + k, decodeSecret(s, k) ?? "");
    }
  }
  for (const e of container.env ?? []) {
    if (!e.valueFrom) {
      out.set(e.name, e.value ?? "");
      continue;
    }
    const v = await valueFrom(e.valueFrom, container, ctx, read);
    if (v !== undefined) out.set(e.name, v);
  }
  return [...out].map(([name, value]) => ({ name, value }));
}

async function valueFrom(
  src: EnvVarSource,
  container: Container,
  ctx: EnvContext,
  read: (kind: "configmap" | "secret", name: string) => Promise<ConfigMap | Secret | undefined>,
): Promise<string | undefined> {
  if (src.fieldRef) return fieldPathValue(ctx, src.fieldRef.fieldPath);
  if (src.resourceFieldRef) {
    const target = src.resourceFieldRef.containerName ? ctx.pod.spec?.containers.find((c) => c.name === src.resourceFieldRef!.containerName) ?? container : container;
    return resourceFieldValue(target, src.resourceFieldRef.resource, src.resourceFieldRef.divisor as string | undefined);
  }
  if (src.configMapKeyRef) {
    const ref = src.configMapKeyRef;
    const cm = (await read("configmap", ref.name ?? "")) as ConfigMap | undefined;
    const v = cm?.data?.[ref.key];
    if (v === undefined) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${ctx.pod.metadata?.namespace}/${ref.name}` : `configmap "${ref.name}" not found`);
    }
    return v;
  }
  if (src.secretKeyRef) {
    const ref = src.secretKeyRef;
    const s = (await read("secret", ref.name ?? "")) as Secret | undefined;
    const v = s ? decodeSecret(s, ref.key) : undefined;
    if (v === undefined) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(s ? `couldn't find key ${ref.key} in Secret ${ctx.pod.metadata?.namespace}/${ref.name}` : `secret "${ref.name}" not found`);
    }
    return v;
  }
  return "";
}

/** Code-unit order, like upstream's sort.Strings; localeCompare would also load ICU's collation data (2.6 MB resident). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `my-svc` → `MY_SVC`, as upstream's `makeEnvVariableName`. */
function envName(s: string): string {
  return s.toUpperCase().replace(/-/g, "_");
}

/**
 * The environment upstream gives every container for the Services it can see (`envvars.FromServices`):
 * `<SVC>_SERVICE_HOST`, `<SVC>_SERVICE_PORT`, `<SVC>_SERVICE_PORT_<NAME>` and the Docker-link style
 * `<SVC>_PORT…` variables. Services without a cluster IP (headless, ExternalName) give none.
 *
 * @example serviceEnv([{ metadata: { name: "redis" }, spec: { clusterIP: "10.43.0.9", ports: [{ port: 6379 }] } }])
 *   // REDIS_SERVICE_HOST=10.43.0.9, REDIS_SERVICE_PORT=6379, REDIS_PORT=tcp://10.43.0.9:6379, REDIS_PORT_6379_TCP=…, …
 */
export function serviceEnv(services: Service[]): EnvVar[] {
  const out: EnvVar[] = [];
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === "None" || !svc.metadata?.name) continue;
    const name = envName(svc.metadata.name);
    const ports = svc.spec?.ports ?? [];
    out.push({ name: `${name}_SERVICE_HOST`, value: ip });
    if (ports[0]) out.push({ name: `${name}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const p of ports) if (p.name) out.push({ name: `${name}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
    if (ports[0]) out.push({ name: `${name}_PORT`, value: `${(ports[0].protocol ?? "TCP").toLowerCase()}://${ip}:${ports[0].port}` });
    for (const p of ports) {
      const proto = p.protocol ?? "TCP";
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push(
        { name: prefix, value: `${proto.toLowerCase()}://${ip}:${p.port}` },
        { name: `${prefix}_PROTO`, value: proto.toLowerCase() },
        { name: `${prefix}_PORT`, value: String(p.port) },
        { name: `${prefix}_ADDR`, value: ip },
      );
    }
  }
  return out;
}

/**
 * The Services whose variables a pod gets, as upstream's `getServiceEnvVarMap`: the pod's namespace
 * (unless `enableServiceLinks: false`) plus the API server's `kubernetes` Service of `default`, which
 * in-cluster clients find through KUBERNETES_SERVICE_HOST/PORT. A pod-namespace Service shadows a
 * same-named one from `default`.
 *
 * @example servicesForPod(pod, allServices) // [kubernetes, …services of pod's namespace]
 */
export function servicesForPod(pod: Pod, all: Service[]): Service[] {
  const ns = pod.metadata?.namespace ?? "default";
  const links = pod.spec?.enableServiceLinks !== false;
  const byName = new Map<string, Service>();
  for (const s of all) {
    const sNs = s.metadata?.namespace ?? "default";
    if (sNs === "default" && s.metadata?.name === "kubernetes") byName.set("kubernetes", s);
  }
  if (links) for (const s of all) if ((s.metadata?.namespace ?? "default") === ns && s.metadata?.name) byName.set(s.metadata.name, s);
  return [...byName.values()].sort((a, b) => byCodeUnits(a.metadata?.name ?? "", b.metadata?.name ?? ""));
}
