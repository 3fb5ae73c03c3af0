import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { promises as fs, statSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import { loadOrCreateTls, issueClientCertificate, summarizeCertificate, TLS_FILES, CA_VALIDITY_DAYS } from "../../src/server/tls/index.js";
import { canonicalIP, subjectAltName, createCertificateAuthority } from "../../src/server/tls/certificates.js";
import { servingSans } from "../../src/server/tls/sans.js";

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "kube-lite-tls-"));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return path.join(dir, "server", "tls");
}

const DAY = 24 * 60 * 60 * 1000;

test("canonical IPs and SAN classification", () => {
  assert.equal(canonicalIP("::1"), "0000:0000:0000:0000:0000:0000:0000:0001");
  assert.equal(canonicalIP("0:0:0:0:0:0:0:1"), canonicalIP("::1"));
  assert.equal(canonicalIP("fe80::1:2"), "fe80:0000:0000:0000:0000:0000:0001:0002");
  assert.equal(canonicalIP("::ffff:10.0.0.1"), "0000:0000:0000:0000:0000:ffff:0a00:0001");
  assert.equal(canonicalIP("2001:db8::"), "2001:0db8:0000:0000:0000:0000:0000:0000");
  assert.deepEqual(subjectAltName("10.1.2.3"), { type: "ip", value: "10.1.2.3" });
  assert.deepEqual(subjectAltName("[::1]"), { type: "ip", value: "::1" });
  assert.deepEqual(subjectAltName("Pi.Example.COM"), { type: "dns", value: "pi.example.com" });
  const sans = servingSans(["pi.lan", "192.168.9.9", "localhost"], { hostname: "pi1", addresses: ["192.168.1.5", "fe80::1"] });
  assert.deepEqual(
    sans.map((s) => s.value),
    ["localhost", "127.0.0.1", "::1", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "10.43.0.1", "pi1", "192.168.1.5", "fe80::1", "pi.lan", "192.168.9.9"],
  );
});

test("first start creates CA and serving cert with the right files, modes, names and hash", async (t) => {
  const dir = await tempDir(t);
  const start = new Date();
  const m = await loadOrCreateTls({ dir, sans: ["pi.example.com", "192.168.77.7"] });
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(path.join(dir, TLS_FILES.caKey)).mode & 0o777, 0o600);
  assert.equal(statSync(path.join(dir, TLS_FILES.servingKey)).mode & 0o777, 0o600);
  assert.equal(await fs.readFile(path.join(dir, TLS_FILES.caCert), "utf8"), m.caCertPem);
  assert.equal(await fs.readFile(path.join(dir, TLS_FILES.servingCert), "utf8"), m.certPem);
  assert.match(m.keyPem, /^-----BEGIN PRIVATE KEY-----/);
  assert.ok(m.caKeyPem);

  const fileBytes = await fs.readFile(path.join(dir, TLS_FILES.caCert));
  assert.equal(m.caHash, createHash("sha256").update(fileBytes).digest("hex"));
  assert.match(m.caHash, /^[0-9a-f]{64}$/);

  const ca = summarizeCertificate(m.caCertPem);
  assert.match(ca.subject, /^CN=kube-lite-server-ca@\d+$/);
  const unix = Number(ca.subject.split("@")[1]);
  assert.ok(Math.abs(unix - start.getTime() / 1000) < 60);
  assert.equal(ca.isCA, true);
  const caDays = (ca.notAfter.getTime() - start.getTime()) / DAY;
  assert.ok(caDays > CA_VALIDITY_DAYS - 1 && caDays <= CA_VALIDITY_DAYS + 1, `CA valid ${caDays} days`);

  const serving = summarizeCertificate(m.certPem);
  assert.equal(serving.isCA, false);
  assert.equal(serving.issuer, ca.subject);
  const servingDays = (serving.notAfter.getTime() - start.getTime()) / DAY;
  assert.ok(servingDays > 364 && servingDays <= 366);
  for (const want of ["dns:localhost", "dns:kubernetes.default.svc.cluster.local", "dns:pi.example.com", `dns:${os.hostname().toLowerCase()}`, "ip:127.0.0.1", "ip:10.43.0.1", "ip:192.168.77.7", "ip:0000:0000:0000:0000:0000:0000:0000:0001"]) {
    assert.ok(serving.sans.includes(want), `missing SAN ${want} in ${serving.sans.join(" ")}`);
  }
});

