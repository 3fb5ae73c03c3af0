import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promises as fs, statSync, existsSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { parse } from "yaml";
import { KubeConfig, VersionApi } from "@kubernetes/client-node";
import { writeKubeconfig, renderKubeconfig } from "../../src/server/kubeconfig.js";
import { loadOrCreateTls } from "../../src/server/tls/index.js";
import { loadOrCreateServerTokens, constantTimeEqual } from "../../src/server/auth/tokens.js";

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "kube-lite-kubeconfig-"));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

test("renderKubeconfig has the upstream layout", () => {
  const doc = parse(renderKubeconfig({ server: "https://127.0.0.1:6443", caCertPem: CA, token: "tok" }));
  assert.deepEqual(doc, {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "default", cluster: { server: "https://127.0.0.1:6443", "certificate-authority-data": Buffer.from(CA).toString("base64") } }],
    users: [{ name: "default", user: { token: "tok" } }],
    contexts: [{ name: "default", context: { cluster: "default", user: "default" } }],
    "current-context": "default",
    preferences: {},
  });
  const named = parse(renderKubeconfig({ server: "https://x:1", caCertPem: CA, token: "t", clusterName: "pi" }));
  assert.equal(named.clusters[0].name, "pi");
  assert.equal(named.contexts[0].context.cluster, "pi");
});

test("writeKubeconfig creates the parent, writes 0600, replaces atomically", async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, "nested", "deeper", "kubeconfig.yaml");
  await writeKubeconfig({ path: file, server: "https://127.0.0.1:6443", caCertPem: CA, token: "one" });
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(parse(await fs.readFile(file, "utf8")).users[0].user.token, "one");
  await fs.chmod(file, 0o644);
  await writeKubeconfig({ path: file, server: "https://127.0.0.1:6443", caCertPem: CA, token: "two" });
  assert.equal(parse(await fs.readFile(file, "utf8")).users[0].user.token, "two");
  assert.equal(statSync(file).mode & 0o777, 0o600, "rewritten with 0600 even if the old file was wider");
  assert.deepEqual(await fs.readdir(path.dirname(file)), ["kubeconfig.yaml"], "no temp files left behind");
});

/** A tiny HTTPS endpoint that answers /version only for the right bearer token. */
async function fakeApiserver(t: { after: (fn: () => Promise<void>) => void }, cert: string, key: string, token: string): Promise<number> {
  const server = https.createServer({ cert, key }, (req, res) => {
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !constantTimeEqual(auth.slice(7), token)) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ major: "1", minor: "32", gitVersion: "v1.32.0+kube-lite", platform: "linux/arm64" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

test("clients trust the server and authenticate with the written kubeconfig", async (t) => {
  const dir = await tempDir(t);
  const tls = await loadOrCreateTls({ dir: path.join(dir, "server", "tls") });
  const tokens = await loadOrCreateServerTokens({ dir, caHash: tls.caHash });
  const port = await fakeApiserver(t, tls.certPem, tls.keyPem, tokens.adminToken);
  const file = path.join(dir, "kubeconfig.yaml");
  await writeKubeconfig({ path: file, server: `https://127.0.0.1:${port}`, caCertPem: tls.caCertPem, token: tokens.adminToken });

  // @kubernetes/client-node reads it and verifies the chain with certificate-authority-data.
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  assert.equal(kc.getCurrentContext(), "default");
  assert.equal(kc.getCurrentUser()?.token, tokens.adminToken);
  const info = await kc.makeApiClient(VersionApi).getCode();
  assert.equal(info.gitVersion, "v1.32.0+kube-lite");

  // A wrong token is refused by the endpoint, so the check above really used the kubeconfig's token.
  const bad = path.join(dir, "bad.yaml");
  await writeKubeconfig({ path: bad, server: `https://127.0.0.1:${port}`, caCertPem: tls.caCertPem, token: "nope" });
  const kcBad = new KubeConfig();
  kcBad.loadFromFile(bad);
  await assert.rejects(kcBad.makeApiClient(VersionApi).getCode());
});

test("kubectl accepts the kubeconfig", { skip: !existsSync("/usr/bin/kubectl") && !existsSync("/usr/local/bin/kubectl") && "kubectl not installed" }, async (t) => {
  const dir = await tempDir(t);
  const tls = await loadOrCreateTls({ dir: path.join(dir, "tls") });
  const port = await fakeApiserver(t, tls.certPem, tls.keyPem, "admin-token");
  const file = path.join(dir, "kubeconfig.yaml");
  await writeKubeconfig({ path: file, server: `https://127.0.0.1:${port}`, caCertPem: tls.caCertPem, token: "admin-token" });
  const out = await new Promise<string>((resolve, reject) =>
    execFile("kubectl", ["--kubeconfig", file, "version", "-o", "json"], { env: { ...process.env, HOME: dir } }, (err, stdout, stderr) =>
      // kubectl may warn about version skew on stderr; the JSON on stdout is what matters.
      stdout ? resolve(stdout) : reject(err ?? new Error(stderr)),
    ),
  );
  assert.equal(JSON.parse(out).serverVersion.gitVersion, "v1.32.0+kube-lite");
  const view = await new Promise<string>((resolve, reject) =>
    execFile("kubectl", ["--kubeconfig", file, "config", "view", "--raw", "-o", "jsonpath={.users[0].user.token}"], (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  assert.equal(view, "admin-token");
});
