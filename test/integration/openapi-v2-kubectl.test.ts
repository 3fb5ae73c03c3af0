// The real kubectl 1.27 and 1.28 against our /openapi/v2 protobuf document. These versions fetch
// /openapi/v2 for every `apply -f`/`create -f` (validation) and for `explain`, and decode it with
// gnostic's protobuf schema.
//
// Part 1 uses a tiny HTTPS server of our own that serves legacy discovery and /openapi/v2 but no
// /openapi/v3, so the v2 document alone decides: `explain` output and `fieldValidation=Strict`
// on create. Part 2 runs the real server (dist/kube-lite.cjs): apply (created, unchanged,
// configured), create -f, explain, and the server's strict error for an unknown field.
// Skipped when the kubectl binaries (or openssl, or the bundle) are missing.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSchemas } from "../../build/gen-schemas.mjs";
import type { ResourceType } from "../../src/server/registry/types.js";
import { BUNDLE, kubectlBinary, startServer, type TestServer } from "./harness.js";
import { legacyDiscovery } from "../fixtures/legacy-discovery.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** kubectl minors that read OpenAPI v2 for validation and explain (1.29+ use v3). */
const MINORS = [27, 28];
/** Per kubectl command: discovery plus a 1 MB OpenAPI download take well under this. */
const KUBECTL_TIMEOUT_MS = 60_000;

function have(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}
const haveKubectl = MINORS.every((m) => existsSync(kubectlBinary(m)));
const skipOwn = haveKubectl && have("openssl", ["version"]) ? false : "kubectl 1.27/1.28 or openssl not installed";
const skipReal = !haveKubectl ? "kubectl 1.27/1.28 not installed" : !existsSync(BUNDLE) ? "dist/kube-lite.cjs not built" : false;

