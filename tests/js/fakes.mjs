// Timers a test advances by hand, and a websocket a test drives.
export class FakeTimers {
  constructor() {
    this.now = 0;
    this.queue = new Map();
    this.next = 1;
  }
  setTimeout(fn, ms) {
    const id = this.next++;
    this.queue.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(id) {
    this.queue.delete(id);
  }
  async advance(ms) {
    await settle(); // let what was just settled schedule its timers first
    const until = this.now + ms;
    for (;;) {
      const due = [...this.queue.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.queue.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await settle();
    }
    this.now = until;
    await settle();
  }
}

export const settle = () => new Promise((resolve) => setImmediate(resolve));

export class FakeSocket {
  static instances = [];
  constructor(url) {
    this.url = url;
    this.sent = [];
    this.readyState = 0;
    FakeSocket.instances.push(this);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close(code = 1000) {
    this.serverClose(code);
  }
  // What the server does:
  serverOpen() {
    this.readyState = 1;
    this.onopen?.();
  }
  serverSend(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  serverClose(code) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code });
  }
}
