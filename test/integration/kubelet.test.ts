// The kubelet's pod lifecycle against a real Docker engine and the in-process API (control plane on
// a temp SQLite revision log, LocalClient): a two-container pod sharing localhost and an emptyDir
// reaches Running and Ready; a crashing container goes to CrashLoopBackOff with growing back-off; a
// failing liveness probe restarts a container; readiness gates Ready; deletion stops containers within
// the grace period and removes the pod; a new Kubelet adopts running containers without restarting
// them and removes containers of pods that no longer exist. Skips, saying why, without an engine.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import type { Pod, PodSpec } from "kubernetes-types/core/v1.js";
import { openSqliteDriver } from "../../src/server/storage/sqlite-driver.js";
import { RevisionLog } from "../../src/server/storage/revision-log.js";
import { buildControlPlane } from "../../src/server/control-plane.js";
import { LocalClient } from "../../src/server/local-client.js";
import { DockerRuntime } from "../../src/agent/kubelet/runtime/docker.js";
import { connectDocker } from "../../src/agent/kubelet/runtime/docker-client.js";
import { LABEL_NODE } from "../../src/agent/kubelet/runtime/labels.js";
import { Kubelet } from "../../src/agent/kubelet/pod-workers/kubelet.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import { clusterCidr } from "./harness.js";

const IMAGE = "kube-lite-test/busybox:latest";
const PODS = { group: "", plural: "pods" };
const NODES = { group: "", plural: "nodes" };
const EVENTS = { group: "", plural: "events" };
const quiet = pino({ level: "silent" });
const suffix = randomBytes(3).toString("hex");
const nodeName = `kubelet-test-${suffix}`;
/** The first /24 of a test cluster CIDR (10.100–249.x, clear of Docker's pools and kube-lite's 10.42/10.43) no other test process holds. */
const subnet = clusterCidr().replace(/\.0\.0\/16$/, ".0.0/24");
const network = { name: `kube-lite-${nodeName}`, subnet };

let dir = "";
let store: RevisionLog | undefined;
let client: LocalClient;
let runtime: DockerRuntime;
let kubelet: Kubelet;
let skip: string | false = false;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "kube-lite-kubelet-"));
  runtime = new DockerRuntime({ nodeName, rootDir: join(dir, "agent") });
  try {
    const docker = await runtime.docker();
    await Promise.race([docker.ping(), new Promise((_, rej) => setTimeout(() => rej(new Error("ping timed out")), 3000))]);
    await docker.getImage(IMAGE).inspect();
  } catch (err) {
    skip = `no Docker engine with ${IMAGE} reachable (${(err as Error).message}); run test/setup-host.sh as root`;
    console.log(`# skipping kubelet tests: ${skip}`);
    return;
  }
  const driver = await openSqliteDriver({ dir: join(dir, "db"), logger: quiet });
  store = new RevisionLog(driver, { logger: quiet });
  const cp = await buildControlPlane({ store, log: quiet });
  client = new LocalClient(cp);
  await client.create({ group: "", plural: "namespaces" }, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
  // The API server's Service, whose variables every container gets (in-cluster clients use them).
  await client.create({ group: "", plural: "services" }, "default", {
    apiVersion: "v1", kind: "Service", metadata: { name: "kubernetes", namespace: "default" }, spec: { ports: [{ name: "https", port: 443, targetPort: 6443 }] },
  } as unknown as KubeObject);
  const node = await client.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: nodeName } });
  await client.update(NODES, "", { ...node, status: { addresses: [{ type: "InternalIP", address: "127.0.0.1" }] } }, "status");
  kubelet = new Kubelet({ nodeName, client, runtime, dataDir: join(dir, "agent"), network, clusterDNS: "10.43.0.10", logger: quiet });
  await kubelet.start();
});

