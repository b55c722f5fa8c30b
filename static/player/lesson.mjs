// The lesson page's player (DESIGN.md §4, protocol v1): a session starts on play, heartbeats
// carry the ranges really played (ranges.mjs) in seq order (queue.mjs) over the websocket or,
// while it is away, HTTP (transport.mjs); what the learner reads is the server's last answer
// (status.mjs). The texts come from the page (player_tags.player_texts, through gettext).

import { csrfPost } from "./http.mjs";
import { HeartbeatQueue } from "./queue.mjs";
import { PlayedRanges } from "./ranges.mjs";
import { creditText } from "./quiz.mjs";
import { lessonStateText, reachAfter, statusOf } from "./status.mjs";
import { CLOSE_ENDED, CLOSE_LOGIN, CLOSE_NOT_FOUND, Transport } from "./transport.mjs";
import { videoAttach } from "./video.mjs";

const SEEK_SLACK = 1; // s past the reach a seek may land (keyframes) before it is sent back

function wsUrlOf(path) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${path}`;
}

class LessonPlayer {
  constructor(root, texts) {
    this.root = root;
    this.video = root.querySelector("video");
    this.texts = texts;
    this.el = (name) => root.querySelector(`[data-player-${name}]`);
    this.csrf = root.dataset.csrf;
    this.session = null;
    this.starting = null;
    this.reach = 0;
    this.returning = false;
    this.ranges = new PlayedRanges();
    this.timer = null;
    this.challenge = null;
    this.passedChecks = new Set(); // answered checks: a late answer carrying one never reopens it
    this.countdown = null;
    this.frontier = 0; // the server's, from its last answer
    this.playing = this.conditions();
    this.bind();
  }

  bind() {
    const video = this.video;
    video.addEventListener("play", () => this.onPlay());
    video.addEventListener("timeupdate", () => {
      if (video.paused || video.seeking) return;
      this.ranges.observe(video.currentTime, video.playbackRate);
      this.reach = reachAfter(this.reach, video.currentTime, { playing: true });
    });
    for (const name of ["pause", "seeking", "waiting", "ended", "emptied"]) {
      video.addEventListener(name, () => this.ranges.cut());
    }
    video.addEventListener("seeking", () => this.onSeeking());
    video.addEventListener("pause", () => this.beat()); // the last seconds before a pause count
    video.addEventListener("ended", () => this.beat());
    // The ranges played so far were played as things were: report them so before the change.
    video.addEventListener("ratechange", () => this.conditionsChanged());
    document.addEventListener("visibilitychange", () => this.conditionsChanged());
    this.el("frontier").addEventListener("click", () => {
      this.reach = this.frontier;
      this.seekTo(this.frontier);
      this.el("frontier").hidden = true;
      this.video.play();
    });
    this.el("continue").addEventListener("click", () => this.restart());
    this.el("challenge-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.challengeAnswer();
    });
    this.el("challenge-audio").addEventListener("click", () => this.challengeListen());
    const dialog = this.el("challenge");
    dialog.addEventListener("cancel", (event) => event.preventDefault());
    dialog.addEventListener("close", () => {
      // Closed some other way (a second Escape) while the check still waits: open it again.
      if (this.challenge) window.setTimeout(() => this.challenge && dialog.showModal(), 0);
    });
    this.el("record").addEventListener("click", () => this.explanation());
  }

  // --- The session ---------------------------------------------------------------------------

  onPlay() {
    if (this.session || this.stopped) {
      if (this.stopped) this.video.pause();
      if (this.challenge) this.video.pause(); // nothing plays until the check is answered
      return;
    }
    this.video.pause();
    this.start().then((ok) => ok && this.video.play());
  }

  start() {
    if (this.starting) return this.starting;
    this.say("info", this.texts.starting);
    this.starting = csrfPost(this.root.dataset.sessionsUrl, this.csrf, {
      lesson: Number(this.root.dataset.lesson),
    }).then(({ status, payload }) => {
      this.starting = null;
      if (status === 201) {
        this.begin(payload);
        return true;
      }
      if (status === 401 || (status === 403 && !payload.error)) this.loginEnded();
      else this.stop(payload.error || this.texts.start_failed);
      return false;
    }, () => {
      this.starting = null;
      this.say("notice", this.texts.offline_start);
      return false;
    });
    return this.starting;
  }

  begin(session) {
    this.session = session;
    this.stopped = false;
    this.reach = this.frontier = session.frontier;
    this.ranges = new PlayedRanges(); // nothing played under an earlier session is reported
    this.playing = this.conditions();
    this.say("info", "");
    this.hide("ended", "continue", "login");
    this.seekTo(session.resume_at);
    this.queue = new HeartbeatQueue({
      send: (body) => this.transport.send(body),
      onAnswer: (status, payload) => this.onAnswer(status, payload),
      onStop: (status, payload) => this.onStopped(status, payload),
      onRetry: () => this.say("info", this.texts.retrying),
    });
    this.transport = new Transport({
      wsUrl: session.ws ? wsUrlOf(session.ws) : null,
      httpUrl: `${this.root.dataset.sessionsUrl}/${session.session}/heartbeat`,
      csrfToken: this.csrf,
      onPush: (message) => this.onPush(message),
      onFinal: (code) => this.onClosed(code),
      onOpen: () => this.queue.resume(),
      onChange: (kind) => (this.root.dataset.transport = kind),
    });
    this.transport.start();
    this.timer = window.setInterval(() => this.tick(), session.heartbeat_interval * 1000);
    this.el("record").hidden = false;
    if (session.challenge) this.challengeShow(session.challenge);
  }

  tick() {
    if (!this.video.paused) this.beat();
  }

  conditions() {
    return { rate: this.video.playbackRate, visible: document.visibilityState === "visible" };
  }

  conditionsChanged() {
    this.ranges.cut();
    this.beat(this.playing); // what was played until now, as it was played
    this.playing = this.conditions();
    this.showRate();
  }

  beat(conditions = this.playing) {
    if (!this.session || this.stopped || !this.queue) return;
    const played = this.ranges.take();
    if (!played.length && this.video.paused && this.lastPosition === this.video.currentTime) return;
    this.lastPosition = this.video.currentTime;
    this.queue.push({
      position: Math.round(this.video.currentTime * 100) / 100,
      played,
      rate: conditions.rate,
      visible: conditions.visible,
    });
  }

  onAnswer(status, payload) {
    if (status !== 200) return;
    if (this.el("info").textContent === this.texts.retrying) this.say("info", "");
    this.frontier = payload.frontier;
    // Where the learner may seek: the server's frontier, plus what they have played on from it
    // since — unless the server refused time (then its frontier is all there is).
    const refused = (payload.reasons || []).some((reason) => reason !== "duplicate");
    this.reach = refused ? payload.frontier : Math.max(this.reach, payload.frontier);
    const lines = statusOf(payload, this.texts);
    this.el("progress").textContent = lines.progress;
    this.el("state").textContent =
      lines.state + (payload.credit ? ` ${creditText(payload.credit, this.texts)}` : "");
    const badge = document.querySelector("[data-lesson-state-current]");
    if (badge) badge.textContent = lessonStateText(payload, this.texts);
    this.root.dataset.lessonComplete = payload.complete ? "1" : "";
    this.root.dataset.courseComplete = payload.course_complete ? "1" : "";
    const notices = lines.notices.slice();
    if (this.video.playbackRate > 1 && !notices.includes(this.texts.reasons.rate)) {
      notices.push(this.texts.reasons.rate);
    }
    this.say("notice", notices.join(" "));
    this.el("frontier").hidden = !lines.frontier;
    if (payload.challenge) this.challengeShow(payload.challenge);
  }

  onStopped(status, payload) {
    if (status === 401) this.loginEnded();
    else if (payload.reason === "superseded") this.superseded();
    else this.stop(payload.error || this.texts.ended);
  }

  onPush(message) {
    if (message.type === "superseded") this.superseded();
    else if (message.type === "challenge") {
      // Pushed on its own (DESIGN.md §4.5): as {challenge: {...}} or with its fields inline.
      const challenge = message.challenge || message;
      if (challenge.id && challenge.image) this.challengeShow(challenge);
    }
    else if (message.type === "ended") this.stop(this.texts.ended_reasons[message.reason] || this.texts.ended);
  }

  onClosed(code) {
    if (this.stopped) return;
    if (code === CLOSE_LOGIN) this.loginEnded();
    else if (code === CLOSE_ENDED || code === CLOSE_NOT_FOUND) this.stop(this.texts.ended);
  }

  halt() {
    this.stopped = true;
    this.video.pause();
    window.clearInterval(this.timer);
    if (this.queue) this.queue.stop();
    if (this.transport) this.transport.close();
    if (this.session) this.lastSession = this.session.session;
    this.session = null;
    this.challengeClose();
  }

  superseded() {
    this.halt();
    this.show("ended", this.texts.superseded);
    this.el("continue").hidden = false;
  }

  stop(text) {
    this.halt();
    this.show("ended", text);
    this.el("continue").hidden = false;
  }

  loginEnded() {
    this.halt();
    this.show("ended", this.texts.login_ended);
    this.el("login").hidden = false;
    this.el("record").hidden = true; // its record is for a logged-in learner: after logging in
  }

  restart() {
    this.hide("ended", "continue");
    this.stopped = false;
    this.start().then((ok) => ok && this.video.play());
  }

  // --- Seeking -------------------------------------------------------------------------------

  onSeeking() {
    if (!this.session || this.returning) {
      this.returning = false;
      return;
    }
    if (this.video.currentTime > this.reach + SEEK_SLACK) {
      this.seekTo(this.reach);
      this.say("notice", this.texts.no_skipping);
      this.el("frontier").hidden = true;
    }
  }

  seekTo(seconds) {
    this.returning = true;
    this.video.currentTime = seconds;
  }

  showRate() {
    if (this.session && this.video.playbackRate > 1) this.say("notice", this.texts.reasons.rate);
  }

  // --- Attention checks ------------------------------------------------------------------------

  challengeShow(challenge) {
    if (this.passedChecks.has(challenge.id)) return; // a late answer from before the pass
    if (this.challenge && this.challenge.id === challenge.id) return;
    this.challenge = challenge;
    this.video.pause();
    const dialog = this.el("challenge");
    this.el("challenge-image").src = challenge.image;
    this.el("challenge-input").value = "";
    this.el("challenge-error").textContent = "";
    this.el("challenge-audio").hidden = !challenge.audio;
    let left = challenge.expires_in;
    const clock = this.el("challenge-clock");
    window.clearInterval(this.countdown);
    const show = () => {
      clock.textContent = left > 0 ? this.texts.check_left.replace("{seconds}", left) : this.texts.check_expired;
    };
    show();
    this.countdown = window.setInterval(() => {
      left -= 1;
      show();
      if (left <= 0) window.clearInterval(this.countdown);
    }, 1000);
    if (!dialog.open) dialog.showModal();
    this.el("challenge-input").focus();
  }

  challengeListen() {
    if (!this.challenge || !this.challenge.audio) return;
    const audio = new Audio(this.challenge.audio);
    audio.play().catch(() => (this.el("challenge-error").textContent = this.texts.audio_failed));
  }

  challengeAnswer() {
    const challenge = this.challenge;
    if (!challenge || !this.session) return;
    const answer = this.el("challenge-input").value.trim();
    if (!answer) {
      this.el("challenge-error").textContent = this.texts.check_empty;
      return;
    }
    const submit = this.el("challenge-submit");
    submit.disabled = true;
    const url = `${this.root.dataset.sessionsUrl}/${this.session.session}/challenge`;
    csrfPost(url, this.csrf, { id: challenge.id, answer })
      .then(({ status, payload }) => {
        if (status === 200 && payload.passed) {
          this.passedChecks.add(challenge.id);
          this.challengeClose();
          this.video.play();
        } else if (status === 200 && payload.ended) {
          this.challengeClose();
          this.stop(this.texts.ended_reasons.challenge_failed);
        } else if (status === 200) {
          const text = payload.expired
            ? this.texts.check_expired
            : this.texts.check_wrong.replace("{left}", payload.attempts_left);
          this.challenge = null;
          if (payload.challenge) this.challengeShow(payload.challenge);
          this.el("challenge-error").textContent = text;
        } else if (status === 409) {
          this.challengeClose();
          this.onStopped(status, payload);
        } else if (status === 401) {
          this.loginEnded();
        } else if (status === 404) {
          // Gone (expired, or replaced): the next heartbeat's answer brings the current one.
          this.passedChecks.add(challenge.id);
          this.challengeClose();
          this.video.play();
        } else {
          this.el("challenge-error").textContent = payload.error || this.texts.check_failed;
        }
      })
      .catch(() => (this.el("challenge-error").textContent = this.texts.check_failed))
      .finally(() => (submit.disabled = false));
  }

  challengeClose() {
    this.challenge = null;
    window.clearInterval(this.countdown);
    const dialog = this.el("challenge");
    if (dialog.open) dialog.close();
  }

  // --- The session's record ------------------------------------------------------------------

  explanation() {
    const id = this.session ? this.session.session : this.lastSession;
    if (!id) return;
    fetch(`${this.root.dataset.sessionsUrl}/${id}/explanation`, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((record) => {
        const box = this.el("explanation");
        box.replaceChildren();
        const lines = [record.credited_text, ...record.not_credited.map((r) => r.text)];
        lines.push(...record.failed_checks.map((c) => c.text));
        if (record.ended) lines.push(record.ended);
        for (const line of lines) {
          const item = document.createElement("li");
          item.textContent = line;
          box.append(item);
        }
        box.hidden = false;
      })
      .catch(() => this.say("notice", this.texts.record_failed));
  }

  // --- Little helpers ------------------------------------------------------------------------

  say(kind, text) {
    const el = this.el(kind);
    el.textContent = text;
    el.hidden = !text;
  }

  show(name, text) {
    this.say(name, text);
  }

  hide(...names) {
    for (const name of names) this.el(name).hidden = true;
  }
}

export function playersAttach(texts) {
  for (const root of document.querySelectorAll("[data-lesson-player]")) {
    const video = root.querySelector("video");
    const error = root.querySelector("[data-player-error]");
    videoAttach(video, root.dataset.playlistUrl, root.dataset.hlsUrl, (kind) => {
      error.textContent = (texts.video || {})[kind] || kind;
      error.hidden = false;
    });
    if (root.dataset.study) root.player = new LessonPlayer(root, texts);
  }
}
