// node --test: the played ranges come from the video element's reports, nothing else.
import assert from "node:assert/strict";
import { test } from "node:test";

import { MAX_RANGES, PlayedRanges } from "../../static/player/ranges.mjs";

const play = (ranges, from, to, step = 0.25, rate = 1) => {
  for (let t = from; t <= to + 1e-9; t += step * rate) ranges.observe(t, rate);
};

test("continuous playback is one range, and takes split it without loss or overlap", () => {
  const ranges = new PlayedRanges();
  play(ranges, 0, 10);
  assert.deepEqual(ranges.take(), [[0, 10]]);
  play(ranges, 10.25, 20);
  assert.deepEqual(ranges.take(), [[10, 20]]);
  assert.deepEqual(ranges.take(), []); // nothing played since
});

test("a pause or a seek ends a run; the time in between is not reported", () => {
  const ranges = new PlayedRanges();
  play(ranges, 0, 5);
  ranges.cut(); // pause
  play(ranges, 5, 6); // resumed where it was: contiguous, merged
  ranges.cut(); // seeking
  play(ranges, 30, 32);
  assert.deepEqual(ranges.take(), [
    [0, 6],
    [30, 32],
  ]);
});

test("a jump the events did not announce is a seek, back or ahead", () => {
  const ranges = new PlayedRanges();
  play(ranges, 0, 4);
  ranges.observe(60); // 56 s in one step: not playback
  play(ranges, 60.25, 62);
  ranges.observe(10); // backwards
  play(ranges, 10.25, 11);
  assert.deepEqual(ranges.take(), [
    [0, 4],
    [60, 62],
    [10, 11],
  ]);
});

test("at 2x the steps are longer but still playback", () => {
  const ranges = new PlayedRanges();
  play(ranges, 0, 10, 1, 2); // a report every second of wall time: 2 s of media each
  assert.deepEqual(ranges.take(), [[0, 10]]);
});

test("a single report plays nothing; at most the protocol's 50 ranges, the latest", () => {
  const ranges = new PlayedRanges();
  ranges.observe(3);
  assert.deepEqual(ranges.take(), []);
  for (let i = 0; i < 60; i += 1) {
    ranges.observe(i * 10);
    ranges.observe(i * 10 + 1);
    ranges.cut();
  }
  const taken = ranges.take();
  assert.equal(taken.length, MAX_RANGES);
  assert.deepEqual(taken.at(-1), [590, 591]);
});