after(async () => {
  kubelet?.stop();
  if (!skip) {
    const docker = await connectDocker();
    const mine = await docker.listContainers({ all: true, filters: { label: [`${LABEL_NODE}=${nodeName}`] } });
    await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    const vols = await docker.listVolumes({ filters: { label: [`${LABEL_NODE}=${nodeName}`] } });
    await Promise.all((vols.Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
    await docker.getNetwork(network.name).remove().catch(() => undefined);
  }
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${(last as Error).message})` : ""}`);
    await sleep(100);
  }
}

async function createPod(name: string, spec: Omit<PodSpec, "nodeName">): Promise<Pod> {
  const obj = { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { ...spec, nodeName } } as unknown as KubeObject;
  return (await client.create(PODS, "default", obj)) as unknown as Pod;
}

async function getPod(name: string): Promise<Pod> {
  return (await client.get(PODS, "default", name)) as unknown as Pod;
}

function condition(pod: Pod, type: string) {
  return pod.status?.conditions?.find((c) => c.type === type);
}

async function podEvents(pod: Pod): Promise<KubeObject[]> {
  const list = await client.list(EVENTS, "default");
  return list.items.filter((e) => (e as { involvedObject?: { uid?: string } }).involvedObject?.uid === pod.metadata?.uid);
}

