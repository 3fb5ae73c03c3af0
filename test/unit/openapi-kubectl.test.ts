// The real kubectl against our OpenAPI v3 documents and field-validation messages, through a tiny
// HTTPS server (legacy discovery, /openapi/v3, and an in-memory Deployment store). Skipped when
// kubectl or openssl is not installed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSchemas } from "../../build/gen-schemas.mjs";
import { resourceType, type ResourceType } from "../../src/server/registry/types.js";
import { legacyDiscovery } from "../fixtures/legacy-discovery.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** Per kubectl command; the dispatcher plus discovery plus OpenAPI take well under this. */
const KUBECTL_TIMEOUT_MS = 60_000;

const RESOURCES: ResourceType[] = [
  resourceType({ group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true, shortNames: ["po"], subresources: [{ name: "status", verbs: ["get", "patch", "update"] }] }),
  resourceType({ group: "", version: "v1", kind: "Service", plural: "services", namespaced: true, shortNames: ["svc"] }),
  resourceType({ group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, shortNames: ["ns"] }),
  resourceType({
    group: "apps",
    version: "v1",
    kind: "Deployment",
    plural: "deployments",
    namespaced: true,
    shortNames: ["deploy"],
    subresources: [
      { name: "status", verbs: ["get", "patch", "update"] },
      { name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] },
    ],
  }),
];

function have(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}
const skip = have("kubectl", ["version", "--client"]) && have("openssl", ["version"]) ? false : "kubectl or openssl not installed";

let dir = "";
let server: Server | undefined;
let kubeconfig = "";
/** Every request the server saw: method, path with query, content type. */
const seen: { method: string; url: string; contentType?: string; body: string }[] = [];
const store = new Map<string, Json>();

function status(code: number, reason: string, message: string): Json {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

/** Legacy discovery for RESOURCES, enough for kubectl to map `deployment` → apps/v1 Deployment. */
const discovery = legacyDiscovery(RESOURCES);

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(dir, "cache"), ...args], { timeout: KUBECTL_TIMEOUT_MS }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  if (skip) return;
  await generateSchemas({ quiet: true });
  const openapi = await import("../../src/server/apiserver/openapi/index.js");
  const v = await import("../../src/shared/api/schema-validation.js");
  const { versionInfo } = await import("../../src/shared/version.js");
  dir = mkdtempSync(join(tmpdir(), "kube-lite-openapi-kubectl-"));
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
      seen.push({ method: req.method ?? "", url: req.url ?? "", contentType: req.headers["content-type"], body });
      const send = (code: number, payload: unknown, headers: Record<string, string | string[]> = {}) => {
        res.writeHead(code, { "Content-Type": "application/json", ...headers });
        res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
      };
      const p = url.pathname;
      if (p === "/version") return send(200, versionInfo());
      if (p === "/openapi/v3") return send(200, openapi.openApiV3Index(RESOURCES));
      if (p.startsWith("/openapi/v3/")) {
        const doc = openapi.openApiV3Document(p, RESOURCES);
        if (!doc) return send(404, status(404, "NotFound", "the server could not find the requested resource"));
        const etag = `"${doc.etag}"`;
        if (req.headers["if-none-match"] === etag) {
          res.writeHead(304, { ETag: etag });
          return res.end();
        }
        return send(200, doc.body, { ETag: etag });
      }
      const m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+))?$/.exec(p);
      if (m) {
        const gvk = { group: "apps", version: "v1", kind: "Deployment" };
        const key = `${m[1]}/${m[2] ?? ""}`;
        if (req.method === "GET" && m[2]) {
          const obj = store.get(key);
          return obj ? send(200, obj) : send(404, { ...status(404, "NotFound", `deployments.apps "${m[2]}" not found`), details: { name: m[2], group: "apps", kind: "deployments" } });
        }
        if (req.method === "POST" && !m[2]) {
          const obj = JSON.parse(body) as Json;
          const problems = [...v.checkFields(gvk, obj), ...v.duplicateFieldProblems(body)];
          const typeErr = problems.find((x) => x.kind === "type");
          if (typeErr) return send(400, status(400, "BadRequest", v.decodeErrorMessage(gvk, typeErr)));
          const strict = v.strictProblems(problems);
          const mode = url.searchParams.get("fieldValidation") ?? "Warn";
          if (strict.length && mode === "Strict") return send(400, status(400, "BadRequest", v.strictDecodingMessage(gvk, strict)));
          const headers: Record<string, string[]> = strict.length && mode === "Warn" ? { Warning: v.warningHeaders(strict) } : {};
          obj.metadata = { ...obj.metadata, namespace: m[1], uid: "u-1", resourceVersion: "1", generation: 1, creationTimestamp: "2026-01-01T00:00:00Z" };
          store.set(`${m[1]}/${obj.metadata.name}`, obj);
          return send(201, obj, headers);
        }
        if (req.method === "PATCH" && m[2]) {
          const obj = store.get(key);
          return obj ? send(200, obj) : send(404, status(404, "NotFound", `deployments.apps "${m[2]}" not found`));
        }
      }
      const d = discovery(p);
      if (d) return send(200, d);
      send(404, status(404, "NotFound", "the server could not find the requested resource"));
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

