/**
 * The server's TLS material: a cluster CA generated on first start and a serving certificate for the
 * apiserver, kept under `<dataDir>/server/tls` and reused on later starts (like k3s's
 * `server/tls/server-ca.crt` and `serving-kube-apiserver.crt`).
 */
import { createHash } from "node:crypto";
import path from "node:path";
import type { Logger } from "../../shared/log.js";
import {
  certificateIssuedBy,
  createCertificateAuthority,
  issueServingCertificate,
  keyMatchesCertificate,
  sanKey,
  summarizeCertificate,
} from "./certificates.js";
import { ensurePrivateDir, readFileIfExists, SECRET_FILE_MODE, writeFileAtomic } from "./files.js";
import { servingSans } from "./sans.js";

export { issueClientCertificate, issueServingCertificate, createCertificateAuthority, summarizeCertificate, certificateIssuedBy } from "./certificates.js";
export type { CertificateAuthority, IssuedCertificate, SubjectAltName, CertificateSummary } from "./certificates.js";
export { servingSans, DEFAULT_KUBERNETES_SERVICE_IP } from "./sans.js";

/** The CA lives 10 years, as k3s's: rotating it means re-joining every node. */
export const CA_VALIDITY_DAYS = 3650;
/** The serving certificate lives one year and is renewed automatically on start. */
export const SERVING_VALIDITY_DAYS = 365;
/** Renew the serving certificate on start when it expires within this many days (k3s uses 90 for its certs; a month is enough for a cert we renew on every start). */
export const RENEW_BEFORE_DAYS = 30;
/** Subject CN/O of the serving certificate. */
const SERVING_COMMON_NAME = "kube-lite";
const SERVING_ORGANIZATION = "kube-lite";

const DAY_MS = 24 * 60 * 60 * 1000;

/** File names under the TLS directory (k3s's names). */
export const TLS_FILES = {
  caCert: "server-ca.crt",
  caKey: "server-ca.key",
  servingCert: "serving-kube-apiserver.crt",
  servingKey: "serving-kube-apiserver.key",
} as const;

export interface TlsOptions {
  /** Directory for the four files; created with mode 0700. */
  dir: string;
  /** Extra SANs (`--tls-san`): each an IP or a DNS name. */
  sans?: readonly string[];
  logger?: Logger;
  /** ClusterIP of the `kubernetes` Service; default 10.43.0.1. */
  serviceIP?: string;
  /** Clock, for tests. */
  now?: () => Date;
}

export interface TlsMaterial {
  caCertPem: string;
  /** Absent only when the user supplied a CA certificate without its key. */
  caKeyPem?: string;
  certPem: string;
  keyPem: string;
  /** sha256 hex of the CA certificate file's bytes, as k3s's join tokens carry (`K10<caHash>::…`). */
  caHash: string;
  /** Absolute paths of the files. */
  files: { caCert: string; caKey: string; servingCert: string; servingKey: string };
}

/**
 * The CA hash k3s puts in join tokens: sha256 of the CA certificate PEM bytes as stored on disk.
 * @example caHashOf(await fs.readFile("server-ca.crt", "utf8"))
 */
export function caHashOf(caCertPem: string): string {
  return createHash("sha256").update(caCertPem, "utf8").digest("hex");
}

/**
 * Loads the CA and serving certificate from `dir`, creating them on first start. The serving
 * certificate is re-issued (CA kept) when it is missing, does not match its key or the CA, expires within
 * 30 days, or its SAN set differs from the wanted one (loopback, `kubernetes.default…`, 10.43.0.1, the
 * hostname, interface addresses and `sans`).
 * @example
 * const tls = await loadOrCreateTls({ dir: path.join(dataDir, "server", "tls"), sans: config.tlsSans, logger });
 * https.createServer({ cert: tls.certPem, key: tls.keyPem, ca: tls.caCertPem }, handler);
 */
