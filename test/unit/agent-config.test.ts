import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAgentConfig, parseNodeLabel, parseNodeTaint, parseRuntimeFlags } from "../../src/agent/config.js";
import { UsageError } from "../../src/shared/usage-error.js";

test("agent flags: --join or --server, labels, taints, defaults", () => {
  const c = parseAgentConfig({ server: "https://10.0.0.1:6443/", token: "K10abc::server:x", "node-name": "Pi-2", "node-label": ["tier=edge"], "node-taint": ["dedicated=gpu:NoSchedule", "spot:PreferNoSchedule"] });
  assert.equal(c.server, "https://10.0.0.1:6443");
  assert.equal(c.nodeName, "pi-2");
  assert.deepEqual(c.labels, { tier: "edge" });
  assert.deepEqual(c.taints, [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }, { key: "spot", effect: "PreferNoSchedule" }]);
  assert.throws(() => parseAgentConfig({}), UsageError);
  assert.throws(() => parseAgentConfig({ join: "http://x:6443" }), /https/);
  assert.throws(() => parseNodeLabel("novalue"), UsageError);
  assert.throws(() => parseNodeTaint("k=v:Sometimes"), /Effect/);
  assert.deepEqual(parseNodeLabel("example.com/role=db"), ["example.com/role", "db"]);
});

test("agent flags: --runtime docker|sim and --sim-nodes N, with clear errors", async () => {
  const base = { join: "https://10.0.0.1:6443" };
  const docker = parseAgentConfig(base);
  assert.deepEqual([docker.runtime, docker.simNodes], ["docker", 1]);
  const sim = parseAgentConfig({ ...base, runtime: "sim", "sim-nodes": "50" });
  assert.deepEqual([sim.runtime, sim.simNodes], ["sim", 50]);
  assert.deepEqual(parseRuntimeFlags({ runtime: "sim" }), { runtime: "sim", simNodes: 1 });
  assert.throws(() => parseAgentConfig({ ...base, runtime: "containerd" }), (err: Error) => err instanceof UsageError && /--runtime "containerd": unknown runtime, must be one of docker, sim/.test(err.message));
  assert.throws(() => parseAgentConfig({ ...base, "sim-nodes": "5" }), (err: Error) => err instanceof UsageError && /--sim-nodes needs --runtime sim/.test(err.message));
  assert.throws(() => parseAgentConfig({ ...base, runtime: "docker", "sim-nodes": "5" }), /--sim-nodes needs --runtime sim/);
  for (const bad of ["0", "-3", "2.5", "five", "", "1e3"]) {
    assert.throws(() => parseAgentConfig({ ...base, runtime: "sim", "sim-nodes": bad }), (err: Error) => err instanceof UsageError && err.message.includes(`--sim-nodes "${bad}": must be a positive integer`), bad);
  }
  const { simNodeNames } = await import("../../src/agent/main.js");
  assert.deepEqual(simNodeNames("sim", 1), ["sim"]);
  assert.deepEqual(simNodeNames("sim", 3), ["sim-0", "sim-1", "sim-2"]);
});
