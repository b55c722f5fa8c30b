// node --test: heartbeats go in seq order, one at a time, retransmitted unchanged until answered.
import assert from "node:assert/strict";
import { test } from "node:test";

import { HeartbeatQueue } from "../../static/player/queue.mjs";
import { FakeTimers, settle } from "./fakes.mjs";

function server() {
  // A server that answers each sent body with a promise the test settles.
  const calls = [];
  const send = (body) =>
    new Promise((resolve, reject) => calls.push({ body: structuredClone(body), resolve, reject }));
  return { calls, send };
}

test("one heartbeat in flight at a time, in seq order", async () => {
  const timers = new FakeTimers();
  const { calls, send } = server();
  const answers = [];
  const queue = new HeartbeatQueue({ send, timers, onAnswer: (s, p, b) => answers.push(b.seq) });
  queue.push({ position: 10 });
  queue.push({ position: 20 });
  await settle();
  assert.equal(calls.length, 1);
  assert.equal(calls[0].body.seq, 1);
  calls[0].resolve({ status: 200, payload: {} });
  await settle();
  assert.equal(calls.length, 2);
  assert.equal(calls[1].body.seq, 2);
  calls[1].resolve({ status: 200, payload: {} });
  await settle();
  assert.deepEqual(answers, [1, 2]);
  assert.equal(queue.waiting, 0);
});

test("an unanswered heartbeat is sent again with the same body; later ones wait behind it", async () => {
  const timers = new FakeTimers();
  const { calls, send } = server();
  const queue = new HeartbeatQueue({ send, timers });
  queue.push({ position: 10, played: [[0, 10]] });
  await settle();
  calls[0].reject(new Error("network down"));
  await settle();
  queue.push({ position: 20, played: [[10, 20]] }); // made during the outage: queued
  assert.equal(calls.length, 1);
  await timers.advance(1000);
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[1].body, calls[0].body); // a retransmission, unchanged
  calls[1].reject(new Error("still down"));
  await timers.advance(2000);
  assert.deepEqual(calls[2].body, calls[0].body);
  calls[2].resolve({ status: 200, payload: {} }); // the network is back
  await settle();
  assert.equal(calls[3].body.seq, 2);
  assert.deepEqual(calls[3].body.played, [[10, 20]]);
});

test("an outage of two minutes queues every heartbeat and sends them all, in order", async () => {
  const timers = new FakeTimers();
  let up = false;
  const sent = [];
  const send = async (body) => {
    if (!up) throw new Error("offline");
    sent.push(body.seq);
    return { status: 200, payload: {} };
  };
  const queue = new HeartbeatQueue({ send, timers });
  for (let i = 0; i < 12; i += 1) {
    queue.push({ position: (i + 1) * 10, played: [[i * 10, (i + 1) * 10]] });
    await timers.advance(10000);
  }
  assert.equal(queue.waiting, 12);
  up = true;
  queue.resume(); // the transport says it is back: no waiting for the retry timer
  await settle();
  for (let i = 0; i < 12; i += 1) await settle();
  assert.deepEqual(sent, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

test("429 and 5xx are retried with the same body; 409, 404 and 401 stop the queue", async () => {
  const timers = new FakeTimers();
  const { calls, send } = server();
  const stops = [];
  const queue = new HeartbeatQueue({ send, timers, onStop: (status) => stops.push(status) });
  queue.push({ position: 1 });
  await settle();
  calls[0].resolve({ status: 429, payload: {} });
  await timers.advance(1000);
  assert.equal(calls[1].body.seq, 1);
  calls[1].resolve({ status: 503, payload: {} });
  await timers.advance(2000);
  assert.equal(calls[2].body.seq, 1);
  queue.push({ position: 2 });
  calls[2].resolve({ status: 409, payload: { reason: "superseded" } });
  await settle();
  assert.deepEqual(stops, [409]);
  assert.equal(queue.waiting, 0);
  assert.equal(queue.push({ position: 3 }), null); // nothing more is sent
  await timers.advance(60000);
  assert.equal(calls.length, 3);
});

test("a 400 is answered and the queue moves on", async () => {
  const timers = new FakeTimers();
  const { calls, send } = server();
  const statuses = [];
  const queue = new HeartbeatQueue({ send, timers, onAnswer: (status) => statuses.push(status) });
  queue.push({ position: 1 });
  queue.push({ position: 2 });
  await settle();
  calls[0].resolve({ status: 400, payload: { error: "bad" } });
  await settle();
  calls[1].resolve({ status: 200, payload: {} });
  await settle();
  assert.deepEqual(statuses, [400, 200]);
});

for (const status of [401, 404, 409]) {
  test(`a ${status} stops the queue and drops what waits`, async () => {
    const timers = new FakeTimers();
    const { calls, send } = server();
    const stops = [];
    const queue = new HeartbeatQueue({ send, timers, onStop: (s) => stops.push(s) });
    queue.push({ position: 1 });
    queue.push({ position: 2 });
    await settle();
    calls[0].resolve({ status, payload: {} });
    await settle();
    assert.deepEqual(stops, [status]);
    assert.equal(calls.length, 1);
    assert.equal(queue.waiting, 0);
  });
}

test("while retrying the page is told, with how many heartbeats wait", async () => {
  const timers = new FakeTimers();
  const retries = [];
  const send = async () => {
    throw new Error("offline");
  };
  const queue = new HeartbeatQueue({ send, timers, onRetry: (n, waiting) => retries.push([n, waiting]) });
  queue.push({ position: 1 });
  await settle();
  queue.push({ position: 2 });
  await timers.advance(1000);
  assert.deepEqual(retries, [
    [1, 1],
    [2, 2],
  ]);
});
