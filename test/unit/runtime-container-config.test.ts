// Pod container → Docker create options: command/args semantics, $(VAR) expansion, resources,
// security context, mounts, namespaces and identity labels.
import { test } from "node:test";
import assert from "node:assert/strict";
import { containerCreateOptions, dockerUser, expandEnv, expandVars } from "../../src/agent/kubelet/runtime/container-config.js";
import { dockerResources, parseQuantity } from "../../src/agent/kubelet/runtime/resources.js";
import { containerName, identityFromLabels } from "../../src/agent/kubelet/runtime/labels.js";
import type { ContainerConfig, PodSandboxConfig } from "../../src/agent/kubelet/runtime/types.js";

const sandbox: PodSandboxConfig = { podUid: "uid-1", namespace: "ns", name: "pod", podCIDRNetwork: { name: "kube-lite-n1", subnet: "10.42.0.0/24" } };
const ctx = { nodeName: "n1", sandboxId: "sb123", sandbox, terminationMessageFile: "/data/pods/uid-1/containers/c/abcd" };
const base: ContainerConfig = { name: "c", image: "busybox", restartCount: 0 };

test("command and args map onto Entrypoint and Cmd with Kubernetes semantics", () => {
  const neither = containerCreateOptions(base, ctx);
  assert.equal(neither.Entrypoint, undefined);
  assert.equal(neither.Cmd, undefined);

  const commandOnly = containerCreateOptions({ ...base, command: ["/app"] }, ctx);
  assert.deepEqual(commandOnly.Entrypoint, ["/app"]);
  assert.deepEqual(commandOnly.Cmd, [], "the image's CMD must not be appended to a command");

  const argsOnly = containerCreateOptions({ ...base, args: ["--port", "80"] }, ctx);
  assert.equal(argsOnly.Entrypoint, undefined, "the image's ENTRYPOINT stays");
  assert.deepEqual(argsOnly.Cmd, ["--port", "80"]);

  const both = containerCreateOptions({ ...base, command: ["sh", "-c"], args: ["echo hi"] }, ctx);
  assert.deepEqual(both.Entrypoint, ["sh", "-c"]);
  assert.deepEqual(both.Cmd, ["echo hi"]);
});

test("$(VAR) expansion follows upstream: $$ escapes, unknown references stay", () => {
  assert.equal(expandVars("a $(X) b", { X: "1" }), "a 1 b");
  assert.equal(expandVars("$$(X) $(Y) $X", { X: "1" }), "$(X) $(Y) $X");
  assert.equal(expandVars("$(X", { X: "1" }), "$(X");
  assert.equal(expandVars("end$", {}), "end$");
  assert.deepEqual(expandEnv([{ name: "A", value: "x" }, { name: "B", value: "$(A)-$(C)" }, { name: "C", value: "c" }]), [
    { name: "A", value: "x" },
    { name: "B", value: "x-$(C)" },
    { name: "C", value: "c" },
  ]);
  const opts = containerCreateOptions({ ...base, env: [{ name: "PORT", value: "8080" }], command: ["serve", "--port=$(PORT)"] }, ctx);
  assert.deepEqual(opts.Entrypoint, ["serve", "--port=8080"]);
  assert.deepEqual(opts.Env, ["PORT=8080"]);
});

test("quantities and resources → memory, CFS quota and CPU shares", () => {
  assert.equal(parseQuantity("500m"), 0.5);
  assert.equal(parseQuantity("64Mi"), 64 * 2 ** 20);
  assert.equal(parseQuantity("1G"), 1e9);
  assert.equal(parseQuantity("2e3"), 2000);
  assert.equal(parseQuantity("bogus"), undefined);
  assert.deepEqual(dockerResources(undefined), { CpuShares: 2 });
  assert.deepEqual(dockerResources({ limits: { memory: "64Mi", cpu: "500m" } }), {
    Memory: 67108864, MemorySwap: 67108864, NanoCpus: 500_000_000, CpuShares: 512,
  });
  assert.deepEqual(dockerResources({ requests: { cpu: "250m" } }), { CpuShares: 256 });
  assert.deepEqual(dockerResources({ requests: { cpu: "1m" } }), { CpuShares: 2 });
  assert.deepEqual(dockerResources({ limits: { cpu: "1m" } }), { NanoCpus: 10_000_000, CpuShares: 2 });
  const opts = containerCreateOptions({ ...base, resources: { limits: { memory: "1Gi" }, requests: { cpu: "2" } } }, ctx);
  assert.equal(opts.HostConfig?.Memory, 2 ** 30);
  assert.equal(opts.HostConfig?.CpuShares, 2048);
});

