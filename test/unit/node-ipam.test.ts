import { test } from "node:test";
import assert from "node:assert/strict";
import { PodCidrAllocator } from "../../src/server/controllers/node-ipam-controller.js";

test("node subnets come from the cluster CIDR, lowest free first, never twice", () => {
  const a = new PodCidrAllocator("10.42.0.0/16", 24);
  a.observe("10.42.0.0/24");
  assert.equal(a.allocate(), "10.42.1.0/24");
  assert.equal(a.allocate(), "10.42.2.0/24");
  a.release("10.42.1.0/24");
  assert.equal(a.allocate(), "10.42.1.0/24");
  const small = new PodCidrAllocator("10.9.0.0/23", 24);
  assert.equal(small.allocate(), "10.9.0.0/24");
  assert.equal(small.allocate(), "10.9.1.0/24");
  assert.equal(small.allocate(), undefined, "full");
  assert.throws(() => new PodCidrAllocator("10.0.0.0/25", 24));
});