export async function loadOrCreateTls(opts: TlsOptions): Promise<TlsMaterial> {
  const now = opts.now ?? (() => new Date());
  const log = opts.logger;
  const files = {
    caCert: path.resolve(opts.dir, TLS_FILES.caCert),
    caKey: path.resolve(opts.dir, TLS_FILES.caKey),
    servingCert: path.resolve(opts.dir, TLS_FILES.servingCert),
    servingKey: path.resolve(opts.dir, TLS_FILES.servingKey),
  };
  await ensurePrivateDir(opts.dir);

  // --- CA ---
  let caCertPem = await readFileIfExists(files.caCert);
  let caKeyPem = await readFileIfExists(files.caKey);
  if (caCertPem === undefined) {
    const issuedAt = now();
    const ca = await createCertificateAuthority({ commonName: `kube-lite-server-ca@${Math.floor(issuedAt.getTime() / 1000)}`, days: CA_VALIDITY_DAYS, now: issuedAt });
    // Key first: a crash between the writes leaves no certificate, so the next start starts over.
    await writeFileAtomic(files.caKey, ca.caKeyPem, SECRET_FILE_MODE);
    await writeFileAtomic(files.caCert, ca.caCertPem, 0o644);
    caCertPem = ca.caCertPem;
    caKeyPem = ca.caKeyPem;
    const s = summarizeCertificate(caCertPem);
    log?.info({ subject: s.subject, notAfter: s.notAfter.toISOString(), file: files.caCert }, "generated cluster CA");
  } else {
    const s = summarizeCertificate(caCertPem);
    if (!s.isCA) throw new Error(`${files.caCert} is not a CA certificate`);
    if (caKeyPem !== undefined && !keyMatchesCertificate(caCertPem, caKeyPem)) throw new Error(`${files.caKey} does not belong to ${files.caCert}`);
    if (s.notAfter.getTime() <= now().getTime()) log?.error({ notAfter: s.notAfter.toISOString(), file: files.caCert }, "cluster CA has expired; clients will reject the server");
  }

  // --- serving certificate ---
  const wanted = servingSans(opts.sans ?? [], { serviceIP: opts.serviceIP });
  const wantedKeys = [...new Set(wanted.map(sanKey))].sort();
  let certPem = await readFileIfExists(files.servingCert);
  let keyPem = await readFileIfExists(files.servingKey);
  const reason = reissueReason(certPem, keyPem, caCertPem, wantedKeys, now());
  if (reason) {
    if (!caKeyPem) throw new Error(`the serving certificate must be re-issued (${reason}) but ${files.caKey} is missing`);
    const issued = await issueServingCertificate(
      { caCertPem, caKeyPem },
      { commonName: SERVING_COMMON_NAME, organizations: [SERVING_ORGANIZATION], sans: wanted, days: SERVING_VALIDITY_DAYS, now: now() },
    );
    await writeFileAtomic(files.servingKey, issued.keyPem, SECRET_FILE_MODE);
    await writeFileAtomic(files.servingCert, issued.certPem, 0o644);
    certPem = issued.certPem;
    keyPem = issued.keyPem;
    log?.info({ reason, sans: wantedKeys, notAfter: summarizeCertificate(certPem).notAfter.toISOString(), file: files.servingCert }, "issued serving certificate");
  }

  return { caCertPem, caKeyPem, certPem: certPem!, keyPem: keyPem!, caHash: caHashOf(caCertPem), files };
}

/** Why the serving certificate must be re-issued, or undefined when it can be reused. */
function reissueReason(certPem: string | undefined, keyPem: string | undefined, caCertPem: string, wantedKeys: string[], now: Date): string | undefined {
  if (certPem === undefined || keyPem === undefined) return "missing";
  let summary;
  try {
    summary = summarizeCertificate(certPem);
  } catch {
    return "unreadable";
  }
  if (!keyMatchesCertificate(certPem, keyPem)) return "key does not match";
  if (!certificateIssuedBy(certPem, caCertPem)) return "not issued by the cluster CA";
  if (summary.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return "expires soon";
  if (summary.sans.length !== wantedKeys.length || summary.sans.some((s, i) => s !== wantedKeys[i])) return "SANs changed";
  return undefined;
}