test("later starts reuse; SAN change or near expiry re-issues only the serving cert", async (t) => {
  const dir = await tempDir(t);
  const first = await loadOrCreateTls({ dir, sans: ["a.example"] });
  const again = await loadOrCreateTls({ dir, sans: ["a.example"] });
  assert.equal(again.certPem, first.certPem);
  assert.equal(again.keyPem, first.keyPem);
  assert.equal(again.caHash, first.caHash);

  const changed = await loadOrCreateTls({ dir, sans: ["b.example"] });
  assert.notEqual(changed.certPem, first.certPem);
  assert.equal(changed.caCertPem, first.caCertPem);
  assert.equal(changed.caHash, first.caHash);
  assert.ok(summarizeCertificate(changed.certPem).sans.includes("dns:b.example"));
  assert.ok(!summarizeCertificate(changed.certPem).sans.includes("dns:a.example"));

  const notYet = await loadOrCreateTls({ dir, sans: ["b.example"], now: () => new Date(Date.now() + 300 * DAY) });
  assert.equal(notYet.certPem, changed.certPem, "still more than 30 days left");
  const renewed = await loadOrCreateTls({ dir, sans: ["b.example"], now: () => new Date(Date.now() + 340 * DAY) });
  assert.notEqual(renewed.certPem, changed.certPem);
  assert.equal(renewed.caCertPem, first.caCertPem);

  // A serving key that does not match its certificate is replaced.
  await fs.writeFile(path.join(dir, TLS_FILES.servingKey), first.keyPem);
  const fixed = await loadOrCreateTls({ dir, sans: ["b.example"] });
  assert.notEqual(fixed.certPem, renewed.certPem);

  // A serving cert from another CA is replaced.
  const otherDir = await tempDir(t);
  const other = await loadOrCreateTls({ dir: otherDir, sans: ["b.example"] });
  await fs.writeFile(path.join(dir, TLS_FILES.servingCert), other.certPem);
  await fs.writeFile(path.join(dir, TLS_FILES.servingKey), other.keyPem);
  const reissued = await loadOrCreateTls({ dir, sans: ["b.example"] });
  assert.notEqual(reissued.certPem, other.certPem);
  assert.equal(reissued.caHash, first.caHash);
});

test("no key material is logged", async (t) => {
  const dir = await tempDir(t);
  const lines: string[] = [];
  const logger = {
    info: (o: unknown, msg?: string) => lines.push(JSON.stringify(o) + (msg ?? "")),
    error: (o: unknown, msg?: string) => lines.push(JSON.stringify(o) + (msg ?? "")),
  } as unknown as import("../../src/shared/log.js").Logger;
  const m = await loadOrCreateTls({ dir, logger });
  assert.ok(lines.some((l) => l.includes("generated cluster CA")));
  assert.ok(lines.some((l) => l.includes("issued serving certificate")));
  for (const l of lines) assert.ok(!l.includes("PRIVATE KEY") && !l.includes(m.keyPem.split("\n")[1]!) && !l.includes(m.caKeyPem!.split("\n")[1]!));
});

