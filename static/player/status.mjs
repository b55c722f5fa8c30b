// What the learner reads under the video, always from the server's last answer (DESIGN.md §4):
// plain functions of an answer, so that node tests them without a browser.

export function clockText(seconds) {
  const total = Math.max(0, Math.floor(seconds || 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

// The lines the status area shows for an answer: progress, completion, and why time is not
// being credited (each reason once, in the order the server gave them).
export function statusOf(answer, texts) {
  const percent = Math.floor((answer.coverage || 0) * 100);
  const lines = {
    progress: texts.progress
      .replace("{watched}", clockText(answer.watched))
      .replace("{coverage}", String(percent)),
    state: answer.course_complete
      ? texts.course_complete
      : answer.complete
        ? texts.lesson_complete
        : "",
    notices: [],
    frontier: false,
  };
  for (const reason of new Set(answer.reasons || [])) {
    if (reason === "duplicate") continue; // a retransmission: nothing to tell
    if (texts.reasons[reason]) lines.notices.push(texts.reasons[reason]);
    if (reason === "skipped_ahead") lines.frontier = true;
  }
  return lines;
}

// The current lesson's badge in the course's list (未开始 / 学习中 x% / 已完成).
export function lessonStateText(answer, texts) {
  if (answer.complete) return texts.state_complete;
  return texts.state_started.replace("{percent}", String(Math.floor((answer.coverage || 0) * 100)));
}

// How far the learner may seek: the server's frontier, or further where they have just played
// on from it (the server hears of it at the next heartbeat).
export function reachAfter(reach, time, { playing, step = 1.5 }) {
  if (playing && time <= reach + step) return Math.max(reach, time);
  return reach;
}
