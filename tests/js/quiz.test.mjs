// node --test: the answers sent are the options the learner ticked, and the credit reads plainly.
import assert from "node:assert/strict";
import { test } from "node:test";

import { answersOf, creditText } from "../../static/player/quiz.mjs";

function form(checked) {
  // The few DOM calls answersOf makes: querySelectorAll of the checked inputs of a question.
  return {
    querySelectorAll(selector) {
      const name = selector.match(/name="q-([^"]+)"/)[1];
      return (checked[name] || []).map((value) => ({ value }));
    },
  };
}

test("every question's ticked options, and the ones left unanswered", () => {
  const questions = [{ id: "a" }, { id: "b" }, { id: "c" }];
  const { answers, missing } = answersOf(form({ a: ["x"], b: ["y", "z"] }), questions);
  assert.deepEqual(answers, { a: ["x"], b: ["y", "z"], c: [] });
  assert.deepEqual(
    missing.map((q) => q.id),
    ["c"],
  );
});

test("the credit says year, category and hours", () => {
  const texts = { credit: "{year} 年度{category}已记入 {hours} 学时。" };
  assert.equal(
    creditText({ year: 2026, category: "公需科目", hours: "2.0" }, texts),
    "2026 年度公需科目已记入 2.0 学时。",
  );
});
