/**
 * The real kubectl (1.27, 1.31, 1.32, 1.33) against the real server: discovery, CRUD, apply (client-
 * and server-side), selectors, label/annotate/edit, watch, explain, `get all`, typed-client creates
 * (protobuf bodies on 1.32+) and wait.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { kubectlBinary, startServer, type TestServer } from "./harness.js";

let server: TestServer;
let work: string;

before(async () => {
  server = await startServer();
  work = mkdtempSync(path.join(os.tmpdir(), "kube-lite-kubectl-"));
});

after(async () => {
  const code = await server.stop();
  server.cleanup();
  rmSync(work, { recursive: true, force: true });
  assert.equal(code, 0, "server exits 0 on SIGTERM");
});

function okWith(args: string[], opts: Parameters<TestServer["kubectl"]>[1] = {}): string {
  const r = server.kubectl(args, opts);
  assert.equal(r.status, 0, `kubectl ${args.join(" ")} failed (${r.status}):\n${r.stderr}\n${r.stdout}\n--- server log tail:\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

const ok = okWith;

function file(name: string, text: string): string {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
}

for (const minor of [27, 32, 33]) {
  test(`kubectl 1.${minor}: get ns shows the system namespaces`, () => {
    const out = ok(["get", "ns"], { minor });
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) assert.match(out, new RegExp(`^${ns}\\s+Active\\s`, "m"));
    assert.match(out, /^NAME\s+STATUS\s+AGE/m);
  });
}

test("api-resources lists kinds with short names and groups", () => {
  const out = ok(["api-resources"]);
  assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/m);
  assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod/m);
  assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace/m);
  assert.match(out, /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob/m);
});

const deployment = (image: string, replicas: number, env: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: ${image}
        env:
${env}
      - name: sidecar
        image: busybox
`;

/**
 * The everyday command set, run once per kubectl version (1.27 and 1.33 directly, 1.32 through the
 * dispatcher), each in its own namespace through a kubeconfig whose context names it.
 */
