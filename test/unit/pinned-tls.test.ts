import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import path from "node:path";
import tls from "node:tls";
import { createCertificateAuthority, issueClientCertificate, issueServingCertificate } from "../../src/server/tls/certificates.js";
import { connectPinnedTls, pinnedCertificates } from "../../src/agent/tunnel/pinned-tls.js";
import { sourceFiles } from "./source-files.js";

const DAY = 24 * 60 * 60 * 1000;
const LOOPBACK = [{ type: "ip" as const, value: "127.0.0.1" }];

/** A TLS server on 127.0.0.1 that records every byte it receives and echoes it back. */
async function tlsServer(t: { after: (fn: () => void) => void }, cert: { certPem: string; keyPem: string }, extra: tls.TlsOptions = {}) {
  const received: string[] = [];
  const clientNames: string[] = [];
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem, ...extra }, (socket) => {
    const peer = socket.getPeerX509Certificate();
    if (peer) clientNames.push(peer.subject);
    socket.on("data", (d) => {
      received.push(String(d));
      socket.write(d);
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  return { port: (server.address() as AddressInfo).port, received, clientNames };
}

test("a server whose certificate the pinned CA issued is trusted, with or without a client certificate", async (t) => {
  const ca = await createCertificateAuthority({ commonName: "pinned-ca", days: 10 });
  const serving = await issueServingCertificate(ca, { commonName: "kube-lite", sans: LOOPBACK, days: 10 });
  const server = await tlsServer(t, serving, { ca: ca.caCertPem, requestCert: true, rejectUnauthorized: false });
  const node = await issueClientCertificate(ca, { commonName: "system:node:pi-1", organizations: ["system:nodes"], days: 10 });

  for (const client of [undefined, node]) {
    const socket = await connectPinnedTls({ server: new URL(`https://127.0.0.1:${server.port}`), caPem: ca.caCertPem, cert: client?.certPem, key: client?.keyPem, timeoutMs: 5000 });
    socket.write("ping");
    const echoed = await new Promise<string>((resolve) => socket.once("data", (d) => resolve(String(d))));
    socket.destroy();
    assert.equal(echoed, "ping");
  }
  assert.deepEqual(server.clientNames, ["O=system:nodes\nCN=system:node:pi-1"]);
});

test("a bundle pins every certificate in it", async () => {
  const a = await createCertificateAuthority({ commonName: "a", days: 1 });
  const b = await createCertificateAuthority({ commonName: "b", days: 1 });
  assert.deepEqual(pinnedCertificates(a.caCertPem + b.caCertPem).map((c) => c.subject), ["CN=a", "CN=b"]);
  assert.throws(() => pinnedCertificates("not a certificate"), /holds no certificate/);
});

test("servers the pinned CA does not vouch for are refused before anything is sent", async (t) => {
  const ca = await createCertificateAuthority({ commonName: "pinned-ca", days: 10 });
  const other = await createCertificateAuthority({ commonName: "other-ca", days: 10 });
  const longAgo = new Date(Date.now() - 400 * DAY);
  const cases: Array<{ name: string; cert: { certPem: string; keyPem: string }; code: string; message: RegExp }> = [
    { name: "another CA", cert: await issueServingCertificate(other, { commonName: "kube-lite", sans: LOOPBACK, days: 10 }), code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", message: /issuer CN=other-ca\) is not issued by the pinned cluster CA/ },
    { name: "another host name", cert: await issueServingCertificate(ca, { commonName: "kube-lite", sans: [{ type: "dns", value: "pi.example.com" }], days: 10 }), code: "ERR_TLS_CERT_ALTNAME_INVALID", message: /IP: 127\.0\.0\.1 is not in the cert's list/ },
    { name: "expired", cert: await issueServingCertificate(ca, { commonName: "kube-lite", sans: LOOPBACK, days: 1, now: longAgo }), code: "CERT_HAS_EXPIRED", message: /server's certificate expired on/ },
    { name: "not yet valid", cert: await issueServingCertificate(ca, { commonName: "kube-lite", sans: LOOPBACK, days: 10, now: new Date(Date.now() + 3 * DAY) }), code: "CERT_NOT_YET_VALID", message: /not valid before/ },
    { name: "a client certificate", cert: { ...(await issueClientCertificate(ca, { commonName: "127.0.0.1", days: 10 })) }, code: "INVALID_PURPOSE", message: /not for TLS server authentication/ },
  ];
  for (const c of cases) {
    const server = await tlsServer(t, c.cert);
    await assert.rejects(
      connectPinnedTls({ server: new URL(`https://127.0.0.1:${server.port}`), caPem: ca.caCertPem, timeoutMs: 5000 }),
      (err: NodeJS.ErrnoException) => {
        assert.equal(err.code, c.code, c.name);
        assert.match(err.message, c.message, c.name);
        return true;
      },
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(server.received, [], `${c.name}: nothing reaches the server`);
  }
});

test("a pinned CA outside its validity is refused", async (t) => {
  const oldCa = await createCertificateAuthority({ commonName: "old-ca", days: 1, now: new Date(Date.now() - 30 * DAY) });
  const serving = await issueServingCertificate(oldCa, { commonName: "kube-lite", sans: LOOPBACK, days: 60, now: new Date(Date.now() - 30 * DAY) });
  const server = await tlsServer(t, serving);
  await assert.rejects(connectPinnedTls({ server: new URL(`https://127.0.0.1:${server.port}`), caPem: oldCa.caCertPem, timeoutMs: 5000 }), { code: "CERT_HAS_EXPIRED", message: /the cluster CA expired on/ });
});

test("an unreachable server fails with the connection error, a silent one with a timeout", async (t) => {
  const ca = await createCertificateAuthority({ commonName: "pinned-ca", days: 10 });
  const closed = await new Promise<number>((resolve) => {
    const s = tls.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  await assert.rejects(connectPinnedTls({ server: new URL(`https://127.0.0.1:${closed}`), caPem: ca.caCertPem, timeoutMs: 5000 }), { code: "ECONNREFUSED" });
  const { createServer } = await import("node:net");
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  t.after(() => silent.close());
  await assert.rejects(connectPinnedTls({ server: new URL(`https://127.0.0.1:${(silent.address() as AddressInfo).port}`), caPem: ca.caCertPem, timeoutMs: 300 }), { code: "ETIMEDOUT" });
});

test("the agent never gives Node a CA list or lets it fall back to its root store (pinned-tls.ts says why)", () => {
  const offenders: string[] = [];
  for (const { file, text } of sourceFiles("src/agent")) {
    if (file.endsWith(path.join("tunnel", "pinned-tls.ts"))) continue;
    text.split("\n").forEach((line, i) => {
      const where = `${file}:${i + 1}`;
      if (/["'](node:)?tls["']/.test(line)) offenders.push(`${where} imports node:tls (use connectPinnedTls)`);
      if (/\bca:\s*[\w.]*[Pp]em\b/.test(line)) offenders.push(`${where} passes a CA to Node (use connectPinnedTls)`);
      if (/rejectUnauthorized/.test(line) && !/\bca: \[\]/.test(line)) offenders.push(`${where} skips verification without ca: []`);
    });
  }
  assert.deepEqual(offenders, []);
});
