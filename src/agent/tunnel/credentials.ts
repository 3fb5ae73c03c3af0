/**
 * The agent's node credentials on disk (`<dataDir>/agent/`, k3s's folder): the client certificate and
 * key the server issued for `system:node:<name>`, and the cluster CA it was issued under.
 */
import { X509Certificate, createPrivateKey, randomBytes } from "node:crypto";
import path from "node:path";
import * as fs from "../fs-async.js";
import type { NodeCredentials } from "../../shared/tunnel/index.js";

export const CREDENTIAL_FILES = {
  cert: path.join("agent", "client-node.crt"),
  key: path.join("agent", "client-node.key"),
  ca: path.join("agent", "server-ca.crt"),
} as const;

/** Keys and certificates: owner-only, like the server's secrets. */
const SECRET_FILE_MODE = 0o600;
const SECRET_DIR_MODE = 0o700;

/** User-name prefix of node certificates. */
const NODE_USER_PREFIX = "system:node:";

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = await fs.open(tmp, "wx", SECRET_FILE_MODE);
  try {
    await fs.writeFile(fd, data);
    await fs.fsync(fd);
  } finally {
    await fs.close(fd);
  }
  await fs.rename(tmp, file);
}

/**
 * The stored credentials, or undefined when there are none (or they are unreadable: the agent then
 * re-joins with its token).
 * @example const creds = await loadNodeCredentials(dataDir)
 */
export async function loadNodeCredentials(dataDir: string): Promise<(NodeCredentials & { notAfter: Date }) | undefined> {
  const [certPem, keyPem, caCertPem] = await Promise.all([CREDENTIAL_FILES.cert, CREDENTIAL_FILES.key, CREDENTIAL_FILES.ca].map((f) => readIfExists(path.join(dataDir, f))));
  if (!certPem || !keyPem || !caCertPem) return undefined;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return undefined;
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return undefined;
  } catch {
    return undefined;
  }
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  if (!cn?.startsWith(NODE_USER_PREFIX)) return undefined;
  return { nodeName: cn.slice(NODE_USER_PREFIX.length), certPem, keyPem, caCertPem, notAfter: new Date(cert.validTo) };
}

/**
 * Stores credentials (files 0600 in a 0700 folder, each written atomically; the key first, so a
 * crash never pairs a new certificate with an old key for long: a mismatch just means re-joining).
 * @example await saveNodeCredentials(dataDir, issued)
 */
export async function saveNodeCredentials(dataDir: string, creds: NodeCredentials): Promise<void> {
  const dir = path.join(dataDir, "agent");
  await fs.mkdir(dir, { recursive: true, mode: SECRET_DIR_MODE });
  await fs.chmod(dir, SECRET_DIR_MODE);
  await writeAtomic(path.join(dataDir, CREDENTIAL_FILES.ca), creds.caCertPem);
  await writeAtomic(path.join(dataDir, CREDENTIAL_FILES.key), creds.keyPem);
  await writeAtomic(path.join(dataDir, CREDENTIAL_FILES.cert), creds.certPem);
}
