import { test } from "node:test";
import assert from "node:assert/strict";
import type { PodSpec, PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { HookContext } from "../../src/server/registry/types.js";
import { pods, podQOSClass, podGracePeriod } from "../../src/server/registry/core-v1/pods.js";
import { defaultImagePullPolicy, defaultPodSpec, defaultPodTemplateSpec } from "../../src/server/registry/core-v1/pod-defaults.js";
import { validatePodSpec, validatePodTemplateSpec } from "../../src/server/registry/core-v1/pod-validation.js";
import { podSummary } from "../../src/server/registry/core-v1/pod-table.js";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace(/\.\d+Z$/, "Z");
const MIN = 60_000;
const create: HookContext = { operation: "create", subresource: "", dryRun: false };
const update: HookContext = { operation: "update", subresource: "", dryRun: false };

function pod(spec: Partial<PodSpec>, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default", creationTimestamp: ago(10 * MIN) }, spec: { containers: [], ...spec }, ...extra };
}

function defaulted(spec: Partial<PodSpec>): KubeObject {
  const p = pod(spec);
  pods.prepareForCreate!(p);
  pods.defaults!(p);
  return p;
}

function fields(causes: { field?: string; message?: string }[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

test("pod defaults match what upstream shows in -o yaml", () => {
  const p = defaulted({
    containers: [
      {
        name: "web",
        image: "nginx",
        ports: [{ containerPort: 80 }],
        readinessProbe: { httpGet: { port: 80 } },
        env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
        resources: { limits: { cpu: "500m", memory: "128Mi" } },
      },
    ],
    volumes: [{ name: "scratch" }, { name: "cfg", configMap: { name: "cfg" } }],
  });
  const spec = p.spec as PodSpec;
  assert.equal(spec.restartPolicy, "Always");
  assert.equal(spec.dnsPolicy, "ClusterFirst");
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.schedulerName, "default-scheduler");
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.enableServiceLinks, true);
  assert.equal(spec.priority, 0);
  assert.equal(spec.preemptionPolicy, "PreemptLowerPriority");
  const c = spec.containers[0]!;
  assert.equal(c.imagePullPolicy, "Always");
  assert.equal(c.terminationMessagePath, "/dev/termination-log");
  assert.equal(c.terminationMessagePolicy, "File");
  assert.equal(c.ports![0]!.protocol, "TCP");
  assert.deepEqual(c.readinessProbe, { httpGet: { port: 80, path: "/", scheme: "HTTP" }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.env![0]!.valueFrom!.fieldRef!.apiVersion, "v1");
  assert.deepEqual(c.resources!.requests, { cpu: "500m", memory: "128Mi" }, "requests default to limits on a Pod");
  assert.deepEqual(spec.volumes![0], { name: "scratch", emptyDir: {} });
  assert.equal(spec.volumes![1]!.configMap!.defaultMode, 420);
  assert.deepEqual(p.status, { phase: "Pending", qosClass: "Guaranteed" });
  assert.deepEqual(spec.tolerations, [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  ]);
  assert.deepEqual(validatePodSpec(spec, "spec"), []);
});

test("image pull policy follows the tag, not a registry port", () => {
  assert.equal(defaultImagePullPolicy("nginx"), "Always");
  assert.equal(defaultImagePullPolicy("nginx:latest"), "Always");
  assert.equal(defaultImagePullPolicy("nginx:1.27"), "IfNotPresent");
  assert.equal(defaultImagePullPolicy("localhost:5000/app"), "Always");
  assert.equal(defaultImagePullPolicy("localhost:5000/app:v2"), "IfNotPresent");
  assert.equal(defaultImagePullPolicy("nginx@sha256:abcd"), "IfNotPresent");
  assert.equal(defaultImagePullPolicy("nginx:latest@sha256:abcd"), "Always");
  assert.equal(defaultImagePullPolicy("registry.local:5000/team/app:1.0@sha256:abcd"), "IfNotPresent");
});

test("templates get pod spec defaults but not the Pod-only ones", () => {
  const t: PodTemplateSpec = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27", resources: { limits: { cpu: "1" } } }] } };
  defaultPodTemplateSpec(t);
  assert.equal(t.spec!.containers[0]!.imagePullPolicy, "IfNotPresent");
  assert.equal(t.spec!.restartPolicy, "Always");
  assert.equal(t.spec!.enableServiceLinks, undefined);
  assert.equal(t.spec!.containers[0]!.resources!.requests, undefined);
  assert.deepEqual(validatePodTemplateSpec(t, "spec.template"), []);
  t.spec!.containers[0]!.image = " ";
  assert.deepEqual(validatePodTemplateSpec(t, "spec.template"), [], "templates may carry a blank image token");
  const p = defaulted({ containers: [{ name: "a", image: " nginx" }] });
  assert.deepEqual(fields(pods.validate!(p, undefined, create)), ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace']);
});

test("pod validation reports upstream fields and messages", () => {
  const empty = defaulted({});
  assert.deepEqual(fields(pods.validate!(empty, undefined, create)), ["spec.containers: Required value"]);

  const bad = pod({
    restartPolicy: "Sometimes",
    containers: [
      { name: "Web_1", image: "nginx", volumeMounts: [{ name: "missing", mountPath: "/data" }] },
      { name: "side", image: "", ports: [{ containerPort: 70000, protocol: "HTTP" }] },
      { name: "side", image: "busybox", resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } },
    ],
    volumes: [{ name: "v", emptyDir: {}, hostPath: { path: "/x" } }],
  });
  pods.defaults!(bad);
  const got = fields(pods.validate!(bad, undefined, create));
  assert.ok(got.some((m) => m.startsWith('spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of')), got.join("\n"));
  assert.ok(got.includes('spec.containers[0].volumeMounts[0].name: Not found: "missing"'), got.join("\n"));
  assert.ok(got.includes("spec.containers[1].image: Required value"), got.join("\n"));
  assert.ok(got.includes("spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"), got.join("\n"));
  assert.ok(got.includes('spec.containers[1].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'), got.join("\n"));
  assert.ok(got.includes('spec.containers[2].name: Duplicate value: "side"'), got.join("\n"));
  assert.ok(got.includes('spec.containers[2].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1'), got.join("\n"));
  assert.ok(got.includes('spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'), got.join("\n"));
  assert.ok(got.includes("spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"), got.join("\n"));
});

test("ephemeral volumes carry a valid claim template", () => {
  const p = defaulted({
    containers: [{ name: "a", image: "x" }],
    volumes: [
      { name: "scratch", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } } },
      { name: "bad", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"] } } } },
    ],
  });
  assert.equal((p.spec as PodSpec).volumes![0]!.ephemeral!.volumeClaimTemplate!.spec.volumeMode, "Filesystem");
  assert.deepEqual(fields(pods.validate!(p, undefined, create)), ["spec.volumes[1].ephemeral.volumeClaimTemplate.spec.resources[storage]: Required value"]);
});

test("two containers may not take the same host port", () => {
  const p = defaulted({ containers: [{ name: "a", image: "x", ports: [{ containerPort: 80, hostPort: 8080 }] }, { name: "b", image: "y", ports: [{ containerPort: 81, hostPort: 8080 }] }] });
  assert.deepEqual(fields(pods.validate!(p, undefined, create)), ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']);
});

test("scheduling constraints are well formed before the scheduler sees them", () => {
  const p = defaulted({
    containers: [{ name: "a", image: "x", securityContext: { runAsUser: -1 } }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In" }, { key: "gpu", operator: "Exists", values: ["x"] }, { key: "cores", operator: "Gt", values: ["4"] }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }],
      },
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "", labelSelector: { matchLabels: { app: "web" } } }] },
    },
    topologySpreadConstraints: [{ maxSkew: 0, topologyKey: "zone", whenUnsatisfiable: "Maybe" }],
  });
  const got = fields(pods.validate!(p, undefined, create));
  const base = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions";
  assert.deepEqual(got, [
    `${base}[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
    `${base}[1].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
    "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be between 1 and 100, inclusive",
    "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty",
    "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
    'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
    "spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive",
  ]);
});