/** Starts an HTTPS server with the material; returns its port. */
async function serve(t: { after: (fn: () => Promise<void>) => void }, opts: https.ServerOptions): Promise<{ port: number; server: https.Server }> {
  const server = https.createServer(opts, (req, res) => {
    const peer = (req.socket as tls.TLSSocket).getPeerCertificate();
    res.end(JSON.stringify({ ok: true, cn: peer?.subject?.CN ?? null, o: peer?.subject?.O ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, server };
}

/** Connects with TLS verification on; resolves the negotiated socket's authorization state. */
function handshake(opts: tls.ConnectionOptions): Promise<{ authorized: boolean; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect(opts, () => {
      resolve({ authorized: socket.authorized });
      socket.end();
    });
    socket.on("error", (e) => resolve({ authorized: false, error: (e as NodeJS.ErrnoException).code ?? e.message }));
  });
}

test("real TLS handshake verifies the chain for 127.0.0.1 and localhost, and rejects a wrong name or CA", async (t) => {
  const dir = await tempDir(t);
  const m = await loadOrCreateTls({ dir });
  const { port } = await serve(t, { cert: m.certPem, key: m.keyPem });

  assert.deepEqual(await handshake({ host: "127.0.0.1", port, ca: m.caCertPem }), { authorized: true });
  assert.deepEqual(await handshake({ host: "127.0.0.1", port, ca: m.caCertPem, servername: "localhost" }), { authorized: true });
  assert.deepEqual(await handshake({ host: "127.0.0.1", port, ca: m.caCertPem, servername: "kubernetes.default.svc" }), { authorized: true });
  // By name: "localhost" resolved (IPv4, where the server listens) and used as the SNI/identity name.
  assert.deepEqual(await handshake({ host: "localhost", family: 4, port, ca: m.caCertPem } as tls.ConnectionOptions), { authorized: true });

  const wrongName = await handshake({ host: "127.0.0.1", port, ca: m.caCertPem, servername: "evil.example" });
  assert.equal(wrongName.authorized, false);
  assert.equal(wrongName.error, "ERR_TLS_CERT_ALTNAME_INVALID");

  const otherCa = await createCertificateAuthority({ commonName: "other", days: 1 });
  const wrongCa = await handshake({ host: "127.0.0.1", port, ca: otherCa.caCertPem });
  assert.equal(wrongCa.authorized, false);
  assert.match(wrongCa.error ?? "", /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED/);

  // And through https.get with hostname "localhost" (resolves to 127.0.0.1 or ::1; the server is on 127.0.0.1).
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get({ host: "127.0.0.1", servername: "localhost", port, path: "/", ca: m.caCertPem }, (res) => {
        let b = "";
        res.on("data", (c) => (b += c));
        res.on("end", () => resolve(b));
      })
      .on("error", reject);
  });
  assert.equal(JSON.parse(body).ok, true);
});

test("client certificates from issueClientCertificate authenticate with CN and O", async (t) => {
  const dir = await tempDir(t);
  const m = await loadOrCreateTls({ dir });
  const client = await issueClientCertificate(m, { commonName: "system:node:pi1", organizations: ["system:nodes"], days: 30 });
  const s = summarizeCertificate(client.certPem);
  assert.equal(s.isCA, false);
  assert.match(s.subject, /CN=system:node:pi1/);
  assert.match(s.subject, /O=system:nodes/);
  assert.ok(s.notAfter.getTime() - Date.now() < 31 * DAY);

  const { port } = await serve(t, { cert: m.certPem, key: m.keyPem, ca: m.caCertPem, requestCert: true, rejectUnauthorized: true });
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get({ host: "127.0.0.1", port, path: "/", ca: m.caCertPem, cert: client.certPem, key: client.keyPem }, (res) => {
        let b = "";
        res.on("data", (c) => (b += c));
        res.on("end", () => resolve(b));
      })
      .on("error", reject);
  });
  assert.deepEqual(JSON.parse(body), { ok: true, cn: "system:node:pi1", o: "system:nodes" });

  // A serving certificate is not a client certificate (EKU serverAuth only): the server rejects it.
  const refused = await new Promise<boolean>((resolve) => {
    https
      .get({ host: "127.0.0.1", port, path: "/", ca: m.caCertPem, cert: m.certPem, key: m.keyPem }, (res) => {
        res.resume();
        resolve(false);
      })
      .on("error", () => resolve(true));
  });
  assert.equal(refused, true);
});

test("openssl shows the SANs and the chain verifies", { skip: !hasOpenssl() && "openssl not installed" }, async (t) => {
  const dir = await tempDir(t);
  const m = await loadOrCreateTls({ dir, sans: ["pi.example.com", "192.168.77.7"] });
  const text = execFileSync("openssl", ["x509", "-noout", "-text", "-in", path.join(dir, TLS_FILES.servingCert)], { encoding: "utf8" });
  assert.match(text, /X509v3 Subject Alternative Name:/);
  for (const want of ["DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default.svc.cluster.local", "DNS:pi.example.com", "IP Address:127.0.0.1", "IP Address:10.43.0.1", "IP Address:192.168.77.7", "IP Address:0:0:0:0:0:0:0:1"]) {
    assert.ok(text.includes(want), `openssl output lacks ${want}`);
  }
  assert.match(text, /TLS Web Server Authentication/);
  assert.match(text, /ecdsa-with-SHA256/);
  const verify = execFileSync("openssl", ["verify", "-CAfile", path.join(dir, TLS_FILES.caCert), path.join(dir, TLS_FILES.servingCert)], { encoding: "utf8" });
  assert.match(verify, /: OK/);
  assert.ok(m.caHash);
});

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
