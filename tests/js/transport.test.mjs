// node --test: the websocket first, HTTP while it is away, back to the websocket when it returns.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CLOSE_ENDED, Transport } from "../../static/player/transport.mjs";
import { FakeSocket, FakeTimers, settle } from "./fakes.mjs";

function setup(overrides = {}) {
  FakeSocket.instances = [];
  const timers = new FakeTimers();
  const posts = [];
  const fetchImpl = async (url, init) => {
    posts.push({ url, init, body: JSON.parse(init.body) });
    return { status: 200, json: async () => ({ seq: JSON.parse(init.body).seq, credited: 10 }) };
  };
  const events = { pushes: [], finals: [], changes: [] };
  const transport = new Transport({
    wsUrl: "ws://testserver/ws/player/abc/",
    httpUrl: "/api/player/sessions/abc/heartbeat",
    csrfToken: "token",
    WebSocketImpl: FakeSocket,
    fetchImpl,
    timers,
    onPush: (m) => events.pushes.push(m),
    onFinal: (c) => events.finals.push(c),
    onChange: (k) => events.changes.push(k),
    ...overrides,
  });
  transport.start();
  return { transport, timers, posts, events };
}

test("an open socket carries the heartbeat and its acknowledgement answers it", async () => {
  const { transport, posts } = setup();
  const socket = FakeSocket.instances[0];
  socket.serverOpen();
  const answer = transport.send({ seq: 1, position: 10 });
  assert.deepEqual(socket.sent, [{ type: "heartbeat", seq: 1, position: 10 }]);
  socket.serverSend({ type: "heartbeat_ack", status: 200, seq: 1, credited: 10 });
  assert.deepEqual(await answer, { status: 200, payload: { seq: 1, credited: 10 } });
  assert.equal(posts.length, 0);
  assert.deepEqual(transport.messages, { ws: 1, http: 0 });
});

test("while the socket cannot open, heartbeats go over HTTP with the CSRF token", async () => {
  const { transport, posts, events } = setup();
  assert.equal(transport.via, "http");
  const answer = await transport.send({ seq: 1, position: 10 });
  assert.equal(answer.status, 200);
  assert.equal(posts[0].url, "/api/player/sessions/abc/heartbeat");
  assert.equal(posts[0].init.headers["X-CSRFToken"], "token");
  assert.deepEqual(posts[0].body, { seq: 1, position: 10 });
  assert.deepEqual(events.changes, ["http"]);
});

test("a dropped socket fails the heartbeat in flight, HTTP takes over, the socket returns", async () => {
  const { transport, timers, posts, events } = setup();
  FakeSocket.instances[0].serverOpen();
  const inflight = transport.send({ seq: 1 });
  FakeSocket.instances[0].serverClose(1006); // the network dropped it
  await assert.rejects(inflight);
  assert.equal(transport.via, "http");
  await transport.send({ seq: 1 }); // the queue retransmits over HTTP
  assert.equal(posts.length, 1);
  await timers.advance(2000); // reopening
  assert.equal(FakeSocket.instances.length, 2);
  let opened = 0;
  transport.onOpen = () => (opened += 1);
  FakeSocket.instances[1].serverOpen();
  assert.equal(opened, 1);
  assert.equal(transport.via, "ws");
  assert.deepEqual(events.changes, ["http", "ws", "http", "ws"]);
});

test("a socket that never answers is given up and closed", async () => {
  const { transport, timers } = setup();
  FakeSocket.instances[0].serverOpen();
  const inflight = transport.send({ seq: 1 });
  const failed = assert.rejects(inflight);
  await timers.advance(15000);
  await failed;
  assert.equal(transport.via, "http");
});

test("the server's pushes reach the page; a final close stops everything", async () => {
  const { transport, timers, events } = setup();
  const socket = FakeSocket.instances[0];
  socket.serverOpen();
  socket.serverSend({ type: "superseded" });
  assert.deepEqual(events.pushes, [{ type: "superseded" }]);
  socket.serverClose(CLOSE_ENDED);
  assert.deepEqual(events.finals, [CLOSE_ENDED]);
  await timers.advance(60000);
  assert.equal(FakeSocket.instances.length, 1); // not reopened
  await assert.rejects(transport.send({ seq: 2 }));
});

test("without websockets at all, HTTP only", async () => {
  const { transport, posts } = setup({ WebSocketImpl: null });
  await transport.send({ seq: 1 });
  assert.equal(posts.length, 1);
  await settle();
  assert.equal(FakeSocket.instances.length, 0);
});

for (const code of [4401, 4404, 4409]) {
  test(`a close with ${code} is final: told once, never reopened`, async () => {
    const { timers, events } = setup();
    FakeSocket.instances[0].serverOpen();
    FakeSocket.instances[0].serverClose(code);
    assert.deepEqual(events.finals, [code]);
    await timers.advance(60000);
    assert.equal(FakeSocket.instances.length, 1);
  });
}

test("an HTTP heartbeat that hangs is given up after 15 s", async () => {
  const timers = new FakeTimers();
  let aborted = false;
  const fetchImpl = (url, init) =>
    new Promise((_resolve, reject) => {
      init.signal.addEventListener("abort", () => {
        aborted = true;
        reject(new Error("aborted"));
      });
    });
  const transport = new Transport({ wsUrl: null, httpUrl: "/hb", csrfToken: "t", fetchImpl, timers });
  transport.start();
  const sent = transport.send({ seq: 1 });
  const failed = assert.rejects(sent);
  await timers.advance(14000);
  assert.equal(aborted, false);
  await timers.advance(1000);
  await failed;
  assert.equal(aborted, true);
});

test("a CSRF refusal (403 with no answer) is not an answer: the queue will retry", async () => {
  const fetchImpl = async () => ({ status: 403, json: async () => ({}) });
  const transport = new Transport({ wsUrl: null, httpUrl: "/hb", csrfToken: "t", fetchImpl });
  await assert.rejects(transport.send({ seq: 1 }), /csrf/);
});
