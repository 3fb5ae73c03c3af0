/**
 * X.509 building blocks: a self-signed CA, serving certificates with SANs, client certificates, and the
 * checks used to decide whether existing files can be reused. Keys are EC P-256 (fast to generate and
 * to handshake on a Raspberry Pi); a user-supplied CA may also be RSA. PEM in, PEM out.
 */
import "reflect-metadata"; // @peculiar/x509 resolves its services through tsyringe, which needs it
import * as x509 from "@peculiar/x509";
import { createPrivateKey, randomBytes, webcrypto, X509Certificate as NodeX509Certificate } from "node:crypto";
import { isIP } from "node:net";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const subtle = webcrypto.subtle;

/** Leaf keys: ECDSA P-256 with SHA-256, what Kubernetes components and every TLS client accept. */
const LEAF_KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;

/**
 * Certificates start this far in the past so a peer whose clock lags a little (no RTC on a Pi, NTP not
 * yet synced) still accepts them.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** A CA certificate and its private key, PEM. */
export interface CertificateAuthority {
  caCertPem: string;
  caKeyPem: string;
}

/** A leaf certificate and its private key, PEM (PKCS#8). */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

/** A subject alternative name: a DNS name or an IP address. */
export type SubjectAltName = { type: "dns"; value: string } | { type: "ip"; value: string };

/** Signing parameters for a private key we hold, derived from its type. */
interface SigningKey {
  key: CryptoKey;
  algorithm: Algorithm | EcdsaParams;
}

async function generateLeafKeys(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(LEAF_KEY_ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

/** Imports a PEM private key (PKCS#8, SEC1 EC or PKCS#1 RSA) for signing. */
async function importSigningKey(pem: string): Promise<SigningKey> {
  const nodeKey = createPrivateKey(pem);
  const der = nodeKey.export({ type: "pkcs8", format: "der" });
  if (nodeKey.asymmetricKeyType === "ec") {
    const curve = nodeKey.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === "prime256v1" ? "P-256" : curve === "secp384r1" ? "P-384" : curve === "secp521r1" ? "P-521" : undefined;
    if (!namedCurve) throw new Error(`unsupported CA key curve ${curve ?? "unknown"}`);
    const hash = namedCurve === "P-256" ? "SHA-256" : namedCurve === "P-384" ? "SHA-384" : "SHA-512";
    const key = await subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve }, true, ["sign"]);
    return { key, algorithm: { name: "ECDSA", hash } as EcdsaParams };
  }
  if (nodeKey.asymmetricKeyType === "rsa") {
    const key = await subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
    return { key, algorithm: { name: "RSASSA-PKCS1-v1_5" } };
  }
  throw new Error(`unsupported CA key type ${nodeKey.asymmetricKeyType ?? "unknown"}`);
}

/** A random positive 128-bit serial number, hex (RFC 5280 asks for unpredictable serials). */
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  if (b[0] === 0) b[0] = 1;
  return b.toString("hex");
}

function validity(days: number, now: Date): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - CLOCK_SKEW_ALLOWANCE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

/** Distinguished name as @peculiar/x509 JSON: organizations first, then the common name (Go's order). */
function distinguishedName(commonName: string, organizations: readonly string[] = []): x509.JsonName {
  return [...organizations.map((o) => ({ O: [o] })), { CN: [commonName] }];
}

/**
 * Creates a self-signed CA (EC P-256).
 * @example const ca = await createCertificateAuthority({ commonName: `kube-lite-server-ca@${unix}`, days: 3650 })
 */
export async function createCertificateAuthority(opts: { commonName: string; days: number; now?: Date }): Promise<CertificateAuthority> {
  const keys = await generateLeafKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: distinguishedName(opts.commonName),
    ...validity(opts.days, opts.now ?? new Date()),
    keys,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { caCertPem: cert.toString("pem") + "\n", caKeyPem: await exportPrivateKeyPem(keys.privateKey) + "\n" };
}

interface LeafOptions {
  commonName: string;
  organizations?: readonly string[];
  days: number;
  usages: readonly string[];
  sans?: readonly SubjectAltName[];
  now?: Date;
}

