/**
 * Node credentials: client certificates for `system:node:<name>` signed by the cluster CA, and the
 * record of which certificate is each node's current one (`<dataDir>/server/tunnel/nodes.json`, the
 * sha256 fingerprint per node). Issuing for a node replaces its record, so the previous certificate
 * stops opening tunnels: a reinstalled node re-joins with the join token, no dead end.
 */
import { X509Certificate } from "node:crypto";
import path from "node:path";
import { issueClientCertificate } from "../tls/index.js";
import { ensurePrivateDir, readFileIfExists, SECRET_FILE_MODE, writeFileAtomic } from "../tls/files.js";
import { NODE_GROUP, NODE_USER_PREFIX } from "./authorize.js";

/**
 * Node certificates live a year, like the serving certificate; agents renew them (with the current
 * certificate, no token needed) when fewer than 30 days remain.
 */
export const NODE_CERT_VALIDITY_DAYS = 365;

/** Where the record lives, relative to the data directory. */
export const NODE_RECORD_FILE = path.join("server", "tunnel", "nodes.json");

interface NodeRecord {
  fingerprint256: string;
  issuedAt: string;
}

export interface IssuedNodeCredentials {
  certPem: string;
  keyPem: string;
}

export class NodeCredentialRegistry {
  private nodes = new Map<string, NodeRecord>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly ca: { caCertPem: string; caKeyPem?: string },
  ) {}

  /**
   * Loads the record (an absent file is an empty record).
   * @example const nodes = await NodeCredentialRegistry.load(config.dataDir, tls)
   */
  static async load(dataDir: string, ca: { caCertPem: string; caKeyPem?: string }): Promise<NodeCredentialRegistry> {
    const file = path.resolve(dataDir, NODE_RECORD_FILE);
    const registry = new NodeCredentialRegistry(file, ca);
    const text = await readFileIfExists(file);
    if (text) {
      const parsed = JSON.parse(text) as { nodes?: Record<string, NodeRecord> };
      for (const [name, rec] of Object.entries(parsed.nodes ?? {})) registry.nodes.set(name, rec);
    }
    return registry;
  }

  /** Whether `fingerprint256` (node:tls format, colon-separated hex) is `node`'s current certificate. */
  isCurrent(node: string, fingerprint256: string): boolean {
    return this.nodes.get(node)?.fingerprint256 === fingerprint256;
  }

  /**
   * Issues a new certificate for `node` and makes it the current one (durably, before returning).
   * @example const { certPem, keyPem } = await nodes.issue("pi1")
   */
  async issue(node: string): Promise<IssuedNodeCredentials> {
    const issued = await issueClientCertificate(this.ca, { commonName: NODE_USER_PREFIX + node, organizations: [NODE_GROUP], days: NODE_CERT_VALIDITY_DAYS });
    this.nodes.set(node, { fingerprint256: new X509Certificate(issued.certPem).fingerprint256, issuedAt: new Date().toISOString() });
    await this.persist();
    return issued;
  }

  /** Writes are serialised so concurrent joins never interleave; each writes the whole map. */
  private persist(): Promise<void> {
    const next = this.writing.then(async () => {
      await ensurePrivateDir(path.dirname(this.file));
      await writeFileAtomic(this.file, JSON.stringify({ nodes: Object.fromEntries(this.nodes) }, null, 2) + "\n", SECRET_FILE_MODE);
    });
    this.writing = next.catch(() => undefined);
    return next;
  }
}