function status(code: number, reason: string, message: string): Json {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

function deploymentManifest(name: string, opts: { image: string; replicas?: number; bogus?: boolean }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${opts.replicas ?? 1}
${opts.bogus ? "  bogusField: true\n" : ""}  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: main
        image: ${opts.image}
        ports:
        - containerPort: 80
`;
}

function configMapManifest(name: string, data: Record<string, string>): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"\n`)
    .join("")}`;
}

describe("kubectl 1.27/1.28 with only /openapi/v2 served", { skip: skipOwn }, () => {
  let dir = "";
  let server: Server | undefined;
  let kubeconfig = "";
  let resources: ResourceType[] = [];
  /** Whether /openapi/v2 answers (off: 404, to show what kubectl does without it). */
  let serveV2 = true;
  const seen: { method: string; url: string; accept?: string; body: string }[] = [];

  let discoveryOf: ((path: string) => Json | undefined) | undefined;
  function discovery(path: string): Json | undefined {
    discoveryOf ??= legacyDiscovery(resources);
    return discoveryOf(path);
  }

  function kubectl(minor: number, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(kubectlBinary(minor), ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, `cache-${minor}-${seen.length}`), ...args], { timeout: KUBECTL_TIMEOUT_MS }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  before(async () => {
    await generateSchemas({ quiet: true });
    resources = (await import("../../src/server/registry/index.js")).allResources();
    const v2 = await import("../../src/server/apiserver/openapi/v2.js");
    const { versionInfo } = await import("../../src/shared/version.js");
    dir = mkdtempSync(join(tmpdir(), "kube-lite-openapi-v2-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
      { stdio: "ignore" },
    );
    server = createServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const url = new URL(req.url ?? "/", "https://127.0.0.1");
        seen.push({ method: req.method ?? "", url: req.url ?? "", accept: req.headers.accept, body });
        const send = (code: number, payload: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(code, { "Content-Type": "application/json", ...headers });
          res.end(typeof payload === "string" || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload));
        };
        const notFound = () => send(404, status(404, "NotFound", "the server could not find the requested resource"));
        const p = url.pathname;
        if (p === "/version") return send(200, versionInfo());
        if (p === "/openapi/v2" && serveV2) {
          const form = v2.negotiateOpenApiV2(req.headers.accept);
          if (form === "protobuf") {
            const doc = v2.openApiV2Protobuf(resources);
            return send(200, doc.body, { "Content-Type": v2.OPENAPI_V2_PROTOBUF_CONTENT_TYPE, ETag: `"${doc.etag}"` });
          }
          if (form === "json") return send(200, v2.openApiV2Json(resources).body);
          return send(406, status(406, "NotAcceptable", "only application/json and protobuf are served"));
        }
        if (req.method === "POST") {
          // Echo the created object; what matters here is the query kubectl sent.
          const obj = JSON.parse(body) as Json;
          obj.metadata = { ...obj.metadata, namespace: "default", uid: "u-1", resourceVersion: "1", creationTimestamp: "2026-01-01T00:00:00Z" };
          return send(201, obj);
        }
        const d = req.method === "GET" ? discovery(p) : undefined;
        if (d) return send(200, d);
        notFound();
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true\nusers:\n- name: t\n  user:\n    token: test\ncontexts:\n- name: t\n  context: {cluster: t, user: t, namespace: default}\ncurrent-context: t\n`,
    );
  });

  after(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const minor of MINORS) {
    test(`kubectl 1.${minor} explain decodes our v2 protobuf`, { timeout: 120_000 }, async () => {
      const spec = await kubectl(minor, "explain", "deployment.spec");
      assert.equal(spec.code, 0, spec.stderr);
      assert.match(spec.stdout, /KIND:\s+Deployment/);
      assert.match(spec.stdout, /replicas\s+<integer>\n\s+Number of desired pods/);
      assert.match(spec.stdout, /template\s+<Object> -required-/);
      const v2Fetch = seen.find((s) => s.url.startsWith("/openapi/v2"));
      assert.equal(v2Fetch?.accept, "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
      const containers = await kubectl(minor, "explain", "pods.spec.containers");
      assert.equal(containers.code, 0, containers.stderr);
      assert.match(containers.stdout, /containers\s+<\[\]Object>/);
      assert.match(containers.stdout, /image\s+<string>/);
      const targetPort = await kubectl(minor, "explain", "svc.spec.ports.targetPort");
      assert.equal(targetPort.code, 0, targetPort.stderr);
      assert.match(targetPort.stdout, /FIELD:\s+targetPort <string>/);
      const recursive = await kubectl(minor, "explain", "pods", "--recursive");
      assert.equal(recursive.code, 0, recursive.stderr);
      assert.match(recursive.stdout, /ownerReferences\s+<\[\]Object>/);
    });

    test(`kubectl 1.${minor} create -f sends fieldValidation=Strict because our v2 PATCH operations declare it`, { timeout: 120_000 }, async () => {
      const file = join(dir, `cm-${minor}.yaml`);
      writeFileSync(file, deploymentManifest(`web${minor}`, { image: "nginx:1.27", bogus: true }));
      const before = seen.length;
      const r = await kubectl(minor, "create", "-f", file);
      assert.equal(r.code, 0, r.stderr);
      const requests = seen.slice(before);
      assert.ok(!requests.some((s) => s.url.startsWith("/openapi/v3/")), "no v3 document was served");
      const post = requests.find((s) => s.method === "POST");
      assert.ok(post, requests.map((s) => `${s.method} ${s.url}`).join("\n"));
      // With no fieldValidation in the v2 PATCH operation kubectl would validate client-side and refuse bogusField.
      assert.match(post.url, /fieldValidation=Strict/);
      assert.equal(JSON.parse(post.body).spec.bogusField, true);
    });
  }

  test("without /openapi/v2, kubectl 1.27 create -f fails to download OpenAPI (what this document fixes)", { timeout: 120_000 }, async () => {
    serveV2 = false;
    try {
      const file = join(dir, "cm-nov2.yaml");
      writeFileSync(file, configMapManifest("nov2", { a: "1" }));
      const r = await kubectl(27, "create", "-f", file);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /failed to download openapi|could not find the requested resource/);
    } finally {
      serveV2 = true;
    }
  });
});

