// A quiz or an exam answered in the page, through the quiz attempt API (player/quizzes.py): the
// questions and options in the order the server dealt them, one submission per attempt (the
// button is disabled while it is sent), the grade and what happens next as the server says.

import { csrfPost } from "./http.mjs";

const KIND_MULTIPLE = "multiple";

export function answersOf(form, questions) {
  const answers = {};
  const missing = [];
  for (const question of questions) {
    const chosen = [...form.querySelectorAll(`input[name="q-${question.id}"]:checked`)].map(
      (input) => input.value,
    );
    if (!chosen.length) missing.push(question);
    answers[question.id] = chosen;
  }
  return { answers, missing };
}

function field(question, number, texts) {
  const item = document.createElement("li");
  const set = document.createElement("fieldset");
  const legend = document.createElement("legend");
  legend.textContent = `${question.question}（${question.kind_label}）`;
  set.append(legend);
  const type = question.kind === KIND_MULTIPLE ? "checkbox" : "radio";
  for (const option of question.options) {
    const label = document.createElement("label");
    label.className = "quiz__option";
    const input = document.createElement("input");
    input.type = type;
    input.name = `q-${question.id}`;
    input.value = option.id;
    label.append(input, document.createTextNode(` ${option.text}`));
    set.append(label);
  }
  if (question.kind === KIND_MULTIPLE) {
    const hint = document.createElement("p");
    hint.className = "muted";
    hint.textContent = texts.quiz.multiple_hint;
    set.append(hint);
  }
  item.append(set);
  item.dataset.number = String(number);
  return item;
}

class Quiz {
  constructor(root, texts) {
    this.root = root;
    this.texts = texts;
    this.el = (name) => root.querySelector(`[data-quiz-${name}]`);
    this.attempt = null;
    this.sending = false;
    this.el("start").addEventListener("click", () => this.start());
    this.el("form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  say(text) {
    const message = this.el("message");
    message.textContent = text;
    message.hidden = !text;
  }

  start() {
    const button = this.el("start");
    button.disabled = true;
    csrfPost(this.root.dataset.quizUrl, this.root.dataset.csrf, {})
      .then(({ status, payload }) => {
        if (status === 200 || status === 201) this.show(payload);
        else if (status === 401) this.say(this.texts.login_ended);
        else this.say(payload.error || this.texts.quiz.failed);
      })
      .catch(() => this.say(this.texts.quiz.offline))
      .finally(() => (button.disabled = false));
  }

  show(attempt) {
    this.attempt = attempt;
    this.say("");
    this.el("result").hidden = true;
    const list = this.el("questions");
    list.replaceChildren(...attempt.questions.map((q, i) => field(q, i + 1, this.texts)));
    this.el("form").hidden = false;
    this.el("start").hidden = true;
    const preview = this.el("preview");
    if (preview) preview.hidden = true;
    this.el("error").hidden = true;
    this.el("submit").disabled = false;
    list.querySelector("input")?.focus();
  }

  submit() {
    if (!this.attempt || this.sending) return; // never sent twice
    const { answers, missing } = answersOf(this.el("form"), this.attempt.questions);
    const error = this.el("error");
    if (missing.length) {
      error.textContent = this.texts.quiz.missing.replace("{count}", missing.length);
      error.hidden = false;
      return;
    }
    error.hidden = true;
    this.sending = true;
    const submit = this.el("submit");
    submit.disabled = true;
    const url = this.root.dataset.attemptsUrl.replace(
      "00000000-0000-0000-0000-000000000000",
      this.attempt.attempt,
    );
    csrfPost(url, this.root.dataset.csrf, { answers })
      .then(({ status, payload }) => {
        if (status === 200) this.graded(payload);
        else if (status === 409) {
          // Already graded (an answer lost on its way back) or no longer open: start again.
          this.attempt = null;
          this.el("form").hidden = true;
          const start = this.el("start");
          start.hidden = false;
          start.textContent = this.texts.quiz.again;
          this.say(payload.error || this.texts.quiz.failed);
        } else {
          error.textContent = payload.error || this.texts.quiz.failed;
          error.hidden = false;
          submit.disabled = false;
        }
      })
      .catch(() => {
        error.textContent = this.texts.quiz.offline;
        error.hidden = false;
        submit.disabled = false;
      })
      .finally(() => (this.sending = false));
  }

  graded(result) {
    this.attempt = null;
    this.el("form").hidden = true;
    const box = this.el("result");
    box.replaceChildren();
    const line = (text, strong = false) => {
      const p = document.createElement("p");
      if (strong) {
        const bold = document.createElement("strong");
        bold.textContent = text;
        p.append(bold);
      } else {
        p.textContent = text;
      }
      box.append(p);
    };
    const q = this.texts.quiz;
    line(
      q.score
        .replace("{score}", result.score)
        .replace("{right}", result.correct)
        .replace("{total}", result.total)
        .replace("{pass_mark}", result.pass_mark),
    );
    line(result.passed ? q.passed : q.failed_grade, true);
    if (result.message) line(result.message);
    else if (!result.passed) line(q.attempts_left.replace("{left}", result.attempts_left));
    if (result.course_complete) {
      line(this.texts.course_complete, true);
      if (result.credit) line(creditText(result.credit, this.texts));
    } else if (result.lesson_complete) {
      line(this.texts.lesson_complete);
    }
    const badge = document.querySelector("[data-lesson-state-current]");
    if (badge && result.lesson_complete) badge.textContent = this.texts.state_complete;
    box.hidden = false;
    box.focus(); // the submit button it replaces had the focus
    this.root.dataset.passed = result.passed ? "1" : "";
    const again = !result.passed && !result.closed && !result.rewatch_required;
    const start = this.el("start");
    start.hidden = !again;
    if (again) start.textContent = q.again;
  }
}

export function creditText(credit, texts) {
  return texts.credit
    .replace("{year}", credit.year)
    .replace("{category}", credit.category)
    .replace("{hours}", credit.hours);
}

export function quizzesAttach(texts) {
  for (const root of document.querySelectorAll("[data-quiz]")) root.quiz = new Quiz(root, texts);
}
