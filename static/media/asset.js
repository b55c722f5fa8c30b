// The courseware video asset page (templates/media/admin/asset.html).
//
// Live processing progress over ws/media/assets/<id>/ (media/consumers.py): the server sends
// {"type": "state" | "progress", "asset": {status, status_display, progress, failure_reason, ...}}
// and this script updates the progress bar, the percentage and the status text. Once the asset is
// ready it shows a player: the browser's own HLS where it has one (Safari, iOS), hls.js
// (static/media/vendor, loaded only when needed) elsewhere. Segment URLs are signed and expire:
// a segment that answers 403 makes the player fetch the playlist again.

const WAITING = new Set(["uploading", "uploaded", "processing"]);
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_NOT_FOUND = 4404;
const MAX_RELOADS = 3;

function init(root) {
  const part = (name) => root.querySelector(`[data-asset-${name}]`);
  const ui = {
    status: part("status"),
    percent: part("percent"),
    progress: part("progress"),
    failure: part("failure"),
    live: part("live"),
    retry: part("retry"),
    box: part("player-box"),
    video: part("player"),
    playerError: part("player-error"),
    duration: part("duration"),
  };
  const playlistUrl = root.dataset.playlistUrl;
  let playerStarted = false;
  let socket = null;
  let retryDelay = 1000;
  let stopped = false;

  function formatDuration(seconds) {
    const total = Math.round(seconds);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  function render(asset) {
    const percent = Math.max(0, Math.min(100, Math.round(asset.progress || 0)));
    root.dataset.status = asset.status;
    ui.status.textContent = asset.status_display;
    ui.percent.textContent = `${percent}%`;
    ui.percent.hidden = asset.status !== "processing";
    ui.progress.value = percent;
    ui.progress.textContent = `${percent}%`;
    ui.progress.hidden = !WAITING.has(asset.status);
    ui.failure.textContent = asset.failure_reason || "";
    ui.failure.hidden = !asset.failure_reason;
    if (ui.retry && asset.status === "failed") ui.retry.hidden = false;
    if (ui.retry && WAITING.has(asset.status)) ui.retry.hidden = true;
    if (ui.duration && asset.duration) ui.duration.textContent = formatDuration(asset.duration);
    if (asset.status === "ready") startPlayer();
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}${root.dataset.wsPath}`);
    socket.addEventListener("open", () => {
      retryDelay = 1000;
      ui.live.hidden = false;
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && message.asset) {
        render(message.asset);
        if (message.asset.status === "ready") {
          stopped = true; // nothing more will change: free the connection
          socket.close(1000);
        }
      }
    });
    socket.addEventListener("close", (event) => {
      ui.live.hidden = true;
      if (stopped || event.code === CLOSE_UNAUTHENTICATED || event.code === CLOSE_NOT_FOUND) {
        return;
      }
      window.setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  function showPlayerError(text) {
    ui.playerError.textContent = text;
    ui.playerError.hidden = false;
  }

  function startNative() {
    let reloads = 0;
    ui.video.addEventListener("error", () => {
      // Most likely an expired signed URL: fetch the playlist again where we were.
      if (reloads >= MAX_RELOADS) {
        showPlayerError("视频加载失败，请刷新页面重试。");
        return;
      }
      reloads += 1;
      const at = ui.video.currentTime;
      const resume = !ui.video.paused;
      ui.video.src = playlistUrl;
      ui.video.addEventListener(
        "loadedmetadata",
        () => {
          ui.video.currentTime = at;
          if (resume) ui.video.play().catch(() => {});
        },
        { once: true },
      );
    });
    ui.video.src = playlistUrl;
  }

  async function startHlsJs() {
    let Hls;
    try {
      ({ default: Hls } = await import(root.dataset.hlsUrl));
    } catch {
      showPlayerError("无法加载播放器，请刷新页面重试。");
      return;
    }
    if (!Hls.isSupported()) {
      showPlayerError("您的浏览器不支持播放该视频，请使用最新版浏览器。");
      return;
    }
    let reloads = 0;
    const attach = (startPosition, resume) => {
      // No web worker: the admin's CSP does not allow blob: scripts.
      const hls = new Hls({ enableWorker: false, startPosition });
      if (resume) {
        hls.on(Hls.Events.MANIFEST_PARSED, () => ui.video.play().catch(() => {}));
      }
      hls.on(Hls.Events.ERROR, (_event, data) => {
        const forbidden = data.response && data.response.code === 403;
        if ((forbidden || data.fatal) && reloads < MAX_RELOADS) {
          // Fresh playlists (fresh signatures), from where the viewer was, playing if it was.
          reloads += 1;
          const at = ui.video.currentTime;
          const playing = !ui.video.paused;
          hls.destroy();
          attach(at, playing);
        } else if (data.fatal) {
          hls.destroy();
          showPlayerError("视频加载失败，请刷新页面重试。");
        }
      });
      hls.on(Hls.Events.FRAG_LOADED, () => (reloads = 0)); // fresh URLs work again
      hls.loadSource(playlistUrl);
      hls.attachMedia(ui.video);
      window.__assetHls = hls; // for tests and debugging
    };
    attach(-1, false);
  }

  function startPlayer() {
    if (playerStarted || !playlistUrl || !ui.video) return;
    playerStarted = true;
    ui.box.hidden = false;
    if (ui.video.canPlayType("application/vnd.apple.mpegurl")) {
      startNative();
    } else {
      startHlsJs();
    }
  }

  if (root.dataset.status === "ready") {
    startPlayer();
  } else {
    connect(); // waiting, or failed (an editor may retry from another tab)
  }
}

const root = document.querySelector("[data-asset-page]");
if (root) init(root);