describe("kubectl 1.27/1.28 against the real server", { skip: skipReal }, () => {
  let server: TestServer | undefined;

  before(async () => {
    server = await startServer();
  });

  after(() => {
    server?.cleanup();
  });

  function run(minor: number, args: string[], input?: string) {
    const r = server!.kubectl(args, { minor, input, timeoutMs: KUBECTL_TIMEOUT_MS });
    return { ...r, all: `${r.stdout}\n${r.stderr}` };
  }

  test("the server answers /openapi/v2 with our protobuf document", async () => {
    const r = await server!.request("GET", "/openapi/v2", undefined, { Accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" });
    assert.equal(r.status, 200, r.body);
    assert.match(String(r.headers["content-type"]), /^application\/com\.github\.proto-openapi\.spec\.v2[.@]v1\.0\+protobuf/);
    assert.match(String(r.headers.etag), /^"[0-9A-F]{128}"$/);
  });

  for (const minor of MINORS) {
    test(`kubectl 1.${minor} apply: created, unchanged, configured (Deployment and ConfigMap)`, { timeout: 180_000 }, () => {
      const ns = `v2-apply-${minor}`;
      assert.equal(run(minor, ["create", "namespace", ns]).status, 0);
      const deploy = deploymentManifest("web", { image: "nginx:1.26" });
      const cm = configMapManifest("settings", { mode: "a" });
      let r = run(minor, ["apply", "-n", ns, "-f", "-"], `${deploy}---\n${cm}`);
      assert.equal(r.status, 0, r.all);
      assert.match(r.stdout, /deployment\.apps\/web created/);
      assert.match(r.stdout, /configmap\/settings created/);
      r = run(minor, ["apply", "-n", ns, "-f", "-"], `${deploy}---\n${cm}`);
      assert.equal(r.status, 0, r.all);
      assert.match(r.stdout, /deployment\.apps\/web unchanged/);
      assert.match(r.stdout, /configmap\/settings unchanged/);
      // Another manager adds an env var to the container; apply must merge containers by name
      // (x-kubernetes-patch-merge-key from our v2 definitions), not replace the list and lose it.
      r = run(minor, ["set", "env", "-n", ns, "deployment/web", "ADDED=by-set-env"]);
      assert.equal(r.status, 0, r.all);
      r = run(minor, ["apply", "-n", ns, "-f", "-"], `${deploymentManifest("web", { image: "nginx:1.27", replicas: 2 })}---\n${configMapManifest("settings", { mode: "b", extra: "x" })}`);
      assert.equal(r.status, 0, r.all);
      assert.match(r.stdout, /deployment\.apps\/web configured/);
      assert.match(r.stdout, /configmap\/settings configured/);
      const live = JSON.parse(run(minor, ["get", "-n", ns, "deployment", "web", "-o", "json"]).stdout);
      assert.equal(live.spec.replicas, 2);
      assert.equal(live.spec.template.spec.containers[0].image, "nginx:1.27");
      assert.equal(live.spec.template.spec.containers.length, 1);
      assert.deepEqual(live.spec.template.spec.containers[0].env, [{ name: "ADDED", value: "by-set-env" }]);
      const data = JSON.parse(run(minor, ["get", "-n", ns, "configmap", "settings", "-o", "json"]).stdout).data;
      assert.deepEqual(data, { mode: "b", extra: "x" });
    });

    test(`kubectl 1.${minor} create -f, and the server's strict error for an unknown field`, { timeout: 180_000 }, () => {
      const ns = `v2-create-${minor}`;
      assert.equal(run(minor, ["create", "namespace", ns]).status, 0);
      let r = run(minor, ["create", "-n", ns, "-f", "-"], configMapManifest("created", { k: "v" }));
      assert.equal(r.status, 0, r.all);
      assert.match(r.stdout, /configmap\/created created/);
      r = run(minor, ["create", "-n", ns, "-f", "-"], deploymentManifest("bogus", { image: "nginx", bogus: true }));
      assert.notEqual(r.status, 0);
      // The server's message (kubectl sent fieldValidation=Strict), not kubectl's client-side "unknown field" validation error.
      assert.match(r.stderr, /Error from server \(BadRequest\).*strict decoding error: unknown field "spec\.bogusField"/);
      r = run(minor, ["apply", "-n", ns, "-f", "-"], deploymentManifest("bogus2", { image: "nginx", bogus: true }));
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /Error from server \(BadRequest\).*unknown field "spec\.bogusField"/);
    });

    // With /openapi/v3 also served, 1.27/1.28 render explain from v3 (`<[]Container>`), but they still
    // download and parse /openapi/v2 first and fail with NotFound without it.
    test(`kubectl 1.${minor} explain through the real server`, { timeout: 120_000 }, () => {
      const spec = run(minor, ["explain", "deployment.spec"]);
      assert.equal(spec.status, 0, spec.all);
      assert.match(spec.stdout, /KIND:\s+Deployment/);
      assert.match(spec.stdout, /replicas\s+<integer>/);
      const containers = run(minor, ["explain", "pods.spec.containers"]);
      assert.equal(containers.status, 0, containers.all);
      assert.match(containers.stdout, /containers\s+<\[\](Object|Container)>/);
      assert.match(containers.stdout, /livenessProbe\s+<(Object|Probe)>/);
    });
  }
});