test("env valueFrom needs exactly one source and no value", () => {
  const p = defaulted({
    containers: [{ name: "a", image: "x", env: [{ name: "A", value: "1", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }, { name: "B", valueFrom: {} }, { name: "1BAD" }] }],
  });
  const got = fields(validatePodSpec(p.spec as PodSpec, "spec"));
  assert.ok(got.includes('spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'), got.join("\n"));
  assert.ok(got.includes('spec.containers[0].env[1].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'), got.join("\n"));
  assert.ok(got.some((m) => m.startsWith('spec.containers[0].env[2].name: Invalid value: "1BAD"')), got.join("\n"));
});

test("pod updates may change images but not other spec fields", () => {
  const old = defaulted({ containers: [{ name: "web", image: "nginx:1.26" }], activeDeadlineSeconds: 100 });
  const next = structuredClone(old);
  (next.spec as PodSpec).containers[0]!.image = "nginx:1.27";
  (next.spec as PodSpec).tolerations!.push({ key: "k", operator: "Exists", effect: "NoSchedule" });
  pods.defaults!(next);
  assert.deepEqual(pods.validate!(next, old, update), []);

  const changed = structuredClone(old);
  (changed.spec as PodSpec).restartPolicy = "Never";
  const errs = pods.validate!(changed, old, update);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, "spec");
  assert.ok(errs[0]!.message!.startsWith("Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"), "expected condition failed");
  assert.match(errs[0]!.message!, /restartPolicy/);

  const dropped = structuredClone(old);
  (dropped.spec as PodSpec).tolerations = [];
  assert.deepEqual(fields(pods.validate!(dropped, old, update)), ["spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"]);

  const raised = structuredClone(old);
  (raised.spec as PodSpec).activeDeadlineSeconds = 200;
  assert.deepEqual(fields(pods.validate!(raised, old, update)), ["spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value"]);

  const bound = structuredClone(old);
  (bound.spec as PodSpec).nodeName = "node-1";
  assert.deepEqual(pods.validate!(bound, old, { ...update, subresource: "binding" }), [], "the binding subresource sets nodeName");
  assert.equal(pods.validate!(bound, old, update).length, 1, "a plain update may not set nodeName");

  const withEphemeral = pod({ containers: [{ name: "a", image: "x" }], ephemeralContainers: [{ name: "dbg", image: "busybox" }] });
  pods.defaults!(withEphemeral);
  assert.deepEqual(fields(pods.validate!(withEphemeral, undefined, create)), ["spec.ephemeralContainers: Forbidden: cannot be set on create"]);
  const added = structuredClone(old);
  (added.spec as PodSpec).ephemeralContainers = [{ name: "dbg", image: "busybox", terminationMessagePolicy: "File", imagePullPolicy: "Always" }];
  assert.deepEqual(pods.validate!(added, old, { ...update, subresource: "ephemeralcontainers" }), []);
  assert.equal(pods.validate!(added, old, update).length, 1, "the main resource may not add ephemeral containers");
});

