/**
 * Registry credentials from a pod's `imagePullSecrets` (Secrets of type
 * `kubernetes.io/dockerconfigjson` or the older `kubernetes.io/dockercfg`), matched to the registry
 * of the image being pulled, as upstream's credential keyring does for the common cases.
 */
import type { Pod, Secret } from "kubernetes-types/core/v1.js";
import type { ApiClient } from "../../../shared/client/types.js";
import type { RegistryAuth } from "../runtime/types.js";

const SECRETS = { group: "", plural: "secrets" };
/** Names under which Docker Hub appears in docker config files. */
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

interface DockerConfigEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
}

/**
 * The registry host of an image reference: the first path component when it looks like a host
 * (has a dot or a port, or is `localhost`), otherwise Docker Hub.
 *
 * @example registryHost("ghcr.io/org/app:1") === "ghcr.io"
 * @example registryHost("nginx") === "docker.io"
 */
export function registryHost(image: string): string {
  const slash = image.indexOf("/");
  if (slash < 0) return "docker.io";
  const first = image.slice(0, slash);
  if (first.includes(".") || first.includes(":") || first === "localhost") return DOCKER_HUB_ALIASES.has(first) ? "docker.io" : first;
  return "docker.io";
}

/** A config key ("https://index.docker.io/v1/", "registry:5000", "http://host/path") as a host. */
function keyHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, "").split("/")[0] ?? "";
  return DOCKER_HUB_ALIASES.has(host) ? "docker.io" : host;
}

/**
 * The credentials for `host` in a docker config's `auths` map.
 *
 * @example authFor({ "https://index.docker.io/v1/": { auth: "dXNlcjpwYXNz" } }, "docker.io") // { username: "user", password: "pass", serveraddress: "https://index.docker.io/v1/" }
 */
export function authFor(auths: Record<string, DockerConfigEntry>, host: string): RegistryAuth | undefined {
  for (const [key, entry] of Object.entries(auths)) {
    if (keyHost(key) !== host) continue;
    const auth: RegistryAuth = { serveraddress: key };
    if (entry.username !== undefined || entry.password !== undefined) {
      auth.username = entry.username;
      auth.password = entry.password;
    } else if (entry.auth) {
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      auth.username = decoded.slice(0, colon);
      auth.password = decoded.slice(colon + 1);
    }
    if (entry.identitytoken) auth.identitytoken = entry.identitytoken;
    return auth;
  }
  return undefined;
}

/** The `auths` map of a pull secret, or undefined for other secret types or unreadable content. */
export function secretAuths(secret: Secret): Record<string, DockerConfigEntry> | undefined {
  try {
    if (secret.type === "kubernetes.io/dockerconfigjson" && secret.data?.[".dockerconfigjson"]) {
      return (JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString("utf8")) as { auths?: Record<string, DockerConfigEntry> }).auths;
    }
    if (secret.type === "kubernetes.io/dockercfg" && secret.data?.[".dockercfg"]) {
      return JSON.parse(Buffer.from(secret.data[".dockercfg"], "base64").toString("utf8")) as Record<string, DockerConfigEntry>;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * The first matching credentials among the pod's pull secrets (missing secrets are skipped, as upstream).
 *
 * @example const auth = await pullAuth(client, pod, "registry.example.com/app:1");
 */
export async function pullAuth(client: ApiClient, pod: Pod, image: string): Promise<RegistryAuth | undefined> {
  const host = registryHost(image);
  for (const ref of pod.spec?.imagePullSecrets ?? []) {
    if (!ref.name) continue;
    const secret = (await client.get(SECRETS, pod.metadata?.namespace ?? "default", ref.name).catch(() => undefined)) as Secret | undefined;
    const auths = secret && secretAuths(secret);
    const auth = auths && authFor(auths, host);
    if (auth) return auth;
  }
  return undefined;
}
