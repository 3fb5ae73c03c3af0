/**
 * The admin kubeconfig written on server start (k3s's `--write-kubeconfig`): one cluster with the CA
 * inlined, one token user, one context, current-context set, so `kubectl --kubeconfig FILE get nodes`
 * works straight away.
 */
import { stringify } from "yaml";
import { writeFileAtomic, SECRET_FILE_MODE } from "./tls/files.js";

/** Name of the user, context and (by default) cluster entries, as k3s writes them. */
const DEFAULT_ENTRY_NAME = "default";

export interface KubeconfigOptions {
  /** Where to write; the parent directory is created. */
  path: string;
  /** API server URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** PEM of the CA that signed the serving certificate; inlined as `certificate-authority-data`. */
  caCertPem: string;
  /** Bearer token of the user. */
  token: string;
  /** Cluster entry name; default "default". */
  clusterName?: string;
  /** File mode; default 0600 (the file holds a credential). */
  mode?: number;
}

/**
 * Builds the kubeconfig document (`apiVersion: v1`, `kind: Config`).
 * @example renderKubeconfig({ server: "https://127.0.0.1:6443", caCertPem, token })
 */
export function renderKubeconfig(opts: Omit<KubeconfigOptions, "path" | "mode">): string {
  const cluster = opts.clusterName ?? DEFAULT_ENTRY_NAME;
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: cluster,
        cluster: {
          server: opts.server,
          "certificate-authority-data": Buffer.from(opts.caCertPem, "utf8").toString("base64"),
        },
      },
    ],
    users: [{ name: DEFAULT_ENTRY_NAME, user: { token: opts.token } }],
    contexts: [{ name: DEFAULT_ENTRY_NAME, context: { cluster, user: DEFAULT_ENTRY_NAME } }],
    "current-context": DEFAULT_ENTRY_NAME,
    preferences: {},
  };
  return stringify(doc, { lineWidth: 0 });
}

/**
 * Writes the admin kubeconfig atomically (temp file + rename) with mode 0600, creating the parent folder.
 * @example
 * await writeKubeconfig({ path: config.kubeconfigPath, server: `https://127.0.0.1:${port}`, caCertPem: tls.caCertPem, token: tokens.adminToken });
 */
export async function writeKubeconfig(opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(opts.path, renderKubeconfig(opts), opts.mode ?? SECRET_FILE_MODE);
}
