import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAgentConfig, parseNodeLabel, parseNodeTaint } from "../../src/agent/config.js";
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
