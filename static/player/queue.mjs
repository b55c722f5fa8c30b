// Heartbeats in `seq` order, one at a time (DESIGN.md §4 step 2). An unanswered heartbeat is
// sent again with the same body (the server answers a retransmission again, crediting once);
// while the network is down new heartbeats wait behind it in memory and go, in order, when it
// returns, so an outage within the year's grace loses nothing.

const RETRY_MS = [1000, 2000, 4000, 8000, 15000];
const FINAL = new Set([401, 404, 409]); // the session (or the login) is over: stop

export class HeartbeatQueue {
  // send(body) → Promise<{status, payload}> (rejects when nothing came back);
  // onAnswer(status, payload, body) for every answer; onStop(status, payload) once, when final.
  constructor({ send, onAnswer = () => {}, onStop = () => {}, onRetry = () => {}, timers = globalThis }) {
    this.send = send;
    this.onRetry = onRetry;
    this.onAnswer = onAnswer;
    this.onStop = onStop;
    this.timers = timers;
    this.pending = [];
    this.seq = 0;
    this.inflight = false;
    this.stopped = false;
    this.failures = 0;
    this.retry = null;
  }

  get waiting() {
    return this.pending.length;
  }

  // Queue a heartbeat; `seq` is given here, in the order heartbeats are made.
  push(fields) {
    if (this.stopped) return null;
    this.seq += 1;
    const body = { seq: this.seq, ...fields };
    this.pending.push(body);
    this.#pump();
    return body;
  }

  // The transport is back (a socket opened, the network returned): send what waits now.
  resume() {
    if (this.retry !== null) {
      this.timers.clearTimeout(this.retry);
      this.retry = null;
    }
    this.#pump();
  }

  stop() {
    this.stopped = true;
    this.pending = [];
    if (this.retry !== null) this.timers.clearTimeout(this.retry);
    this.retry = null;
  }

  async #pump() {
    if (this.inflight || this.stopped || this.retry !== null || !this.pending.length) return;
    const body = this.pending[0];
    this.inflight = true;
    let answer = null;
    try {
      answer = await this.send(body);
    } catch {
      answer = null;
    }
    this.inflight = false;
    if (this.stopped) return;
    if (answer === null || answer.status === 429 || answer.status >= 500) {
      // Nothing came back, too fast, or the server failed: the same body again, later.
      const wait = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
      this.failures += 1;
      this.onRetry(this.failures, this.pending.length);
      this.retry = this.timers.setTimeout(() => {
        this.retry = null;
        this.#pump();
      }, wait);
      return;
    }
    this.failures = 0;
    this.pending.shift();
    this.onAnswer(answer.status, answer.payload, body);
    if (FINAL.has(answer.status)) {
      this.stop();
      this.onStop(answer.status, answer.payload);
      return;
    }
    this.#pump();
  }
}
