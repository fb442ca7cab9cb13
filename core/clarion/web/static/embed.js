/* Clarion embed script: <clarion-widget name="feed" token-url="/clarion-token"> on intranet
   pages, auto-height for <iframe data-clarion src=".../embed/feed">, and the framed pages. */
(() => {
  "use strict";
  const script = document.currentScript;
  const base = new URL(script ? script.src : location.href).origin;
  const root = document.documentElement;
  const inFrame = root.hasAttribute("data-clarion-frame") && location.origin === base;
  const isHttp = (url) => /^https?:\/\//i.test(url || "");
  const noAuth = async () => ({});
  const CSRF_HEADER = "x-clarion-csrf";
  let csrf = root.dataset.csrf || "";

  // The subject of an identity token, read without checking it: only to skip an exchange, never to trust.
  const subjectOf = (token) => {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "="))).sub;
    } catch {
      return undefined;
    }
  };

  const say = (host, key, text, isError) => {
    const status = host.querySelector(".cw-status");
    if (!status) return;
    status.textContent = text || status.dataset[key] || "";
    status.classList.toggle("cw-error", Boolean(isError));
  };

  // The CSRF token of the session cookie as it is now: another frame's sign-in may have replaced the cookie.
  async function freshCsrf() {
    const response = await fetch(location.pathname + location.search, { credentials: "same-origin", cache: "no-store" });
    const page = new DOMParser().parseFromString(await response.text(), "text/html").documentElement;
    if (page.dataset.subject !== root.dataset.subject) location.reload(); // someone else now: show their widget
    return page.dataset.csrf || "";
  }

  async function call(auth, method, path, body, retried) {
    const headers = Object.assign({ accept: "application/json" }, await auth());
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: inFrame ? "same-origin" : "omit",
    });
    if (response.status === 401 && auth.renew && !retried) return auth.renew().then(() => call(auth, method, path, body, true));
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok && inFrame && response.status === 403 && data && data.field === CSRF_HEADER && !retried) {
      csrf = await freshCsrf();
      return call(auth, method, path, body, true);
    }
    if (!response.ok) {
      const error = new Error((data && data.detail) || response.statusText);
      error.status = response.status;
      error.field = data && data.field;
      throw error;
    }
    return data;
  }

  // A new window must be opened inside the click itself, or the browser blocks it.
  const openWindow = () => {
    const popup = window.open("", "_blank");
    if (popup) popup.opener = null;
    return popup;
  };

  async function share(host, button, auth, action) {
    const item = button.closest("[data-content-id]");
    const network = button.dataset.network;
    const field =
      item.querySelector(`textarea[data-network="${CSS.escape(network)}"]`) ||
      item.querySelector('textarea[data-network=""]');
    const body = { content_id: Number(item.dataset.contentId), network, method: action === "publish" ? "api" : "intent" };
    if (field && field.value.trim()) body.text = field.value;
    const schedule = item.querySelector(`input[data-schedule="${CSS.escape(network)}"]`);
    if (action === "publish" && schedule && schedule.value) body.scheduled_at = new Date(schedule.value).toISOString();
    const popup = action === "share" ? openWindow() : null;
    button.disabled = true;
    try {
      const created = await call(auth, "POST", "/api/v1/shares", body);
      if (action === "share") {
        if (!isHttp(created.share_intent_url)) throw new Error("no share link");
        if (!popup) return say(host, "blocked", "", true);
        popup.location.href = created.share_intent_url;
        await call(auth, "POST", `/api/v1/shares/${created.id}/opened`);
        say(host, "shared");
      } else {
        say(host, body.scheduled_at ? "scheduled" : "published");
      }
    } catch (error) {
      if (popup) popup.close();
      say(host, "", error.message, true);
    } finally {
      button.disabled = false;
    }
  }

  async function connect(host, button, auth) {
    const popup = openWindow();
    try {
      const result = await call(auth, "POST", `/api/v1/me/accounts/connect/${encodeURIComponent(button.dataset.network)}`, {});
      if (popup && isHttp(result.authorize_url)) popup.location.href = result.authorize_url;
      else if (popup) popup.close();
    } catch (error) {
      if (popup) popup.close();
      say(host, "", error.message, true);
    }
  }

  // A suggestion for the review queue; a problem naming a field is shown next to that field.
  async function suggest(host, form, event, auth) {
    event.preventDefault();
    if (!event.isTrusted) return;
    const value = (name) => (form.elements[name] ? form.elements[name].value.trim() : "");
    const origin = value("origin");
    const body = { origin, title: value("title"), url: value("url"), submit_for_review: true };
    body[origin === "produced" ? "body" : "summary"] = value("note");
    for (const error of form.querySelectorAll(".cw-field-error")) error.hidden = true;
    for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await call(auth, "POST", "/api/v1/content", body);
      form.reset(); // the list of my suggestions catches up on the next load; the thanks stay visible
      say(host, "", form.dataset.done);
    } catch (error) {
      const name = { summary: "note", body: "note" }[error.field] || error.field;
      const field = name && form.elements[name];
      const slot = field && form.querySelector(`#${CSS.escape(field.id)}-error`);
      if (slot) {
        field.setAttribute("aria-invalid", "true");
        slot.textContent = error.message;
        slot.hidden = false;
        field.focus();
      } else say(host, "", error.message, true);
    } finally {
      button.disabled = false;
    }
  }

  // A plugin widget's form: <form data-action="api" data-endpoint="/api/v1/…"> posts its named fields as JSON
  // (data-type="integer" sends a number; empty fields are left out). On success its controls stay disabled and
  // data-done is announced; a problem naming a field is shown next to that field, as in the submit widget.
  async function send(host, form, event, auth) {
    event.preventDefault();
    const endpoint = form.dataset.endpoint || "";
    if (!event.isTrusted || !/^\/api\/v1\/[\w\-/]+$/.test(endpoint)) return;
    const body = {};
    for (const field of form.elements) {
      if (!field.name || field.disabled || field.type === "submit" || field.value.trim() === "") continue;
      body[field.name] = field.dataset.type === "integer" ? Number(field.value) : field.value.trim();
    }
    for (const error of form.querySelectorAll(".cw-field-error")) error.hidden = true;
    for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
    const controls = Array.from(form.querySelectorAll("button, input, textarea, select"));
    for (const control of controls) control.disabled = true;
    try {
      await call(auth, "POST", endpoint, body);
      form.dataset.sent = "";
      say(host, "", form.dataset.done);
    } catch (error) {
      for (const control of controls) control.disabled = false;
      const field = error.field && form.elements[error.field];
      const slot = field && field.id && form.querySelector(`#${CSS.escape(field.id)}-error`);
      if (slot) {
        field.setAttribute("aria-invalid", "true");
        slot.textContent = error.message;
        slot.hidden = false;
        field.focus();
      } else say(host, "", error.message, true);
    }
  }

  // Joining or leaving a challenge is the ambassador's own choice: a click, never a script.
  async function participation(host, button, auth, changed) {
    const item = button.closest("[data-challenge-id]");
    const method = button.dataset.action === "join-challenge" ? "POST" : "DELETE";
    button.disabled = true;
    try {
      await call(auth, method, `/api/v1/me/challenges/${encodeURIComponent(item.dataset.challengeId)}/participation`);
      changed();
    } catch (error) {
      say(host, "", error.message, true);
      button.disabled = false;
    }
  }
  // After the widget is shown with the viewer's new choice, keyboard focus stays on the choice.
  const focusChoice = (host) => {
    const button = host.querySelector("form[data-action=settings] button[type=submit]");
    if (button) button.focus();
  };

  // Forms that only work with this script arrive disabled: never a native submit before it runs.
  const ready = (host) => {
    for (const control of host.querySelectorAll("[data-needs-script]")) control.disabled = false;
  };

  // Wires the buttons and forms of one rendered widget; only real user gestures count. ``apply`` shows the
  // widget again with other settings (a framed page has none: the browser submits its settings form itself).
  function bind(host, auth, changed, apply) {
    ready(host);
    host.addEventListener("click", (event) => {
      const button = event.target.closest && event.target.closest("button[data-action]");
      if (!button || !event.isTrusted || button.disabled) return;
      const action = button.dataset.action;
      if (action === "share" || action === "publish") share(host, button, auth, action);
      else if (action === "connect") connect(host, button, auth);
      else if (action === "join-challenge" || action === "leave-challenge") participation(host, button, auth, changed);
    });
    host.addEventListener("submit", async (event) => {
      const form = event.target;
      if (form.dataset.action === "suggest") return suggest(host, form, event, auth);
      if (form.dataset.action === "api") return send(host, form, event, auth);
      if (form.dataset.action === "settings") {
        if (!apply) return;
        event.preventDefault();
        const settings = new URLSearchParams(new FormData(form));
        settings.delete("parent");
        return apply(settings);
      }
      if (form.dataset.action !== "opt-in") return;
      event.preventDefault();
      if (!event.isTrusted) return;
      const consent =
        form.dataset.consent === "paused"
          ? { action: "resume" }
          : { action: "opt_in", guidelines_version: form.dataset.guidelinesVersion };
      try {
        await call(auth, "POST", "/api/v1/me/consent", consent);
        changed();
      } catch (error) {
        say(host, "", error.message, true);
      }
    });
  }

  if (inFrame) {
    const parentOrigin = root.dataset.parentOrigin;
    const signin = document.querySelector("[data-clarion-signin]");
    // The intranet puts a single-use token in the fragment: read it, drop it from the URL, and exchange
    // it, unless the session cookie that rendered this page already belongs to the person the token
    // names (another frame signed in first): then the widget shown is right, and reloading it would
    // throw away whatever the person has begun typing. A token for someone else is always exchanged.
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    if (match && !(root.dataset.subject && subjectOf(decodeURIComponent(match[1])) === root.dataset.subject)) {
      document.body.hidden = true;
      call(noAuth, "POST", "/api/v1/sessions", { token: decodeURIComponent(match[1]) })
        .then(() => location.replace(location.pathname + location.search))
        .catch((error) => {
          document.body.hidden = false;
          const message = document.querySelector("[role=status]");
          if (message) message.textContent = error.message;
        });
      return;
    }
    if (signin) signin.querySelector("[role=status]").textContent = signin.dataset.nosession;
    const widget = document.querySelector("[data-clarion-widget]");
    if (widget) bind(widget, async () => (csrf ? { [CSRF_HEADER]: csrf } : {}), () => location.reload());
    if (parentOrigin && window.parent !== window) {
      const report = () =>
        window.parent.postMessage(
          { type: "clarion:height", height: Math.ceil(document.body.getBoundingClientRect().height) },
          parentOrigin,
        );
      new ResizeObserver(report).observe(document.body);
      window.addEventListener("message", (event) => {
        if (event.origin !== parentOrigin || event.source !== window.parent) return;
        if (!event.data) return;
        if (event.data.type === "clarion:refresh") location.reload();
        else if (event.data.type === "clarion:hello") report(); // the parent's listener is ready now
      });
    }
    return;
  }

  // Auto-height of framed widgets: only our origin, only from a frame we were asked to size.
  window.addEventListener("message", (event) => {
    if (event.origin !== base || !event.data || event.data.type !== "clarion:height") return;
    const frame = Array.from(document.querySelectorAll("iframe[data-clarion]")).find(
      (candidate) => candidate.contentWindow === event.source,
    );
    const height = Number(event.data.height);
    if (frame && Number.isFinite(height)) frame.style.height = `${Math.min(Math.max(height, 40), 4000)}px`;
  });
  // A frame may report before this script runs (it is often deferred): ask each one again.
  const hello = (frame) => frame.contentWindow && frame.contentWindow.postMessage({ type: "clarion:hello" }, base);
  for (const frame of document.querySelectorAll("iframe[data-clarion]")) {
    frame.addEventListener("load", () => hello(frame));
    hello(frame);
  }

  const sessions = new Map();
  function session(tokenUrl) {
    if (!sessions.has(tokenUrl)) {
      const pending = (async () => {
        const response = await fetch(tokenUrl, { method: "POST", credentials: "same-origin" });
        if (!response.ok) throw new Error(`the intranet gave no Clarion token (${response.status})`);
        const { token } = await response.json();
        return (await call(noAuth, "POST", "/api/v1/sessions", { token })).session_token;
      })();
      pending.catch(() => sessions.delete(tokenUrl));
      sessions.set(tokenUrl, pending);
    }
    return sessions.get(tokenUrl);
  }

  // Bearer auth from the intranet's token URL; ``renew`` forgets an expired session so the next call exchanges a
  // fresh token (call() retries a 401 once): the page stays usable however long it stays open.
  function bearer(tokenUrl) {
    const auth = async () => ({ authorization: `Bearer ${await session(tokenUrl)}` });
    auth.renew = async () => {
      sessions.delete(tokenUrl);
      await session(tokenUrl);
    };
    return auth;
  }

  // A network failure on another origin is most often a page missing from embed_origins: ask Clarion (which
  // answers any origin and logs it) once per page, and show its one sentence in one place only.
  let originCheck;
  const refusedOrigin = () => {
    if (location.origin === base) return Promise.resolve("");
    originCheck = originCheck ||
      fetch(`${base}/embed-origin`, { credentials: "omit", cache: "no-store" })
        .then((response) => response.json())
        .then((answer) => (answer.allowed ? "" : answer.detail))
        .catch(() => "");
    return originCheck;
  };
  let originShown = false;
  async function failure(error) {
    const refused = error instanceof TypeError ? await refusedOrigin() : "";
    if (!refused) return `Clarion: ${error.message}`;
    if (originShown) return "";
    originShown = true;
    console.error(refused);
    return refused;
  }
  // A frame refused by frame-ancestors only shows the browser's grey box: say why above the first one.
  const frames = document.querySelectorAll("iframe[data-clarion]");
  if (frames.length)
    refusedOrigin().then((refused) => {
      if (!refused) return;
      const note = document.createElement("p");
      note.setAttribute("role", "alert");
      note.textContent = refused;
      frames[0].before(note);
      for (const frame of frames) frame.hidden = true;
    });

  class ClarionWidget extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      const shadow = this.attachShadow({ mode: "open" });
      shadow.innerHTML = `<link rel="stylesheet" href="${base}/static/widgets.css"><div class="cw-mount" aria-busy="true"></div>`;
      this.mount = shadow.querySelector(".cw-mount");
      const tokenUrl = this.getAttribute("token-url") || "/clarion-token";
      this.auth = bearer(tokenUrl);
      this.tokenUrl = tokenUrl;
      bind(
        this.mount,
        this.auth,
        () => document.dispatchEvent(new CustomEvent("clarion:changed")),
        (settings) => this.load(false, settings),
      );
      this.changed = () => this.load();
      document.addEventListener("clarion:changed", this.changed);
      this.load();
    }

    disconnectedCallback() {
      document.removeEventListener("clarion:changed", this.changed);
    }

    // ``chosen``: settings the viewer picked in the widget, kept over the page's data-* attributes until reload.
    async load(retried, chosen) {
      if (chosen) this.chosen = chosen;
      const settings = new URLSearchParams();
      for (const attribute of this.attributes)
        if (attribute.name.startsWith("data-")) settings.set(attribute.name.slice(5).replace(/-/g, "_"), attribute.value);
      for (const [name, value] of this.chosen || []) settings.set(name, value);
      const query = settings.toString() ? `?${settings}` : "";
      try {
        const response = await fetch(`${base}/widgets/${encodeURIComponent(this.getAttribute("name"))}${query}`, {
          headers: await this.auth(),
          credentials: "omit",
          cache: "no-store", // after an action the widget must show the new state
        });
        if (response.status === 401 && !retried) {
          sessions.delete(this.tokenUrl); // expired session: exchange a fresh token once
          return this.load(true);
        }
        if (!response.ok) {
          const problem = await response.json().catch(() => ({}));
          throw new Error(problem.detail || response.statusText);
        }
        this.mount.innerHTML = await response.text();
        ready(this.mount);
        if (chosen) focusChoice(this.mount);
      } catch (error) {
        this.mount.textContent = await failure(error);
      } finally {
        this.mount.setAttribute("aria-busy", "false");
      }
    }
  }

  if (!customElements.get("clarion-widget")) customElements.define("clarion-widget", ClarionWidget);
  // A server-rendered fragment on the intranet's page: its actions, and its settings form fetching it again.
  function bindFragment(element, tokenUrl) {
    const auth = bearer(tokenUrl);
    const apply = async (settings) => {
      const name = element.querySelector("[data-clarion-widget]").dataset.clarionWidget;
      try {
        const response = await fetch(`${base}/widgets/${encodeURIComponent(name)}?${settings}`, {
          headers: await auth(),
          credentials: "omit",
          cache: "no-store",
        });
        if (!response.ok) throw new Error((await response.json().catch(() => ({}))).detail || response.statusText);
        element.innerHTML = await response.text();
        ready(element);
        focusChoice(element);
      } catch (error) {
        say(element, "", error.message, true);
      }
    };
    bind(element, auth, () => location.reload(), apply);
  }
  window.ClarionEmbed = { bind: bindFragment };
})();
