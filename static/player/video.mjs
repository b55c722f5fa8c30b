// The lesson's video: the browser's own HLS where it has one (Safari, iOS), hls.js elsewhere;
// a 403 (an expired signature) reloads the playlist from where the viewer was.

export function videoAttach(video, playlistUrl, hlsUrl, fail) {
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = playlistUrl;
    return Promise.resolve(null);
  }
  return import(hlsUrl)
    .then(({ default: Hls }) => {
      if (!Hls.isSupported()) {
        fail("unsupported");
        return null;
      }
      let reloads = 0;
      let hls = null;
      const attach = (startPosition) => {
        hls = new Hls({ enableWorker: false, startPosition });
        hls.on(Hls.Events.ERROR, (_event, data) => {
          const forbidden = data.response && data.response.code === 403;
          if ((forbidden || data.fatal) && reloads < 3) {
            reloads += 1;
            const at = video.currentTime;
            hls.destroy();
            attach(at);
          } else if (data.fatal) {
            hls.destroy();
            fail("failed");
          }
        });
        hls.on(Hls.Events.FRAG_LOADED, () => (reloads = 0));
        hls.loadSource(playlistUrl);
        hls.attachMedia(video);
        video.hls = hls; // for tests and debugging
      };
      attach(-1);
      return hls;
    })
    .catch(() => fail("module"));
}
