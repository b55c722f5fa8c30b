// The courseware video uploader of templates/media/upload.html (an ES module; no inline script).
//
// data-mode="s3": the file is cut into parts of the size the server chose; each part is signed
// by the server and PUT straight to the bucket (XMLHttpRequest, for upload progress), a few at a
// time, a failed part retried a few times. The asset id is kept in sessionStorage and in the URL
// (?asset=<id>): after a dropped connection or a reload, choosing the same file again asks the
// server which parts the bucket already holds (ListParts) and sends only the rest.
// data-mode="direct" (the embedded default): the file is POSTed to Django with upload progress.

const CONCURRENCY = 3;
const MAX_ATTEMPTS = 5;
const STORE_PREFIX = "anyang.videoUpload:";

const form = document.getElementById("video-upload");
if (form) {
  setUp(form);
}

function setUp(form) {
  const $ = (selector) => form.querySelector(selector);
  const ui = {
    title: $("#video-title"),
    file: $("#video-file"),
    progressBox: $("[data-progress]"),
    progress: $("#video-progress"),
    progressText: $("[data-progress-text]"),
    status: $("[data-status]"),
    error: $("[data-error]"),
    submit: $("[data-submit]"),
    cancel: $("[data-cancel]"),
    doneLink: $("[data-done-link]"),
  };
  const config = {
    mode: form.dataset.mode,
    maxBytes: Number(form.dataset.maxBytes),
    extensions: (form.dataset.extensions || "")
      .split(",")
      .filter((ext) => ext.startsWith(".")),
  };
  const csrfToken = $("input[name=csrfmiddlewaretoken]").value;
  let busy = false;
  let controller = null;
  let currentAsset = null;

  // --- Display ---------------------------------------------------------------------------------

  function say(text) {
    ui.status.textContent = text;
  }

  function fail(text) {
    ui.error.textContent = text;
    ui.error.hidden = !text; // Wagtail draws a warning icon on the element even when empty
  }

  function showProgress(sent, total) {
    const percent = total > 0 ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
    ui.progressBox.hidden = false;
    ui.progress.value = percent;
    ui.progress.textContent = `${percent}%`;
    ui.progressText.textContent = `${percent}%（已上传 ${formatBytes(sent)} / 共 ${formatBytes(total)}）`;
  }

  function setBusy(value) {
    busy = value;
    ui.submit.disabled = value;
    ui.file.disabled = value;
    ui.title.disabled = value;
    ui.cancel.hidden = !value || config.mode !== "s3";
  }

  window.addEventListener("beforeunload", (event) => {
    if (busy) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- Requests to the platform ------------------------------------------------------------------

  function urlFor(name, assetId) {
    const template = form.dataset[`${name}Url`];
    return assetId === undefined ? template : template.replace(/\/0\/([^/]+\/)$/, `/${assetId}/$1`);
  }

  async function post(url, body, signal) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken,
        "X-Requested-With": "XMLHttpRequest",
      },
      body: JSON.stringify(body || {}),
      signal,
    });
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = {};
    }
    if (!response.ok) {
      throw new ServerError(data.error || `服务器错误（${response.status}）`, response.status);
    }
    return data;
  }

  // --- Remembering an unfinished upload ----------------------------------------------------------

  const fingerprint = (file) => `${file.name}|${file.size}|${file.lastModified}`;

  function remember(file, assetId) {
    try {
      sessionStorage.setItem(
        STORE_PREFIX + fingerprint(file),
        JSON.stringify({ asset: assetId, name: file.name, size: file.size }),
      );
    } catch {
      // private mode or a full store: resuming still works through the URL
    }
    const url = new URL(window.location.href);
    url.searchParams.set("asset", String(assetId));
    history.replaceState(null, "", url);
  }

  function forget(file) {
    try {
      if (file) sessionStorage.removeItem(STORE_PREFIX + fingerprint(file));
    } catch {
      // nothing to forget
    }
    const url = new URL(window.location.href);
    url.searchParams.delete("asset");
    history.replaceState(null, "", url);
  }

  function remembered(file) {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE_PREFIX + fingerprint(file)) || "null");
      if (saved && saved.asset) return saved.asset;
    } catch {
      // fall back to the URL
    }
    const fromUrl = Number(new URL(window.location.href).searchParams.get("asset"));
    return Number.isInteger(fromUrl) && fromUrl > 0 ? fromUrl : null;
  }

  function announceUnfinished() {
    const assetId = Number(new URL(window.location.href).searchParams.get("asset"));
    if (!assetId || config.mode !== "s3") return;
    let name = "";
    try {
      for (let i = 0; i < sessionStorage.length; i += 1) {
        const key = sessionStorage.key(i);
        if (!key.startsWith(STORE_PREFIX)) continue;
        const saved = JSON.parse(sessionStorage.getItem(key));
        if (saved && saved.asset === assetId) name = saved.name;
      }
    } catch {
      name = "";
    }
    say(`上次的上传${name ? `（${name}）` : ""}尚未完成：请重新选择同一文件，然后点击“继续上传”。`);
    ui.submit.textContent = "继续上传";
  }

  // --- Checks before sending ------------------------------------------------------------------------

  function refusal(file) {
    if (!file) return "请选择要上传的视频文件。";
    const dot = file.name.lastIndexOf(".");
    const ext = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
    if (!config.extensions.includes(ext)) {
      return `不支持的文件类型：请上传视频文件（${config.extensions.join(" ")}）。`;
    }
    if (file.size <= 0) return "文件是空的，请选择视频文件。";
    if (file.size > config.maxBytes) {
      return `文件过大：单个视频不能超过 ${formatBytes(config.maxBytes)}。`;
    }
    return "";
  }

  // --- S3: multipart, straight to the bucket -------------------------------------------------------

  async function resumable(file, signal) {
    const assetId = remembered(file);
    if (!assetId) return null;
    try {
      const state = await post(urlFor("parts", assetId), {}, signal);
      if (state.status === "uploading" && state.size === file.size && state.part_count) {
        return state;
      }
    } catch (error) {
      if (!(error instanceof ServerError)) throw error;
    }
    forget(file);
    return null;
  }

  async function uploadToBucket(file, signal) {
    let state = await resumable(file, signal);
    const done = new Map(); // part number → ETag
    if (state) {
      for (const part of state.parts) {
        const expected = Math.min(state.part_size, file.size - (part.part_number - 1) * state.part_size);
        if (part.size === expected) done.set(part.part_number, part.etag);
      }
      say(`继续上传：已有 ${done.size} / ${state.part_count} 个分片在存储中。`);
    } else {
      say("正在准备上传…");
      state = await post(
        urlFor("start"),
        { title: ui.title.value, name: file.name, size: file.size, type: file.type },
        signal,
      );
      remember(file, state.asset);
      say("正在上传…");
    }
    currentAsset = state.asset;
    const { part_size: partSize, part_count: partCount } = state;
    const partBytes = (n) => Math.min(partSize, file.size - (n - 1) * partSize);

    let finished = 0;
    for (const n of done.keys()) finished += partBytes(n);
    const inFlight = new Map();
    const refresh = () => {
      let sent = finished;
      for (const loaded of inFlight.values()) sent += loaded;
      showProgress(sent, file.size);
    };
    refresh();

    const queue = [];
    for (let n = 1; n <= partCount; n += 1) if (!done.has(n)) queue.push(n);

    let stopped = false; // one part failed for good: the others take no new part
    const worker = async () => {
      while (queue.length && !stopped) {
        const n = queue.shift();
        const blob = file.slice((n - 1) * partSize, (n - 1) * partSize + partBytes(n));
        let etag;
        try {
          etag = await sendPart(state.asset, n, blob, signal, (loaded) => {
            inFlight.set(n, loaded);
            refresh();
          });
        } catch (error) {
          stopped = true;
          throw error;
        }
        inFlight.delete(n);
        done.set(n, etag);
        finished += blob.size;
        refresh();
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));

    say("正在校验文件…");
    const parts = [...done.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([part_number, etag]) => ({ part_number, etag }));
    try {
      return await post(urlFor("complete", state.asset), { parts }, signal);
    } catch (error) {
      if (error instanceof ServerError && [400, 404, 409].includes(error.status)) forget(file);
      throw error;
    }
  }

  async function sendPart(assetId, partNumber, blob, signal, onProgress) {
    for (let attempt = 1; ; attempt += 1) {
      if (signal.aborted) throw new DOMException("aborted", "AbortError");
      try {
        const signed = await post(urlFor("sign", assetId), { part_number: partNumber }, signal);
        return await putPart(signed.url, blob, signal, onProgress);
      } catch (error) {
        if (isAbort(error)) throw error;
        onProgress(0);
        // The platform refused (not a passing failure): retrying will not help.
        if (error instanceof ServerError && error.status < 500) throw error;
        if (!navigator.onLine) {
          say("网络已断开，恢复连接后将自动继续上传…");
          await waitOnline();
          say("正在上传…");
          attempt = 0;
          continue;
        }
        if (attempt >= MAX_ATTEMPTS) throw error;
        say(`第 ${partNumber} 个分片上传失败，正在重试（第 ${attempt} 次）…`);
        await sleep(1000 * 2 ** (attempt - 1));
        say("正在上传…");
      }
    }
  }

  function putPart(url, blob, signal, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const onAbort = () => xhr.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      const settle = (fn, value) => {
        signal.removeEventListener("abort", onAbort);
        fn(value);
      };
      xhr.open("PUT", url);
      xhr.upload.addEventListener("progress", (event) => onProgress(event.loaded));
      xhr.addEventListener("load", () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          const etag = xhr.getResponseHeader("ETag");
          if (etag) settle(resolve, etag);
          else settle(reject, new ServerError("存储未返回 ETag：请管理员运行 storage_setup 设置跨域规则。", 400));
        } else {
          settle(reject, new Error(`存储返回 ${xhr.status}`));
        }
      });
      xhr.addEventListener("error", () => settle(reject, new Error("网络错误")));
      xhr.addEventListener("timeout", () => settle(reject, new Error("网络超时")));
      xhr.addEventListener("abort", () => settle(reject, new DOMException("aborted", "AbortError")));
      xhr.send(blob);
    });
  }

  // --- Direct: through the platform (embedded default) --------------------------------------------

  function uploadThroughPlatform(file) {
    return new Promise((resolve, reject) => {
      const body = new FormData();
      body.append("title", ui.title.value);
      body.append("size", String(file.size));
      body.append("file", file);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.directUrl);
      xhr.setRequestHeader("X-CSRFToken", csrfToken);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", (event) => showProgress(event.loaded, file.size));
      xhr.upload.addEventListener("load", () => {
        showProgress(file.size, file.size);
        say("文件已送达，正在校验并保存…");
      });
      xhr.addEventListener("load", () => {
        let data = {};
        try {
          data = JSON.parse(xhr.responseText);
        } catch {
          data = {};
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject(new ServerError(data.error || `服务器错误（${xhr.status}）`, xhr.status));
      });
      xhr.addEventListener("error", () => reject(new Error("网络错误，上传未完成，请重新上传。")));
      xhr.send(body);
    });
  }

  // --- The form ------------------------------------------------------------------------------------

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    fail("");
    ui.doneLink.hidden = true;
    const file = ui.file.files[0];
    const refused = refusal(file);
    if (refused) {
      fail(refused);
      return;
    }
    controller = new AbortController();
    currentAsset = null;
    setBusy(true);
    showProgress(0, file.size);
    try {
      const result =
        config.mode === "s3"
          ? await uploadToBucket(file, controller.signal)
          : await uploadThroughPlatform(file);
      forget(file);
      showProgress(file.size, file.size);
      say(
        result.status === "failed"
          ? `上传失败：${result.failure_reason}`
          : `上传完成（${result.status_display}），系统正在转码，可在视频页面查看进度。`,
      );
      if (result.url) {
        ui.doneLink.href = result.url;
        ui.doneLink.hidden = false;
      }
      ui.submit.textContent = "开始上传";
      form.reset();
    } catch (error) {
      if (isAbort(error)) {
        say("上传已取消。");
      } else if (error instanceof ServerError && error.status < 500) {
        say("");
        fail(error.message);
        ui.submit.textContent = "开始上传";
      } else {
        say("");
        fail(
          config.mode === "s3"
            ? `上传中断：${error.message}。已上传的部分会保留，请点击“继续上传”。`
            : `上传失败：${error.message}`,
        );
        if (config.mode === "s3") ui.submit.textContent = "继续上传";
      }
    } finally {
      setBusy(false);
      controller = null;
    }
  });

  ui.cancel.addEventListener("click", async () => {
    if (!busy || !controller) return;
    const file = ui.file.files[0];
    const assetId = currentAsset;
    controller.abort();
    if (assetId) {
      try {
        await post(urlFor("abort", assetId));
      } catch {
        // the bucket clears unfinished uploads after a day anyway
      }
    }
    forget(file);
    ui.submit.textContent = "开始上传";
  });

  announceUnfinished();
}

class ServerError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

function isAbort(error) {
  return error && error.name === "AbortError";
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function waitOnline() {
  return new Promise((resolve) => window.addEventListener("online", resolve, { once: true }));
}

function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
