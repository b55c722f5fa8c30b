// The media ranges really played since the last heartbeat (DESIGN.md §4 `played`), from the
// video element's own events: each `timeupdate` while playing extends the current run from the
// last time seen; a seek, a pause, a stall or a jump larger than playback can make ends it. No
// timer guesses anything: a range exists only if the element reported the times in it.

export const MAX_RANGES = 50; // the protocol's limit per heartbeat
const ROUND = 100; // ranges to the hundredth of a second

// A step between two `timeupdate`s longer than this (× the rate) is a jump, not playback:
// browsers fire `timeupdate` every 15–250 ms while playing.
const MAX_STEP_SECONDS = 1.5;

const round = (value) => Math.round(value * ROUND) / ROUND;

export class PlayedRanges {
  constructor() {
    this.done = []; // closed runs since the last take(): [from, to]
    this.from = null; // the open run, if any
    this.last = null;
  }

  // The element reported `time` while playing at `rate`.
  observe(time, rate = 1) {
    if (!Number.isFinite(time)) return;
    if (this.from === null) {
      this.from = this.last = time;
      return;
    }
    const step = time - this.last;
    if (step < 0 || step > MAX_STEP_SECONDS * Math.max(1, rate)) {
      this.cut(); // a seek (back or ahead) the events did not announce
      this.from = this.last = time;
      return;
    }
    this.last = time;
  }

  // Playback stopped being continuous (pause, seeking, waiting, ended): close the open run.
  cut() {
    if (this.from !== null && this.last > this.from) this.#add(this.from, this.last);
    this.from = this.last = null;
  }

  // The ranges since the previous take(), merged and in order; the open run continues from
  // where it was cut, so nothing is reported twice and nothing between two takes is lost.
  take() {
    const open = this.from !== null;
    const at = this.last;
    this.cut();
    if (open) this.from = this.last = at;
    const ranges = this.done;
    this.done = [];
    return ranges.length > MAX_RANGES ? ranges.slice(-MAX_RANGES) : ranges;
  }

  #add(from, to) {
    const range = [round(from), round(to)];
    if (range[1] <= range[0]) return;
    const previous = this.done[this.done.length - 1];
    if (previous && range[0] <= previous[1] && range[0] >= previous[0]) {
      previous[1] = Math.max(previous[1], range[1]); // contiguous: one range
      return;
    }
    this.done.push(range);
  }
}
