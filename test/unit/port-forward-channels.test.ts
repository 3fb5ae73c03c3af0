/**
 * The v4.channel.k8s.io port-forward framing: the `ports` query with upstream's messages, channel
 * numbering, the little-endian port prefix, and a data channel as a Duplex over a real WebSocket.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { ApiError } from "../../src/shared/api/status.js";
import { dataChannel, errorChannel, parsePortsQuery, portPrefix, WebSocketChannelStream } from "../../src/server/apiserver/port-forward-channels.js";

test("ports query: repeated and comma-separated values, upstream's errors as 400", () => {
  assert.deepEqual(parsePortsQuery(new URLSearchParams("ports=80")), [80]);
  assert.deepEqual(parsePortsQuery(new URLSearchParams("ports=80,443&ports=8080")), [80, 443, 8080]);
  assert.deepEqual(parsePortsQuery(new URLSearchParams("")), []);
  const bad = (q: string, message: RegExp): void =>
    assert.throws(() => parsePortsQuery(new URLSearchParams(q)), (err: unknown) => err instanceof ApiError && err.code === 400 && message.test(err.message));
  bad("ports=", /query parameter "ports" cannot be empty/);
  bad("ports=http", /unable to parse "http" as a port/);
  bad("ports=80,65536", /unable to parse "80,65536" as a port/);
  bad("ports=0", /port "0" must be > 0/);
  bad("ports=-1", /unable to parse/);
});

test("channels: 2i data and 2i+1 error; the port prefix is uint16 little-endian", () => {
  assert.deepEqual([dataChannel(0), errorChannel(0), dataChannel(3), errorChannel(3)], [0, 1, 6, 7]);
  assert.deepEqual([...portPrefix(8080)], [0x90, 0x1f]);
  assert.deepEqual([...portPrefix(80)], [80, 0]);
  assert.deepEqual([...portPrefix(65535)], [0xff, 0xff]);
});

test("a data channel stream: client messages are readable, writes become channel messages, the WebSocket's close ends it", async () => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  const serverSide = new Promise<WebSocketChannelStream>((resolve) =>
    wss.once("connection", (ws) => {
      const channel = new WebSocketChannelStream(ws, 2);
      ws.on("message", (m: Buffer) => {
        if (m[0] === 2) channel.deliver(m.subarray(1));
      });
      ws.once("close", () => channel.clientClosed());
      resolve(channel);
    }),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
  const received: Buffer[] = [];
  client.on("message", (m: Buffer) => received.push(m));
  await new Promise((r) => client.once("open", r));
  const channel = await serverSide;
  let read = "";
  channel.on("data", (d: Buffer) => (read += d.toString()));
  const ended = new Promise((r) => channel.once("end", r));
  client.send(Buffer.from([2, ...Buffer.from("hello ")]));
  client.send(Buffer.from([0, ...Buffer.from("other channel")]));
  client.send(Buffer.from([2, ...Buffer.from("pod")]));
  await new Promise<void>((resolve, reject) => channel.write(Buffer.from("answer"), (err) => (err ? reject(err) : resolve())));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(received.length, 1);
  assert.equal(received[0]![0], 2);
  assert.equal(received[0]!.subarray(1).toString(), "answer");
  client.close();
  await ended;
  assert.equal(read, "hello pod");
  // Once the client is gone, a write fails instead of vanishing.
  const errored = new Promise<Error>((r) => channel.once("error", r));
  await assert.rejects(new Promise<void>((resolve, reject) => channel.write(Buffer.from("late"), (err) => (err ? reject(err) : resolve()))), /closed the port-forward connection/);
  assert.match((await errored).message, /closed the port-forward connection/);
  wss.close();
});
