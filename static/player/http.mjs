// A JSON POST of this site with its CSRF token: {status, payload} (payload {} when the answer is
// not JSON, e.g. the CSRF failure page). Rejects only when nothing came back.

export function csrfPost(url, csrf, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body || {}),
  }).then(async (response) => {
    let payload = {};
    try {
      payload = await response.json();
    } catch {
      payload = {};
    }
    return { status: response.status, payload };
  });
}