async function issueLeaf(ca: { caCertPem: string; caKeyPem?: string }, opts: LeafOptions): Promise<IssuedCertificate> {
  if (!ca.caKeyPem) throw new Error("cannot issue certificates: the CA private key is not available");
  const caCert = new x509.X509Certificate(ca.caCertPem);
  const signer = await importSigningKey(ca.caKeyPem);
  const keys = await generateLeafKeys();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([...opts.usages], false),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (opts.sans?.length) extensions.push(new x509.SubjectAlternativeNameExtension(opts.sans.map((s) => ({ type: s.type, value: s.value }))));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: distinguishedName(opts.commonName, opts.organizations),
    issuer: caCert.subjectName,
    ...validity(opts.days, opts.now ?? new Date()),
    publicKey: keys.publicKey,
    signingKey: signer.key,
    signingAlgorithm: signer.algorithm,
    extensions,
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: await exportPrivateKeyPem(keys.privateKey) + "\n" };
}

/**
 * Issues a TLS serving certificate (EKU serverAuth) for the given SANs.
 * @example await issueServingCertificate(ca, { commonName: "kube-lite", sans: [{ type: "dns", value: "localhost" }], days: 365 })
 */
export async function issueServingCertificate(
  ca: { caCertPem: string; caKeyPem?: string },
  opts: { commonName: string; organizations?: string[]; sans: readonly SubjectAltName[]; days: number; now?: Date },
): Promise<IssuedCertificate> {
  return issueLeaf(ca, { ...opts, usages: [x509.ExtendedKeyUsage.serverAuth] });
}

/**
 * Issues a client certificate (EKU clientAuth). The apiserver reads the user name from the CN and the
 * groups from the O values, so `{ commonName: "system:node:pi1", organizations: ["system:nodes"] }` is a
 * node credential.
 * @example const { certPem, keyPem } = await issueClientCertificate(tls, { commonName: "system:admin", organizations: ["system:masters"], days: 365 })
 */
export async function issueClientCertificate(
  ca: { caCertPem: string; caKeyPem?: string },
  opts: { commonName: string; organizations?: string[]; days: number; now?: Date },
): Promise<IssuedCertificate> {
  return issueLeaf(ca, { ...opts, usages: [x509.ExtendedKeyUsage.clientAuth] });
}

/** What loadOrCreateTls needs to know about an existing certificate. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  /** SANs in canonical form (`dns:name`, `ip:<canonical address>`), sorted. */
  sans: string[];
}

/**
 * Parses a PEM certificate's validity, CA flag and SANs.
 * @example summarizeCertificate(pem).notAfter
 */
export function summarizeCertificate(pem: string): CertificateSummary {
  const cert = new x509.X509Certificate(pem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const sans = (san?.names.items ?? [])
    .filter((n) => n.type === "dns" || n.type === "ip")
    .map((n) => sanKey({ type: n.type as "dns" | "ip", value: n.value }));
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isCA: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
    sans: [...new Set(sans)].sort(),
  };
}

/**
 * True when `certPem` was signed by the CA in `caCertPem` (signature check, not a full path validation).
 * @example certificateIssuedBy(servingPem, caPem)
 */
export function certificateIssuedBy(certPem: string, caCertPem: string): boolean {
  try {
    const cert = new NodeX509Certificate(certPem);
    const ca = new NodeX509Certificate(caCertPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/**
 * True when the private key belongs to the certificate.
 * @example keyMatchesCertificate(certPem, keyPem)
 */
export function keyMatchesCertificate(certPem: string, keyPem: string): boolean {
  try {
    return new NodeX509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/**
 * Classifies one `--tls-san` style entry: an IP address or a DNS name.
 * @example subjectAltName("192.168.1.5") // { type: "ip", value: "192.168.1.5" }
 */
export function subjectAltName(entry: string): SubjectAltName {
  const v = entry.trim();
  const bare = v.startsWith("[") && v.endsWith("]") ? v.slice(1, -1) : v;
  return isIP(bare) ? { type: "ip", value: bare } : { type: "dns", value: v.toLowerCase() };
}

/**
 * Canonical comparison key for a SAN: `dns:<lowercase>` or `ip:<expanded address>`.
 * @example sanKey({ type: "ip", value: "::1" }) // "ip:0000:…:0001"
 */
export function sanKey(san: SubjectAltName): string {
  return san.type === "dns" ? `dns:${san.value.toLowerCase()}` : `ip:${canonicalIP(san.value)}`;
}

/**
 * IPv4 as dotted quad; IPv6 as 8 groups of 4 lower-case hex digits (so `::1` equals `0:0:…:1`).
 * @example canonicalIP("fe80::1") // "fe80:0000:0000:0000:0000:0000:0000:0001"
 */
export function canonicalIP(ip: string): string {
  if (isIP(ip) === 4) return ip.split(".").map((o) => String(Number(o))).join(".");
  let s = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1]!.split(".").map(Number);
    s = s.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.map((g) => g.padStart(4, "0")).join(":");
}