test("priority from the built-in classes; own tolerations are kept", () => {
  const critical = defaulted({ priorityClassName: "system-node-critical", containers: [{ name: "a", image: "x" }], tolerations: [{ operator: "Exists" }] });
  assert.equal((critical.spec as PodSpec).priority, 2000001000);
  assert.deepEqual((critical.spec as PodSpec).tolerations, [{ operator: "Exists" }], "tolerating everything already covers not-ready");
  const custom = defaulted({ priorityClassName: "batch-low", containers: [{ name: "a", image: "x" }] });
  assert.equal((custom.spec as PodSpec).priority, undefined, "user classes are resolved by the API layer");
});

test("status writes are checked", () => {
  const p = defaulted({ containers: [{ name: "a", image: "x" }] });
  const status = { ...structuredClone(p), status: { phase: "Running", podIP: "10.42.0.9", podIPs: [{ ip: "10.42.0.9" }], hostIP: "192.168.1.10" } };
  assert.deepEqual(pods.validate!(status, p, { ...update, subresource: "status" }), []);
  const bad = { ...structuredClone(p), status: { phase: "Sleeping", podIP: "10.42.0.9", podIPs: [{ ip: "10.42.0.10" }, { ip: "10.42.0.11" }] } };
  assert.deepEqual(fields(pods.validate!(bad, p, { ...update, subresource: "status" })), [
    'status.podIPs: Invalid value: ["10.42.0.10","10.42.0.11"]: may specify no more than one IP for each IP family',
    'status.podIP: Invalid value: "10.42.0.9": must match status.podIPs[0]',
    'status.phase: Unsupported value: "Sleeping": supported values: "Pending", "Running", "Succeeded", "Failed", "Unknown"',
  ]);
});

