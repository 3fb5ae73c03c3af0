/**
 * SPDY port-forward stream pairing (upstream kubelet httpstream.go): header checks with upstream's
 * messages, pairing by requestid, the id-derived fallback for clients without request ids, duplicate
 * stream types, and the creation timeout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { portForwardStreamHeaders, requestIdOf, StreamPairs, type PortForwardStream, type StreamPair } from "../../src/server/apiserver/port-forward-pairs.js";

function stream(headers: Record<string, string>, id?: number): PortForwardStream {
  return { headers, id };
}

test("stream headers: port and stream type are checked with upstream's messages", () => {
  assert.deepEqual(portForwardStreamHeaders({ port: "8080", streamtype: "data", requestid: "3" }), { port: 8080, streamType: "data", requestId: "3" });
  assert.deepEqual(portForwardStreamHeaders({ port: ["80"], streamtype: ["error"] }), { port: 80, streamType: "error", requestId: "" });
  assert.throws(() => portForwardStreamHeaders({ streamtype: "data" }), /"port" header is required/);
  assert.throws(() => portForwardStreamHeaders({ port: "http", streamtype: "data" }), /unable to parse "http" as a port/);
  assert.throws(() => portForwardStreamHeaders({ port: "70000", streamtype: "data" }), /unable to parse "70000" as a port/);
  assert.throws(() => portForwardStreamHeaders({ port: "0", streamtype: "data" }), /port "0" must be > 0/);
  assert.throws(() => portForwardStreamHeaders({ port: "80" }), /"streamtype" header is required/);
  assert.throws(() => portForwardStreamHeaders({ port: "80", streamtype: "stdin" }), /invalid stream type "stdin"/);
});

test("request ids: the header wins; without one, the error stream's id and the data stream's id minus 2", () => {
  assert.equal(requestIdOf({ port: 80, streamType: "data", requestId: "7" }, 9), "7");
  assert.equal(requestIdOf({ port: 80, streamType: "error", requestId: "" }, 1), "1");
  assert.equal(requestIdOf({ port: 80, streamType: "data", requestId: "" }, 3), "1");
});

test("pairs complete once both streams of a request id are in, in either order and interleaved", () => {
  const done: [StreamPair<PortForwardStream>, number][] = [];
  const pairs = new StreamPairs<PortForwardStream>((p, port) => done.push([p, port]), () => assert.fail("no timeout expected"));
  const e0 = stream({ port: "80", streamtype: "error", requestid: "0" });
  const e1 = stream({ port: "80", streamtype: "error", requestid: "1" });
  const d1 = stream({ port: "80", streamtype: "data", requestid: "1" });
  const d0 = stream({ port: "80", streamtype: "data", requestid: "0" });
  pairs.add(e0);
  pairs.add(e1);
  assert.equal(pairs.size, 2);
  pairs.add(d1);
  assert.equal(done.length, 1);
  assert.equal(done[0]![0].requestId, "1");
  assert.equal(done[0]![0].data, d1);
  assert.equal(done[0]![0].error, e1);
  assert.equal(done[0]![1], 80);
  pairs.add(d0);
  assert.equal(done.length, 2);
  assert.equal(done[1]![0].data, d0);
  assert.equal(pairs.size, 0);
  // A request id may be reused once its pair is complete (a new pair starts).
  pairs.add(stream({ port: "81", streamtype: "data", requestid: "0" }));
  pairs.add(stream({ port: "80", streamtype: "error", requestid: "0" }));
  assert.equal(done[2]![1], 81, "the data stream's port is the one forwarded");
  pairs.clear();
});

test("a second stream of the same type in one pair is refused, the pair keeps waiting for its partner", () => {
  let completed = 0;
  const pairs = new StreamPairs<PortForwardStream>(() => completed++, () => undefined);
  pairs.add(stream({ port: "80", streamtype: "data", requestid: "5" }));
  assert.throws(() => pairs.add(stream({ port: "80", streamtype: "data", requestid: "5" })), /request 5: data stream already assigned/);
  assert.throws(() => pairs.add(stream({ port: "x", streamtype: "error", requestid: "5" })), /unable to parse/);
  pairs.add(stream({ port: "80", streamtype: "error", requestid: "5" }));
  assert.equal(completed, 1);
});

test("a pair whose partner never comes times out and is forgotten; clear() hands back the waiting ones", async () => {
  const timedOut: StreamPair<PortForwardStream>[] = [];
  const pairs = new StreamPairs<PortForwardStream>(() => assert.fail("no pair should complete"), (p) => timedOut.push(p), 20);
  const e = stream({ port: "80", streamtype: "error", requestid: "9" });
  pairs.add(e);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(timedOut.length, 1);
  assert.equal(timedOut[0]!.error, e);
  assert.equal(pairs.size, 0);
  pairs.add(stream({ port: "80", streamtype: "data", requestid: "10" }));
  const left = pairs.clear();
  assert.equal(left.length, 1);
  assert.equal(left[0]!.requestId, "10");
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(timedOut.length, 1, "cleared pairs do not time out later");
});