describe("kubelet on Docker", { concurrency: true }, () => {
  test("two containers sharing localhost and an emptyDir reach Running with both Ready", async (t) => {
    if (skip) return t.skip(skip);
    const created = await createPod("web", {
      terminationGracePeriodSeconds: 1,
      volumes: [{ name: "html", emptyDir: {} }],
      containers: [
        {
          name: "server", image: IMAGE, imagePullPolicy: "IfNotPresent",
          command: ["sh", "-c", "echo hello-from-writer-$(cat /html/who 2>/dev/null) > /dev/null; exec httpd -f -p 8080 -h /html"],
          volumeMounts: [{ name: "html", mountPath: "/html" }],
          ports: [{ name: "http", containerPort: 8080 }],
          readinessProbe: { httpGet: { path: "/index.html", port: "http" }, periodSeconds: 1 },
        },
        {
          name: "writer", image: IMAGE, imagePullPolicy: "IfNotPresent",
          env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
          command: ["sh", "-c", "echo written-by-$POD_NAME > /data/index.html; exec sleep 3600"],
          volumeMounts: [{ name: "html", mountPath: "/data" }],
          // Shared localhost: the writer sees the server's port on 127.0.0.1.
          readinessProbe: { exec: { command: ["wget", "-qO-", "http://127.0.0.1:8080/index.html"] }, periodSeconds: 1 },
        },
      ],
    });
    const pod = await waitFor("web Running and Ready", async () => {
      const p = await getPod("web");
      return p.status?.phase === "Running" && condition(p, "Ready")?.status === "True" ? p : undefined;
    });
    assert.equal(pod.metadata?.uid, created.metadata?.uid);
    assert.deepEqual(pod.status?.containerStatuses?.map((s) => [s.name, s.ready, s.started, s.restartCount, !!s.state?.running]), [
      ["server", true, true, 0, true],
      ["writer", true, true, 0, true],
    ]);
    for (const s of pod.status!.containerStatuses!) {
      assert.match(s.containerID ?? "", /^docker:\/\/[0-9a-f]{64}$/);
      assert.equal(s.image, IMAGE);
      assert.ok(s.imageID);
    }
    assert.ok(pod.status?.podIP?.startsWith(subnet.split(".").slice(0, 3).join(".") + "."), `pod IP ${pod.status?.podIP} in ${subnet}`);
    assert.deepEqual(pod.status?.podIPs, [{ ip: pod.status?.podIP }]);
    assert.equal(pod.status?.hostIP, "127.0.0.1");
    assert.ok(pod.status?.startTime);
    assert.equal(pod.status?.qosClass, "BestEffort");
    for (const type of ["PodReadyToStartContainers", "Initialized", "ContainersReady", "PodScheduled"]) assert.equal(condition(pod, type)?.status, "True", type);
    // The page the writer wrote into the emptyDir is served by the other container, at the pod IP.
    const body = await fetch(`http://${pod.status!.podIP}:8080/index.html`).then((r) => r.text());
    assert.equal(body.trim(), "written-by-web");
    const reasons = (await podEvents(pod)).map((e) => (e as { reason?: string }).reason);
    for (const r of ["Pulled", "Created", "Started"]) assert.ok(reasons.includes(r), `event ${r} in ${reasons.join(",")}`);
    const ev = (await podEvents(pod))[0] as { source?: { component?: string; host?: string } };
    assert.deepEqual(ev.source, { component: "kubelet", host: nodeName });
    await client.delete(PODS, "default", "web");
  });

  test("a crashing container reaches CrashLoopBackOff with growing back-off", async (t) => {
    if (skip) return t.skip(skip);
    const created = await createPod("crasher", {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "crash", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "echo bye; exit 3"] }],
    });
    const uid = created.metadata!.uid!;
    const first = await waitFor("first CrashLoopBackOff", async () => {
      const s = (await getPod("crasher")).status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === "CrashLoopBackOff" ? s : undefined;
    });
    assert.equal(first.state?.waiting?.message, `back-off 10s restarting failed container=crash pod=crasher_default(${uid})`);
    assert.equal(first.lastState?.terminated?.exitCode, 3);
    assert.equal(first.lastState?.terminated?.reason, "Error");
    assert.equal(first.restartCount, 1);
    const p1 = await getPod("crasher");
    assert.equal(p1.status?.phase, "Running");
    assert.equal(condition(p1, "Ready")?.status, "False");
    const second = await waitFor("back-off 20s", async () => {
      const s = (await getPod("crasher")).status?.containerStatuses?.[0];
      return s?.state?.waiting?.message?.startsWith("back-off 20s") ? s : undefined;
    }, 30_000);
    assert.equal(second.restartCount, 2);
    const backoffs = (await podEvents(p1)).filter((e) => (e as { reason?: string }).reason === "BackOff");
    assert.ok(backoffs.length >= 1);
    assert.equal((backoffs[0] as { type?: string }).type, "Warning");
    await client.delete(PODS, "default", "crasher");
  });

  test("a failing liveness probe restarts the container", async (t) => {
    if (skip) return t.skip(skip);
    const created = await createPod("liveness", {
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent",
        command: ["sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; exec sleep 3600"],
        livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, periodSeconds: 1, failureThreshold: 2 },
      }],
    });
    const s = await waitFor("a restart after the liveness failure", async () => {
      const st = (await getPod("liveness")).status?.containerStatuses?.[0];
      return st && st.restartCount >= 1 && st.state?.running ? st : undefined;
    });
    assert.ok(s.lastState?.terminated, "the killed instance is the last state");
    const events = await podEvents(created);
    const unhealthy = events.find((e) => (e as { reason?: string }).reason === "Unhealthy") as { message?: string } | undefined;
    assert.match(unhealthy?.message ?? "", /^Liveness probe failed: /);
    const killing = events.find((e) => (e as { reason?: string }).reason === "Killing") as { message?: string } | undefined;
    assert.equal(killing?.message, "Container app failed liveness probe, will be restarted");
    await client.delete(PODS, "default", "liveness");
  });

  test("readiness gates the Ready condition", async (t) => {
    if (skip) return t.skip(skip);
    await createPod("gated", {
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent",
        command: ["sh", "-c", "exec sleep 3600"],
        readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: 1 },
      }],
    });
    const notReady = await waitFor("gated Running", async () => {
      const p = await getPod("gated");
      return p.status?.phase === "Running" && p.status.containerStatuses?.[0]?.state?.running ? p : undefined;
    });
    await sleep(1500);
    const still = await getPod("gated");
    assert.equal(condition(still, "Ready")?.status, "False");
    assert.equal(condition(still, "Ready")?.reason, "ContainersNotReady");
    assert.equal(condition(still, "Ready")?.message, "containers with unready status: [app]");
    assert.equal(still.status?.containerStatuses?.[0]?.ready, false);
    const id = notReady.status!.containerStatuses![0]!.containerID!.replace("docker://", "");
    const session = await runtime.exec(id, { command: ["touch", "/tmp/ready"] });
    assert.equal(await session.exitCode, 0);
    const ready = await waitFor("Ready True", async () => {
      const p = await getPod("gated");
      return condition(p, "Ready")?.status === "True" ? p : undefined;
    }, 10_000);
    assert.equal(ready.status?.containerStatuses?.[0]?.ready, true);
    assert.equal(ready.status?.containerStatuses?.[0]?.containerID, notReady.status?.containerStatuses?.[0]?.containerID, "not restarted");
    await client.delete(PODS, "default", "gated");
  });

  test("deleting a pod stops its containers within the grace period and removes it", async (t) => {
    if (skip) return t.skip(skip);
    const created = await createPod("doomed", {
      terminationGracePeriodSeconds: 3,
      containers: [{
        name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent",
        // Ignores SIGTERM: only the SIGKILL after the grace period stops it.
        command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"],
      }],
    });
    const running = await waitFor("doomed Running", async () => {
      const p = await getPod("doomed");
      return p.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
    });
    const id = running.status!.containerStatuses![0]!.containerID!.replace("docker://", "");
    const started = Date.now();
    await client.delete(PODS, "default", "doomed");
    const deleting = await getPod("doomed");
    assert.ok(deleting.metadata?.deletionTimestamp, "graceful: the pod stays while the kubelet stops it");
    await waitFor("doomed removed from the API", async () => getPod("doomed").then(() => false, (err: { code?: number }) => err.code === 404), 15_000);
    const took = Date.now() - started;
    assert.ok(took >= 2500, `waited for the grace period (${took} ms)`);
    assert.ok(took < 10_000, `stopped within the grace period plus slack (${took} ms)`);
    await waitFor("containers removed", async () => {
      const pods = await runtime.listPodContainers();
      return !pods.some((p) => p.podUid === created.metadata?.uid);
    }, 10_000);
    await assert.rejects(runtime.inspectContainer(id));
  });
  test("init containers run in order before the app; restartPolicy Never ends Succeeded with the termination message", async (t) => {
    if (skip) return t.skip(skip);
    await createPod("job", {
      restartPolicy: "Never",
      volumes: [{ name: "work", emptyDir: {} }],
      initContainers: [
        { name: "first", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "echo one > /work/log"], volumeMounts: [{ name: "work", mountPath: "/work" }] },
        { name: "second", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "echo two >> /work/log"], volumeMounts: [{ name: "work", mountPath: "/work" }] },
      ],
      containers: [{
        name: "main", image: IMAGE, imagePullPolicy: "IfNotPresent",
        command: ["sh", "-c", "tr '\\n' ' ' < /work/log > /dev/termination-log; echo \"$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT\" >> /dev/termination-log"],
        volumeMounts: [{ name: "work", mountPath: "/work" }],
      }],
    });
    const done = await waitFor("job Succeeded", async () => {
      const p = await getPod("job");
      return p.status?.phase === "Succeeded" ? p : undefined;
    });
    assert.deepEqual(done.status?.initContainerStatuses?.map((s) => [s.name, s.state?.terminated?.reason, s.ready]), [["first", "Completed", true], ["second", "Completed", true]]);
    const kubernetes = (await client.get({ group: "", plural: "services" }, "default", "kubernetes")) as unknown as { spec: { clusterIP: string } };
    assert.ok(kubernetes.spec.clusterIP);
    assert.equal(done.status?.containerStatuses?.[0]?.state?.terminated?.message, `one two ${kubernetes.spec.clusterIP}:443\n`);
    assert.equal(condition(done, "Initialized")?.status, "True");
    assert.equal(condition(done, "Ready")?.reason, "PodCompleted");
    // Finished pods have no grace period: deletion removes them at once.
    await client.delete(PODS, "default", "job");
    await assert.rejects(getPod("job"), (err: { code?: number }) => err.code === 404);
  });

  test("a failing init container fails a restartPolicy Never pod without starting the app", async (t) => {
    if (skip) return t.skip(skip);
    await createPod("badinit", {
      restartPolicy: "Never",
      initContainers: [{ name: "check", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "exit 7"] }],
      containers: [{ name: "main", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["true"] }],
    });
    const failed = await waitFor("badinit Failed", async () => {
      const p = await getPod("badinit");
      return p.status?.phase === "Failed" ? p : undefined;
    });
    assert.equal(failed.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 7);
    assert.deepEqual(failed.status?.containerStatuses?.[0]?.state, { waiting: { reason: "PodInitializing" } });
    assert.equal(condition(failed, "Initialized")?.message, "containers with incomplete status: [check]");
    await client.delete(PODS, "default", "badinit");
  });

  test("an image that cannot be pulled gives ErrImagePull, then ImagePullBackOff", async (t) => {
    if (skip) return t.skip(skip);
    const created = await createPod("noimage", {
      containers: [{ name: "app", image: "kube-lite-test/does-not-exist:1", imagePullPolicy: "IfNotPresent" }],
    });
    // ErrImagePull shows until the next sync; any sync inside the pull back-off window shows
    // ImagePullBackOff (upstream's image manager), so the first state is seen through its events.
    const backoff = await waitFor("ImagePullBackOff", async () => {
      const s = (await getPod("noimage")).status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === "ImagePullBackOff" ? s : undefined;
    }, 20_000);
    assert.equal(backoff.state?.waiting?.message, 'Back-off pulling image "kube-lite-test/does-not-exist:1"');
    assert.equal((await getPod("noimage")).status?.phase, "Pending");
    const failedEvents = (await podEvents(created)).filter((e) => (e as { reason?: string }).reason === "Failed").map((e) => (e as { message?: string }).message ?? "");
    assert.ok(failedEvents.includes("Error: ErrImagePull"), failedEvents.join(" | "));
    assert.ok(failedEvents.some((m) => m.startsWith('Failed to pull image "kube-lite-test/does-not-exist:1"')), failedEvents.join(" | "));
    await client.delete(PODS, "default", "noimage");
  });

  test("postStart and preStop hooks run: postStart before the pod is Ready, preStop on deletion", async (t) => {
    if (skip) return t.skip(skip);
    const hostDir = mkdtempSync(join(tmpdir(), "kube-lite-kubelet-hooks-"));
    t.after(() => rmSync(hostDir, { recursive: true, force: true }));
    await createPod("hooks", {
      terminationGracePeriodSeconds: 5,
      volumes: [{ name: "host", hostPath: { path: hostDir, type: "Directory" } }],
      containers: [{
        name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent",
        command: ["sh", "-c", "exec sleep 3600"],
        volumeMounts: [{ name: "host", mountPath: "/host" }],
        lifecycle: {
          postStart: { exec: { command: ["sh", "-c", "echo started > /host/post-start"] } },
          preStop: { exec: { command: ["sh", "-c", "echo stopping > /host/pre-stop"] } },
        },
      }],
    });
    await waitFor("hooks Running", async () => (await getPod("hooks")).status?.containerStatuses?.[0]?.state?.running);
    assert.equal(readFileSync(join(hostDir, "post-start"), "utf8"), "started\n");
    assert.equal(existsSync(join(hostDir, "pre-stop")), false);
    await client.delete(PODS, "default", "hooks");
    await waitFor("hooks removed", async () => getPod("hooks").then(() => false, (err: { code?: number }) => err.code === 404), 15_000);
    assert.equal(readFileSync(join(hostDir, "pre-stop"), "utf8"), "stopping\n");
  });
  test("activeDeadlineSeconds fails the pod with DeadlineExceeded; FallbackToLogsOnError reports the log tail", async (t) => {
    if (skip) return t.skip(skip);
    await createPod("deadline", {
      activeDeadlineSeconds: 2,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "exec sleep 3600"] }],
    });
    await createPod("logfail", {
      restartPolicy: "Never",
      containers: [{ name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent", terminationMessagePolicy: "FallbackToLogsOnError", command: ["sh", "-c", "echo starting; echo fatal: no config; exit 4"] }],
    });
    const failed = await waitFor("deadline Failed", async () => {
      const p = await getPod("deadline");
      return p.status?.phase === "Failed" ? p : undefined;
    }, 20_000);
    assert.equal(failed.status?.reason, "DeadlineExceeded");
    assert.equal(failed.status?.message, "Pod was active on the node longer than the specified deadline");
    assert.ok(failed.status?.containerStatuses?.[0]?.state?.terminated, "its container was stopped");
    const logfail = await waitFor("logfail Failed", async () => {
      const p = await getPod("logfail");
      return p.status?.phase === "Failed" ? p : undefined;
    });
    assert.equal(logfail.status?.containerStatuses?.[0]?.state?.terminated?.message, "starting\nfatal: no config\n");
    await client.delete(PODS, "default", "deadline");
    await client.delete(PODS, "default", "logfail");
  });

  test("a dead sandbox is recreated and the pod's containers start again in it", async (t) => {
    if (skip) return t.skip(skip);
    const created = await createPod("phoenix", {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "exec sleep 3600"] }],
    });
    const before = await waitFor("phoenix Running", async () => {
      const p = await getPod("phoenix");
      return p.status?.containerStatuses?.[0]?.state?.running ? p : undefined;
    });
    const sandbox = (await runtime.listPodSandboxes()).find((s) => s.podUid === created.metadata?.uid && s.state === "ready")!;
    const docker = await runtime.docker();
    await docker.getContainer(sandbox.sandboxId).kill();
    const after = await waitFor("phoenix running in a new sandbox", async () => {
      const p = await getPod("phoenix");
      const s = p.status?.containerStatuses?.[0];
      return s?.state?.running && s.containerID !== before.status?.containerStatuses?.[0]?.containerID ? p : undefined;
    });
    assert.equal(after.status?.containerStatuses?.[0]?.restartCount, 1);
    const sandboxes = (await runtime.listPodSandboxes()).filter((s) => s.podUid === created.metadata?.uid);
    assert.deepEqual(sandboxes.map((s) => [s.attempt, s.state]), [[1, "ready"]], "the dead sandbox is removed");
    assert.ok(after.status?.podIP);
    const reasons = (await podEvents(created)).map((e) => (e as { reason?: string }).reason);
    assert.ok(reasons.includes("SandboxChanged"));
    await client.delete(PODS, "default", "phoenix");
  });
  test("a sidecar (restartable init container) starts before the app, serves it on localhost, and stops when the app is done", async (t) => {
    if (skip) return t.skip(skip);
    await createPod("sidecar", {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 1,
      initContainers: [{
        name: "proxy", image: IMAGE, imagePullPolicy: "IfNotPresent", restartPolicy: "Always",
        command: ["sh", "-c", "mkdir -p /www && echo from-sidecar > /www/index.html && exec httpd -f -p 9090 -h /www"],
        startupProbe: { tcpSocket: { port: 9090 }, periodSeconds: 1 },
        readinessProbe: { tcpSocket: { port: 9090 }, periodSeconds: 1 },
      }],
      containers: [{
        name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent",
        // Runs only after the sidecar started, so the first request already succeeds.
        command: ["sh", "-c", "wget -qO- http://127.0.0.1:9090/index.html > /dev/termination-log && sleep 2"],
      }],
    });
    const running = await waitFor("app running beside the sidecar", async () => {
      const p = await getPod("sidecar");
      return p.status?.phase === "Running" && p.status.containerStatuses?.[0]?.state?.running ? p : undefined;
    });
    const proxy = running.status?.initContainerStatuses?.[0];
    assert.ok(proxy?.state?.running, "the sidecar keeps running");
    assert.equal(proxy?.started, true);
    assert.equal(condition(running, "Initialized")?.status, "True");
    const done = await waitFor("sidecar pod Succeeded", async () => {
      const p = await getPod("sidecar");
      return p.status?.phase === "Succeeded" ? p : undefined;
    }, 20_000);
    assert.equal(done.status?.containerStatuses?.[0]?.state?.terminated?.message, "from-sidecar\n");
    assert.ok(done.status?.initContainerStatuses?.[0]?.state?.terminated, "the sidecar was stopped");
    await client.delete(PODS, "default", "sidecar");
  });
  test("a restartPolicy Never pod whose sandbox died gets no new sandbox and ends Failed", async (t) => {
    if (skip) return t.skip(skip);
    const created = await createPod("once", {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "exec sleep 3600"] }],
    });
    await waitFor("once Running", async () => (await getPod("once")).status?.containerStatuses?.[0]?.state?.running);
    const sandbox = (await runtime.listPodSandboxes()).find((s) => s.podUid === created.metadata?.uid && s.state === "ready")!;
    await (await runtime.docker()).getContainer(sandbox.sandboxId).kill();
    const failed = await waitFor("once Failed", async () => {
      const p = await getPod("once");
      return p.status?.phase === "Failed" ? p : undefined;
    }, 20_000);
    assert.ok(failed.status?.containerStatuses?.[0]?.state?.terminated);
    const sandboxes = (await runtime.listPodSandboxes()).filter((s) => s.podUid === created.metadata?.uid);
    assert.deepEqual(sandboxes.map((s) => s.attempt), [0], "no second sandbox");
    await client.delete(PODS, "default", "once");
  });
});