test("security context: user and group, privileged, read-only root, capabilities, groups", () => {
  assert.equal(dockerUser({ runAsUser: 1000 }, undefined), "1000");
  assert.equal(dockerUser({ runAsUser: 1000 }, { runAsGroup: 3000 }), "1000:3000");
  assert.equal(dockerUser(undefined, { runAsUser: 5, runAsGroup: 6 }), "5:6");
  assert.equal(dockerUser({ runAsUser: 7 }, { runAsUser: 5 }), "7", "the container's setting wins");
  assert.equal(dockerUser({ runAsGroup: 3000 }, undefined), undefined, "a group alone keeps the image's user");
  const opts = containerCreateOptions({
    ...base,
    securityContext: { privileged: true, readOnlyRootFilesystem: true, capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] }, allowPrivilegeEscalation: false },
    podSecurityContext: { runAsUser: 1000, supplementalGroups: [44], fsGroup: 2000 },
  }, ctx);
  const h = opts.HostConfig!;
  assert.equal(opts.User, "1000");
  assert.equal(h.Privileged, true);
  assert.equal(h.ReadonlyRootfs, true);
  assert.deepEqual(h.CapAdd, ["NET_ADMIN"]);
  assert.deepEqual(h.CapDrop, ["ALL"]);
  assert.deepEqual(h.GroupAdd, ["44", "2000"]);
  assert.deepEqual(h.SecurityOpt, ["no-new-privileges"]);
});

test("namespaces, mounts, termination message file and Docker restart policy", () => {
  const opts = containerCreateOptions({
    ...base,
    workingDir: "/w",
    tty: true,
    stdin: true,
    terminationMessagePath: "/tmp/msg",
    mounts: [
      { source: { type: "bind", path: "/host/a" }, containerPath: "/a", readOnly: true, propagation: "HostToContainer" },
      { source: { type: "volume", name: "kube-lite_uid-1_mem" }, containerPath: "/m" },
    ],
  }, ctx);
  const h = opts.HostConfig!;
  assert.equal(h.NetworkMode, "container:sb123");
  assert.equal(h.IpcMode, "container:sb123");
  assert.equal(h.PidMode, undefined);
  assert.deepEqual(h.RestartPolicy, { Name: "no" });
  assert.deepEqual(h.LogConfig, { Type: "json-file", Config: { "max-size": "10m", "max-file": "5" } });
  assert.deepEqual(h.Mounts, [
    { Type: "bind", Source: "/host/a", Target: "/a", ReadOnly: true, BindOptions: { Propagation: "rslave" } },
    { Type: "volume", Source: "kube-lite_uid-1_mem", Target: "/m", ReadOnly: false },
    { Type: "bind", Source: ctx.terminationMessageFile, Target: "/tmp/msg", ReadOnly: false },
  ]);
  assert.equal(opts.WorkingDir, "/w");
  assert.equal(opts.Tty, true);
  assert.equal(opts.OpenStdin, true);
  assert.equal(opts.Hostname, undefined, "the hostname comes from the sandbox");
  const shared = containerCreateOptions(base, { ...ctx, sandbox: { ...sandbox, shareProcessNamespace: true } });
  assert.equal(shared.HostConfig?.PidMode, "container:sb123");
  const hostNet = containerCreateOptions(base, { ...ctx, sandbox: { ...sandbox, hostNetwork: true } });
  assert.equal(hostNet.HostConfig?.NetworkMode, "host");
  const defaults = containerCreateOptions(base, ctx);
  assert.equal(defaults.HostConfig?.Mounts?.at(-1)?.Target, "/dev/termination-log");
});

test("identity labels round-trip, and our labels win over caller labels", () => {
  const opts = containerCreateOptions({
    ...base,
    restartCount: 3,
    ports: [{ containerPort: 80, protocol: "TCP" }],
    labels: { "io.kubernetes.pod.uid": "spoofed", "io.kube-lite.spec-hash": "h" },
  }, ctx);
  assert.equal(opts.name, "k8s_c_pod_ns_uid-1_3");
  assert.deepEqual(identityFromLabels(opts.Labels), {
    podUid: "uid-1", namespace: "ns", podName: "pod", sandboxId: "sb123", containerName: "c", restartCount: 3,
  });
  assert.equal(opts.Labels?.["io.kube-lite.spec-hash"], "h");
  assert.equal(opts.Labels?.["io.kube-lite.node"], "n1");
  assert.equal(opts.Labels?.["io.kube-lite.image"], "busybox");
  assert.equal(opts.Image, "busybox");
  const pinned = containerCreateOptions({ ...base, imageRef: "sha256:abc", oomScoreAdj: -997 }, ctx);
  assert.equal(pinned.Image, "sha256:abc", "created from the resolved image ID");
  assert.equal(pinned.Labels?.["io.kube-lite.image"], "busybox");
  assert.equal(pinned.HostConfig?.OomScoreAdj, -997);
  assert.deepEqual(JSON.parse(opts.Labels?.["io.kubernetes.container.ports"] ?? "null"), [{ containerPort: 80, protocol: "TCP" }]);
  assert.equal(identityFromLabels({ "io.kubernetes.docker.type": "podsandbox", "io.kubernetes.pod.uid": "u" }), undefined);
  assert.equal(identityFromLabels({}), undefined);
  assert.equal(containerName("POD", "p", "ns", "u", 1), "k8s_POD_p_ns_u_1");
});
