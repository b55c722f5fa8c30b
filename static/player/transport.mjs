// How heartbeats travel (DESIGN.md §4 steps 2 and 4): the session's websocket first; while it
// cannot open, or after it drops, the same heartbeats over HTTP (same body, same answer), and back
// to the websocket when it opens again. One heartbeat is in flight at a time (queue.js), so an
// acknowledgement always answers the heartbeat in flight.

const ANSWER_TIMEOUT_MS = 15000;
const REOPEN_MS = [2000, 5000, 10000, 30000];
// Close codes after which the session (or the login) is over: no reopening, no HTTP either.
export const CLOSE_LOGIN = 4401;
export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_ENDED = 4409;
const FINAL_CLOSES = new Set([CLOSE_LOGIN, CLOSE_NOT_FOUND, CLOSE_ENDED]);

export class Transport {
  // wsUrl: absolute ws(s):// URL or null (no websocket); httpUrl: the heartbeat endpoint.
  // onPush(message) for what the server pushes (superseded, ended, a challenge);
  // onFinal(code) when the socket is closed for good by the server; onChange(kind) on "ws"/"http".
  constructor({
    wsUrl,
    httpUrl,
    csrfToken,
    onPush = () => {},
    onFinal = () => {},
    onChange = () => {},
    onOpen = () => {},
    WebSocketImpl = globalThis.WebSocket,
    fetchImpl = (...args) => globalThis.fetch(...args),
    timers = globalThis,
  }) {
    Object.assign(this, { wsUrl, httpUrl, csrfToken, onPush, onFinal, onChange, onOpen });
    Object.assign(this, { WebSocketImpl, fetchImpl, timers });
    this.socket = null;
    this.open = false;
    this.waiter = null; // {resolve, reject, timer} of the heartbeat in flight over the socket
    this.reopens = 0;
    this.closed = false;
    this.kind = null;
    this.messages = { ws: 0, http: 0 }; // heartbeats sent each way (for the page and the tests)
  }

  get via() {
    return this.open ? "ws" : "http";
  }

  start() {
    this.#connect();
    this.#changed();
  }

  close() {
    this.closed = true;
    if (this.socket) this.socket.close(1000);
    this.#fail(new Error("closed"));
  }

  // One heartbeat → Promise<{status, payload}>; rejects when no answer came back.
  send(body) {
    if (this.closed) return Promise.reject(new Error("closed"));
    if (this.open) {
      this.messages.ws += 1;
      return new Promise((resolve, reject) => {
        const timer = this.timers.setTimeout(() => {
          this.waiter = null;
          reject(new Error("no answer"));
          if (this.socket) this.socket.close(4000); // a socket that does not answer is dead
        }, ANSWER_TIMEOUT_MS);
        this.waiter = { resolve, reject, timer };
        this.socket.send(JSON.stringify({ type: "heartbeat", ...body }));
      });
    }
    this.messages.http += 1;
    return this.#post(body);
  }

  async #post(body) {
    // A request that hangs is given up like an unanswered socket: the queue sends it again.
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    const timer = this.timers.setTimeout(() => controller && controller.abort(), ANSWER_TIMEOUT_MS);
    let response;
    try {
      response = await this.fetchImpl(this.httpUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrfToken },
        body: JSON.stringify(body),
        signal: controller ? controller.signal : undefined,
      });
    } finally {
      this.timers.clearTimeout(timer);
    }
    let payload = {};
    try {
      payload = await response.json();
    } catch {
      payload = {};
    }
    if (response.status === 403 && !payload.error) throw new Error("csrf"); // not an answer
    return { status: response.status, payload };
  }

  #connect() {
    if (this.closed || !this.wsUrl || !this.WebSocketImpl) return;
    let socket;
    try {
      socket = new this.WebSocketImpl(this.wsUrl);
    } catch {
      this.#reopenLater();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.open = true;
      this.reopens = 0;
      this.#changed();
      this.onOpen();
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "heartbeat_ack") {
        const waiter = this.waiter;
        if (!waiter) return;
        this.waiter = null;
        this.timers.clearTimeout(waiter.timer);
        const { type: _type, status, ...payload } = message;
        waiter.resolve({ status, payload });
        return;
      }
      this.onPush(message);
    };
    socket.onclose = (event) => {
      const wasOpen = this.open;
      this.open = false;
      this.socket = null;
      this.#fail(new Error("socket closed"));
      if (FINAL_CLOSES.has(event.code)) {
        this.closed = true;
        this.onFinal(event.code);
        return;
      }
      if (wasOpen) this.#changed();
      this.#reopenLater();
    };
  }

  #reopenLater() {
    if (this.closed) return;
    const wait = REOPEN_MS[Math.min(this.reopens, REOPEN_MS.length - 1)];
    this.reopens += 1;
    this.timers.setTimeout(() => this.#connect(), wait);
  }

  #fail(error) {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = null;
    this.timers.clearTimeout(waiter.timer);
    waiter.reject(error);
  }

  #changed() {
    if (this.kind !== this.via) {
      this.kind = this.via;
      this.onChange(this.kind);
    }
  }
}