test("QoS class as upstream computes it", () => {
  assert.equal(podQOSClass({ containers: [{ name: "a", image: "x" }] }), "BestEffort");
  assert.equal(podQOSClass({ containers: [{ name: "a", image: "x", resources: { requests: { cpu: "100m" } } }] }), "Burstable");
  assert.equal(podQOSClass({ containers: [{ name: "a", image: "x", resources: { limits: { cpu: "1", memory: "1Gi" } } }] }), "Guaranteed");
  assert.equal(podQOSClass({ containers: [{ name: "a", image: "x", resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m" } } }] }), "Burstable");
});

test("gated pods say why they wait", () => {
  const p = pod({ containers: [{ name: "a", image: "x" }], schedulingGates: [{ name: "example.com/wait" }] });
  pods.prepareForCreate!(p);
  assert.deepEqual((p.status as { conditions: unknown[] }).conditions, [
    { type: "PodScheduled", status: "False", reason: "SchedulingGated", message: "Scheduling is blocked due to non-empty scheduling gates" },
  ]);
  assert.equal(pods.table!.cells(p, NOW)[2], "SchedulingGated");
});

test("pod table: READY, STATUS, RESTARTS and the wide columns", () => {
  const running = pod(
    { containers: [{ name: "web", image: "nginx" }, { name: "log", image: "busybox" }], nodeName: "node-1" },
    {
      status: {
        phase: "Running",
        podIP: "10.42.0.7",
        podIPs: [{ ip: "10.42.0.7" }],
        containerStatuses: [
          { name: "web", ready: true, restartCount: 0, image: "nginx", imageID: "", state: { running: { startedAt: ago(MIN) } } },
          { name: "log", ready: false, restartCount: 0, image: "busybox", imageID: "", state: { running: { startedAt: ago(MIN) } } },
        ],
      },
    },
  );
  assert.deepEqual(pods.table!.cells(running, NOW), ["web", "1/2", "Running", "0", "10m", "10.42.0.7", "node-1", "<none>", "<none>"]);
  assert.deepEqual(pods.table!.columns.map((c) => [c.name, c.priority]), [
    ["Name", 0], ["Ready", 0], ["Status", 0], ["Restarts", 0], ["Age", 0], ["IP", 1], ["Node", 1], ["Nominated Node", 1], ["Readiness Gates", 1],
  ]);

  const crashing = pod({ containers: [{ name: "web", image: "nginx" }] }, {
    status: {
      phase: "Running",
      containerStatuses: [{
        name: "web", ready: false, restartCount: 3, image: "nginx", imageID: "",
        state: { waiting: { reason: "CrashLoopBackOff" } },
        lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(5 * MIN) } },
      }],
    },
  });
  assert.deepEqual(podSummary(crashing, NOW), { ready: "0/1", status: "CrashLoopBackOff", restarts: "3 (5m ago)" });
  assert.deepEqual(pods.table!.cells(crashing, NOW).slice(5), ["<none>", "<none>", "<none>", "<none>"]);

  const initWaiting = pod({ initContainers: [{ name: "init", image: "busybox" }], containers: [{ name: "web", image: "nginx" }] }, {
    status: { phase: "Pending", initContainerStatuses: [{ name: "init", ready: false, restartCount: 0, image: "", imageID: "", state: { running: { startedAt: ago(MIN) } } }] },
  });
  assert.equal(podSummary(initWaiting, NOW).status, "Init:0/1");
  const initCrash = structuredClone(initWaiting);
  (initCrash.status as { initContainerStatuses: { state: unknown }[] }).initContainerStatuses[0]!.state = { waiting: { reason: "CrashLoopBackOff" } };
  assert.equal(podSummary(initCrash, NOW).status, "Init:CrashLoopBackOff");
  const initFailed = structuredClone(initWaiting);
  (initFailed.status as { initContainerStatuses: { state: unknown }[] }).initContainerStatuses[0]!.state = { terminated: { exitCode: 2 } };
  assert.equal(podSummary(initFailed, NOW).status, "Init:ExitCode:2");

  const done = pod({ restartPolicy: "Never", containers: [{ name: "job", image: "busybox" }] }, {
    status: { phase: "Succeeded", containerStatuses: [{ name: "job", ready: false, restartCount: 0, image: "", imageID: "", state: { terminated: { exitCode: 0, reason: "Completed" } } }] },
  });
  assert.deepEqual(podSummary(done, NOW), { ready: "0/1", status: "Completed", restarts: "0" });

  const mixed = pod({ containers: [{ name: "a", image: "x" }, { name: "b", image: "y" }] }, {
    status: {
      phase: "Failed",
      containerStatuses: [
        { name: "a", ready: false, restartCount: 0, image: "", imageID: "", state: { terminated: { exitCode: 0, reason: "Completed" } } },
        { name: "b", ready: false, restartCount: 0, image: "", imageID: "", state: { terminated: { exitCode: 137, reason: "OOMKilled" } } },
      ],
    },
  });
  assert.equal(podSummary(mixed, NOW).status, "Completed", "upstream reports the first container's reason (statuses are walked last to first)");
  const sidecarDone = structuredClone(mixed);
  (sidecarDone.status as { containerStatuses: { state: unknown; ready: boolean }[] }).containerStatuses[1] = { state: { running: {} }, ready: true } as never;
  (sidecarDone.status as { conditions?: unknown[] }).conditions = [{ type: "Ready", status: "False" }];
  assert.equal(podSummary(sidecarDone, NOW).status, "NotReady");

  const deleting = structuredClone(running);
  deleting.metadata.deletionTimestamp = ago(0);
  assert.equal(podSummary(deleting, NOW).status, "Terminating");

  const sidecar = pod({ initContainers: [{ name: "proxy", image: "envoy", restartPolicy: "Always" }], containers: [{ name: "web", image: "nginx" }] }, {
    status: {
      phase: "Running",
      conditions: [{ type: "Initialized", status: "True" }],
      initContainerStatuses: [{ name: "proxy", ready: true, started: true, restartCount: 1, image: "", imageID: "", state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(30_000) } } }],
      containerStatuses: [{ name: "web", ready: true, restartCount: 0, image: "", imageID: "", state: { running: {} } }],
    },
  });
  assert.deepEqual(podSummary(sidecar, NOW), { ready: "2/2", status: "Running", restarts: "1 (30s ago)" });

  const gated = pod({ containers: [{ name: "a", image: "x" }], readinessGates: [{ conditionType: "example.com/lb" }] }, {
    status: { phase: "Running", conditions: [{ type: "example.com/lb", status: "True" }] },
  });
  assert.equal(pods.table!.cells(gated, NOW)[8], "1/1");
});

test("pod field selectors and grace period", () => {
  const p = defaulted({ containers: [{ name: "a", image: "x" }] });
  assert.equal(pods.fieldSelectors!["spec.nodeName"]!(p), "", "unscheduled pods match spec.nodeName=");
  assert.equal(pods.fieldSelectors!["status.phase"]!(p), "Pending");
  assert.equal(pods.fieldSelectors!["spec.restartPolicy"]!(p), "Always");
  assert.equal(pods.fieldSelectors!["spec.schedulerName"]!(p), "default-scheduler");
  assert.equal(podGracePeriod(p, undefined), 0, "a pod on no node goes at once");
  (p.spec as PodSpec).nodeName = "node-1";
  assert.equal(podGracePeriod(p, undefined), 30);
  assert.equal(podGracePeriod(p, 5), 5);
  assert.equal(podGracePeriod(p, -3), 1);
});

test("pod discovery facts", () => {
  assert.deepEqual(pods.shortNames, ["po"]);
  assert.deepEqual(pods.categories, ["all"]);
  const eviction = pods.subresources.find((s) => s.name === "eviction");
  assert.deepEqual(eviction, { name: "eviction", group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] });
  assert.equal(pods.subresources.find((s) => s.name === "exec")!.kind, "PodExecOptions");
  assert.equal(pods.hasStatus, true);
});