function manifest(opts: { image: string; bogus?: boolean; env?: string[] }): string {
  const env = (opts.env ?? []).map((n) => `        - name: ${n}\n          value: "1"\n`).join("");
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
${opts.bogus ? "  bogusField: true\n" : ""}  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${opts.image}
${env ? `        env:\n${env}` : ""}        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox
`;
}

test("kubectl explain reads our component schemas", { skip, timeout: 120_000 }, async () => {
  const spec = await kubectl("explain", "deployment.spec");
  assert.equal(spec.code, 0, spec.stderr);
  assert.match(spec.stdout, /KIND:\s+Deployment/);
  assert.match(spec.stdout, /GROUP:\s+apps\n/);
  assert.match(spec.stdout, /VERSION:\s+v1\n/);
  assert.match(spec.stdout, /FIELD:\s+spec <DeploymentSpec>/);
  assert.match(spec.stdout, /replicas\s+<integer>\n\s+Number of desired pods/);
  assert.match(spec.stdout, /template\s+<PodTemplateSpec> -required-/);
  const containers = await kubectl("explain", "pods.spec.containers");
  assert.equal(containers.code, 0, containers.stderr);
  assert.match(containers.stdout, /FIELD:\s+containers <\[\]Container>/);
  assert.match(containers.stdout, /image\s+<string>/);
  assert.match(containers.stdout, /ports\s+<\[\]ContainerPort>/);
  const targetPort = await kubectl("explain", "svc.spec.ports.targetPort");
  assert.equal(targetPort.code, 0, targetPort.stderr);
  assert.match(targetPort.stdout, /targetPort\s+<IntOrString>/);
  const recursive = await kubectl("explain", "deployment.metadata", "--recursive");
  assert.equal(recursive.code, 0, recursive.stderr);
  assert.match(recursive.stdout, /labels\s+<map\[string\]string>/);
  assert.match(recursive.stdout, /ownerReferences\s+<\[\]OwnerReference>/);
});

test("kubectl create with --validate=strict gets upstream's strict decoding error", { skip, timeout: 120_000 }, async () => {
  const file = join(dir, "bogus.yaml");
  writeFileSync(file, manifest({ image: "nginx:1.27", bogus: true }));
  const r = await kubectl("create", "-f", file);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /Error from server \(BadRequest\): error when creating ".*bogus\.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec\.bogusField"/,
  );
  const post = seen.find((s) => s.method === "POST" && s.url.includes("/deployments"));
  assert.ok(post?.url.includes("fieldValidation=Strict"), post?.url);
});

test("kubectl create with --validate=warn prints our Warning headers", { skip, timeout: 120_000 }, async () => {
  const file = join(dir, "bogus.yaml");
  writeFileSync(file, manifest({ image: "nginx:1.27", bogus: true }).replace("name: web", "name: warned"));
  const r = await kubectl("create", "--validate=warn", "-f", file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Warning: unknown field "spec\.bogusField"/);
});

test("kubectl apply computes its strategic merge patch from our v3 document", { skip, timeout: 120_000 }, async () => {
  const file = join(dir, "web.yaml");
  writeFileSync(file, manifest({ image: "nginx:1.26", env: ["A", "B"] }));
  const first = await kubectl("apply", "-f", file);
  assert.equal(first.code, 0, first.stderr);
  writeFileSync(file, manifest({ image: "nginx:1.27", env: ["A"] }));
  const before = seen.length;
  const second = await kubectl("apply", "-f", file);
  assert.equal(second.code, 0, second.stderr);
  const requests = seen.slice(before);
  const patch = requests.find((s) => s.method === "PATCH");
  assert.ok(patch, requests.map((s) => `${s.method} ${s.url}`).join("\n"));
  assert.equal(patch.contentType, "application/strategic-merge-patch+json");
  assert.ok(patch.url.includes("fieldValidation=Strict"), patch.url);
  const body = JSON.parse(patch.body) as Json;
  const podSpec = body.spec.template.spec;
  assert.deepEqual(podSpec["$setElementOrder/containers"], [{ name: "nginx" }, { name: "sidecar" }]);
  assert.deepEqual(podSpec.containers[0].env, [{ $patch: "delete", name: "B" }]);
  assert.equal(podSpec.containers[0].image, "nginx:1.27");
  // The v3 document sufficed: kubectl did not fall back to /openapi/v2.
  assert.ok(!requests.some((s) => s.url.startsWith("/openapi/v2")), requests.map((s) => s.url).join("\n"));
});
