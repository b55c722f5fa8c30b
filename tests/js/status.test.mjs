// node --test: what the learner reads comes from the server's answer, and says why time is lost.
import assert from "node:assert/strict";
import { test } from "node:test";

import { clockText, lessonStateText, reachAfter, statusOf } from "../../static/player/status.mjs";

const texts = {
  progress: "本讲已计时 {watched}，已观看 {coverage}%",
  lesson_complete: "本讲已完成",
  course_complete: "本课程已学完",
  reasons: { hidden: "页面不在前台，暂停计时", rate: "倍速播放不计时", skipped_ahead: "跳过的部分不计时" },
};

test("progress, coverage and completion are the server's", () => {
  const lines = statusOf({ watched: 125.7, coverage: 0.956, complete: true, reasons: [] }, texts);
  assert.equal(lines.progress, "本讲已计时 2:05，已观看 95%");
  assert.equal(lines.state, "本讲已完成");
  assert.deepEqual(lines.notices, []);
  const done = statusOf({ watched: 10, coverage: 1, complete: true, course_complete: true }, texts);
  assert.equal(done.state, "本课程已学完");
});

test("each reason once; a skip offers the way back; duplicates say nothing", () => {
  const lines = statusOf(
    { watched: 0, coverage: 0, reasons: ["hidden", "rate", "hidden", "duplicate", "skipped_ahead"] },
    texts,
  );
  assert.deepEqual(lines.notices, ["页面不在前台，暂停计时", "倍速播放不计时", "跳过的部分不计时"]);
  assert.equal(lines.frontier, true);
});

test("the lesson's badge follows the answer", () => {
  const words = { state_complete: "已完成", state_started: "学习中 {percent}%" };
  assert.equal(lessonStateText({ coverage: 0.456, complete: false }, words), "学习中 45%");
  assert.equal(lessonStateText({ coverage: 0.99, complete: true }, words), "已完成");
});

test("times read as a clock", () => {
  assert.equal(clockText(0), "0:00");
  assert.equal(clockText(59.9), "0:59");
  assert.equal(clockText(3725), "1:02:05");
});

test("the reach grows only by playing on from it", () => {
  let reach = 40;
  reach = reachAfter(reach, 41, { playing: true });
  assert.equal(reach, 41);
  reach = reachAfter(reach, 90, { playing: true }); // a jump: not watched
  assert.equal(reach, 41);
  reach = reachAfter(reach, 41.5, { playing: false });
  assert.equal(reach, 41);
});