// Runs after the suite above: it replaces the kubelet, which would reset the others' back-off.
  test("a new Kubelet adopts running containers without restarting them, and removes those of deleted pods", async (t) => {
    if (skip) return t.skip(skip);
    await createPod("steady", {
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "exec sleep 3600"],
        // Generous timeout and threshold, so only the adoption can flip Ready (a new probe worker starts
        // not-ready unless seeded): a loaded CI run once saw Ready's lastTransitionTime move by a second,
        // which slow `docker exec`s against the default 1 s timeout and 3 failures can also cause.
        readinessProbe: { exec: { command: ["true"] }, periodSeconds: 1, timeoutSeconds: 10, failureThreshold: 10 },
      }],
    });
    const orphan = await createPod("orphan", {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "app", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sh", "-c", "exec sleep 3600"] }],
    });
    const before = await waitFor("steady Ready", async () => {
      const p = await getPod("steady");
      return condition(p, "Ready")?.status === "True" ? p : undefined;
    });
    await waitFor("orphan running", async () => (await getPod("orphan")).status?.containerStatuses?.[0]?.state?.running);
    // A second kubelet for the same node takes over while the first is gone; the orphan's pod is
    // force-deleted while no kubelet watches.
    const second = new Kubelet({ nodeName, client, runtime, dataDir: join(dir, "agent"), network, clusterDNS: "10.43.0.10", logger: quiet });
    kubelet.stop();
    await client.delete(PODS, "default", "orphan", { gracePeriodSeconds: 0 });
    try {
      await second.start();
      await waitFor("orphan containers removed", async () => !(await runtime.listPodContainers()).some((p) => p.podUid === orphan.metadata?.uid), 10_000);
      await sleep(2500);
      const after = await getPod("steady");
      const [b, a] = [before.status!.containerStatuses![0]!, after.status!.containerStatuses![0]!];
      assert.equal(a.containerID, b.containerID, "same container");
      assert.equal(a.restartCount, 0);
      assert.equal(a.state?.running?.startedAt, b.state?.running?.startedAt);
      assert.equal(condition(after, "Ready")?.status, "True");
      assert.equal(condition(after, "Ready")?.lastTransitionTime, condition(before, "Ready")?.lastTransitionTime, "Ready never flipped");
      await client.delete(PODS, "default", "steady");
      await waitFor("steady removed by the new kubelet", async () => getPod("steady").then(() => false, (err: { code?: number }) => err.code === 404), 15_000);
    } finally {
      kubelet = second;
    }
  });
