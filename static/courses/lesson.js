// The lesson page's video until the player issue brings credited playback: the browser's own HLS
// where it has one (Safari, iOS), hls.js elsewhere; a 403 (expired signature) reloads the
// playlist from where the viewer was.
for (const root of document.querySelectorAll("[data-lesson-player]")) {
  const video = root.querySelector("video");
  const error = root.querySelector("[data-player-error]");
  const playlistUrl = root.dataset.playlistUrl;
  const fail = (text) => {
    error.textContent = text;
    error.hidden = false;
  };
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = playlistUrl;
  } else {
    import(root.dataset.hlsUrl)
      .then(({ default: Hls }) => {
        if (!Hls.isSupported()) {
          fail("您的浏览器不支持播放该视频，请使用最新版浏览器。");
          return;
        }
        let reloads = 0;
        const attach = (startPosition) => {
          const hls = new Hls({ enableWorker: false, startPosition });
          hls.on(Hls.Events.ERROR, (_event, data) => {
            const forbidden = data.response && data.response.code === 403;
            if ((forbidden || data.fatal) && reloads < 3) {
              reloads += 1;
              const at = video.currentTime;
              hls.destroy();
              attach(at);
            } else if (data.fatal) {
              hls.destroy();
              fail("视频加载失败，请刷新页面重试。");
            }
          });
          hls.on(Hls.Events.FRAG_LOADED, () => (reloads = 0));
          hls.loadSource(playlistUrl);
          hls.attachMedia(video);
          root.hls = hls; // for tests and debugging
        };
        attach(-1);
      })
      .catch(() => fail("无法加载播放器，请刷新页面重试。"));
  }
}