for (const minor of [undefined, 27, 33] as const) {
  const label = minor ? `kubectl 1.${minor}` : "kubectl (dispatcher → 1.32)";
  const ns = `flow-${minor ?? 32}`;
  let kubeconfig = "";
  const ok = (args: string[], opts: Parameters<TestServer["kubectl"]>[1] = {}): string => okWith(args, { ...opts, minor, env: { KUBECONFIG: kubeconfig, ...(opts.env ?? {}) } });
  const t = (name: string, fn: () => void | Promise<void>) => test(`${label}: ${name}`, fn);

  t("namespace for the flow", () => {
    kubeconfig = file(`kubeconfig-${ns}`, readFileSync(server.kubeconfig, "utf8").replace(/^(\s+)cluster: (\S+)$/m, `$1cluster: $2\n$1namespace: ${ns}`));
    okWith(["create", "namespace", ns]);
    assert.match(ok(["config", "view", "--minify", "-o", "jsonpath={..namespace}"]), new RegExp(ns));
  });
  t("apply twice with a change patches (no conflict), then apply --server-side", () => {
    const f1 = file("web1.yaml", deployment("nginx:1.27", 2, "        - {name: A, value: a}\n        - {name: B, value: b}"));
    assert.match(ok(["apply", "-f", f1]), /deployment.apps\/web created/);
    assert.match(ok(["apply", "-f", f1]), /deployment.apps\/web unchanged/);
    const f2 = file("web2.yaml", deployment("nginx:1.28", 3, "        - {name: A, value: a}"));
    assert.match(ok(["apply", "-f", f2]), /deployment.apps\/web configured/);
    const obj = JSON.parse(ok(["get", "deploy", "web", "-o", "json"]));
    assert.equal(obj.spec.replicas, 3);
    assert.equal(obj.spec.template.spec.containers[0].image, "nginx:1.28");
    assert.deepEqual(obj.spec.template.spec.containers[0].env, [{ name: "A", value: "a" }]);
    assert.equal(obj.spec.template.spec.containers[1].name, "sidecar");
    assert.equal(obj.metadata.generation, 2);
    assert.equal(obj.spec.strategy.type, "RollingUpdate", "defaults applied");

    const cm = file("cm-ssa.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: '1'\n  b: '2'\n");
    assert.match(ok(["apply", "--server-side", "-f", cm]), /configmap\/ssa serverside-applied/);
    const cm2 = file("cm-ssa2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: '1'\n");
    assert.match(ok(["apply", "--server-side", "-f", cm2]), /configmap\/ssa serverside-applied/);
    const got = JSON.parse(ok(["get", "cm", "ssa", "-o", "json", "--show-managed-fields"]));
    assert.deepEqual(got.data, { a: "1" }, "a field dropped from the applied config is removed");
    assert.ok(got.metadata.managedFields.some((m: { manager: string; operation: string }) => m.manager === "kubectl" && m.operation === "Apply"));
  });

  t("get -o yaml / wide / name, label selectors and field selectors", () => {
    ok(["create", "configmap", "sel-a", "--from-literal=k=v"]);
    ok(["create", "configmap", "sel-b", "--from-literal=k=v"]);
    ok(["create", "configmap", "sel-c", "--from-literal=k=v"]);
    ok(["label", "cm", "sel-a", "grp=a"]);
    ok(["label", "cm", "sel-b", "grp=b"]);
    ok(["label", "cm", "sel-c", "grp=c"]);
    assert.match(ok(["get", "cm", "sel-a", "-o", "yaml"]), /^kind: ConfigMap$/m);
    assert.match(ok(["get", "deploy", "-o", "wide"]), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/m);
    const names = ok(["get", "cm", "-l", "grp in (a,b)", "-o", "name"]).trim().split("\n").sort();
    assert.deepEqual(names, ["configmap/sel-a", "configmap/sel-b"]);
    assert.deepEqual(ok(["get", "cm", "-l", "grp notin (a,b),grp", "-o", "name"]).trim(), "configmap/sel-c");
    assert.deepEqual(ok(["get", "cm", "-l", "!grp", "-o", "name"]).includes("configmap/sel-a"), false);
    assert.equal(ok(["get", "cm", "--field-selector", "metadata.name=sel-b", "-o", "name"]).trim(), "configmap/sel-b");
    assert.equal(ok(["get", "ns", "--field-selector", "metadata.name!=default", "-o", "name"]).includes("namespace/default"), false);
  });

  t("label, annotate and edit via KUBE_EDITOR", () => {
    ok(["create", "configmap", "ed", "--from-literal=k=v"]);
    ok(["label", "cm", "ed", "tier=backend"]);
    ok(["annotate", "cm", "ed", "note=hello"]);
    let obj = JSON.parse(ok(["get", "cm", "ed", "-o", "json"]));
    assert.equal(obj.metadata.labels.tier, "backend");
    assert.equal(obj.metadata.annotations.note, "hello");
    ok(["label", "cm", "ed", "tier-"]);
    const editor = file("editor.sh", "#!/bin/sh\nsed -i 's/^  k: v$/  k: edited/' \"$1\"\n");
    ok(["edit", "cm", "ed"], { env: { KUBE_EDITOR: `sh ${editor}` } });
    obj = JSON.parse(ok(["get", "cm", "ed", "-o", "json"]));
    assert.equal(obj.data.k, "edited");
    assert.equal(obj.metadata.labels?.tier, undefined);
  });

  t("get -w sees ADDED, MODIFIED and DELETED live", async () => {
    const child = spawn(kubectlBinary(), ["get", "cm", "-w", "--output-watch-events", "-o", "custom-columns=EVENT:.type,NAME:.object.metadata.name,V:.object.data.k", "--no-headers"], {
      env: { PATH: process.env.PATH ?? "", HOME: work, KUBECONFIG: kubeconfig },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const waitFor = async (re: RegExp): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`watch output never matched ${re}:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await new Promise((r) => setTimeout(r, 800));
      ok(["create", "configmap", "watched", "--from-literal=k=one"]);
      await waitFor(/ADDED\s+watched\s+one/);
      ok(["patch", "cm", "watched", "-p", '{"data":{"k":"two"}}']);
      await waitFor(/MODIFIED\s+watched\s+two/);
      ok(["delete", "cm", "watched"]);
      await waitFor(/DELETED\s+watched/);
    } finally {
      child.kill();
    }
  });

  t("explain and get all", () => {
    const explained = ok(["explain", "deployment.spec"]);
    assert.match(explained, /KIND:\s+Deployment/);
    assert.match(explained, /replicas\s+<integer>/);
    assert.match(ok(["explain", "pods.spec.containers.image"]), /FIELD:\s+image/);
    const all = ok(["get", "all", "-A"]);
    assert.match(ok(["get", "all"]), /deployment.apps\/web/);
    assert.match(all, /service\/kubernetes/);
    assert.match(all, new RegExp(`${ns}\\s+deployment.apps/web`));
  });
}

for (const minor of [31, 32, 33]) {
  test(`kubectl 1.${minor}: typed-client creates (${minor >= 32 ? "protobuf" : "JSON"} bodies)`, () => {
    const ns = `typed-${minor}`;
    assert.match(ok(["create", "namespace", ns], { minor }), new RegExp(`namespace/${ns} created`));
    ok(["create", "deployment", "d1", "--image=nginx:1.27", "--replicas=2", "--port=80", "-n", ns], { minor });
    ok(["create", "configmap", "c1", "--from-literal=a=1", "--from-literal=b=2", "-n", ns], { minor });
    ok(["create", "secret", "generic", "s1", "--from-literal=password=hunter2", "-n", ns], { minor });
    ok(["create", "service", "clusterip", "svc1", "--tcp=80:8080", "-n", ns], { minor });
    const d = JSON.parse(ok(["get", "deploy", "d1", "-n", ns, "-o", "json"], { minor }));
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.spec.template.spec.containers[0].image, "nginx:1.27");
    assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 80);
    const s = JSON.parse(ok(["get", "secret", "s1", "-n", ns, "-o", "json"], { minor }));
    assert.equal(Buffer.from(s.data.password, "base64").toString(), "hunter2");
    const svc = JSON.parse(ok(["get", "svc", "svc1", "-n", ns, "-o", "json"], { minor }));
    assert.equal(svc.spec.ports[0].port, 80);
    assert.equal(svc.spec.ports[0].targetPort, 8080);
    assert.match(svc.spec.clusterIP, /^10\.43\.\d+\.\d+$/);
    const c = JSON.parse(ok(["get", "cm", "c1", "-n", ns, "-o", "json"], { minor }));
    assert.deepEqual(c.data, { a: "1", b: "2" });
  });
}

test("wait --for=jsonpath on an object that already matches returns in under 1 s", () => {
  ok(["create", "configmap", "waited", "--from-literal=ready=yes"]);
  const t0 = Date.now();
  ok(["wait", "--for=jsonpath={.data.ready}=yes", "cm/waited", "--timeout=10s"]);
  const elapsed = Date.now() - t0;
  assert.ok(elapsed < 1000, `kubectl wait took ${elapsed} ms`);
});

test("delete removes objects and a namespace with content", async () => {
  ok(["create", "namespace", "doomed"]);
  ok(["create", "configmap", "inside", "-n", "doomed", "--from-literal=a=b"]);
  assert.match(ok(["delete", "cm", "inside", "-n", "doomed"]), /configmap "inside" deleted/);
  ok(["create", "configmap", "inside2", "-n", "doomed", "--from-literal=a=b"]);
  assert.match(ok(["delete", "namespace", "doomed", "--timeout=30s"]), /namespace "doomed" deleted/);
  const r = server.kubectl(["get", "ns", "doomed"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /NotFound/);
});
