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
        if (!body.scheduled_at) follow(host, auth, created);
      }
      tell(host, "shared");
    } catch (error) {
      if (popup) popup.close();
      say(host, "", error.message, true);
    } finally {
      button.disabled = false;
    }
  }

  // The connect dialog, filled for the network of the button pressed; focus returns to that button on close.
  function openConnect(host, button) {
    const dialog = host.querySelector("[data-connect-dialog]");
    if (!dialog || !dialog.showModal) return;
    const form = dialog.querySelector("form");
    form.reset();
    for (const error of form.querySelectorAll(".cw-field-error")) error.hidden = true;
    dialog.dataset.network = button.dataset.network;
    dialog.dataset.kind = button.dataset.kind;
    const title = dialog.querySelector("[data-template]");
    title.textContent = title.dataset.template.replace("{network}", button.dataset.label || button.dataset.network);
    for (const part of dialog.querySelectorAll("[data-kind]")) part.hidden = part.dataset.kind !== button.dataset.kind;
    const instance = dialog.querySelector("[data-instance-field]");
    if (instance) {
      instance.hidden = !button.dataset.instance;
      instance.querySelector("input").value = button.dataset.instance || "";
    }
    dialog.querySelector(".cw-dialog-status").textContent = "";
    dialog.addEventListener("close", () => button.isConnected && button.focus(), { once: true });
    dialog.showModal();
    const first = dialog.querySelector("[data-kind]:not([hidden]) input:not([type=hidden])");
    if (first && !(first.closest("[hidden]"))) first.focus();
  }

  // Account states of one network, to notice the one a connection adds or renews.
  const accountStates = async (auth, network) =>
    (await call(auth, "GET", "/api/v1/me/accounts"))
      .filter((account) => account.network === network && account.api_connected && account.status === "active")
      .map((account) => `${account.id}:${account.handle}`);

  async function connectAccount(host, form, event, auth) {
    event.preventDefault();
    if (!event.isTrusted) return;
    const dialog = form.closest("dialog");
    const status = dialog.querySelector(".cw-dialog-status");
    const network = dialog.dataset.network;
    const oauth = dialog.dataset.kind === "oauth2";
    const value = (name) => (form.elements[name] && !form.elements[name].closest("[hidden]") ? form.elements[name].value.trim() : "");
    const body = {};
    if (value("instance")) body.instance = value("instance");
    if (!oauth) Object.assign(body, { identifier: value("identifier"), password: form.elements.password.value });
    else body.return_to = dialog.dataset.donePath;
    for (const error of form.querySelectorAll(".cw-field-error")) error.hidden = true;
    const popup = oauth ? openWindow() : null;
    if (oauth && !popup) return (status.textContent = status.dataset.blocked);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const before = oauth ? await accountStates(auth, network) : [];
      const result = await call(auth, "POST", `/api/v1/me/accounts/connect/${encodeURIComponent(network)}`, body);
      if (oauth) {
        if (!isHttp(result.authorize_url)) throw new Error(status.dataset.blocked);
        popup.location.href = result.authorize_url;
        status.textContent = status.dataset.waiting;
        // The network sends the window back to /connect/done, which closes itself; here we watch for the account.
        for (let waited = 0; waited < 600000; waited += 1500) {
          await new Promise((resolve) => setTimeout(resolve, 1500));
          const now = await accountStates(auth, network);
          if (now.some((state) => !before.includes(state))) break;
          if (popup.closed && waited > 3000) {
            const last = await accountStates(auth, network);
            if (last.some((state) => !before.includes(state))) break;
            status.textContent = "";
            return;
          }
        }
        if (!popup.closed) popup.close();
      }
      status.textContent = status.dataset.connected;
      dialog.close();
      host.clarionChanged("connected", status.dataset.connected);
    } catch (error) {
      if (popup && !popup.closed) popup.close();
      const field = error.field && form.elements[error.field];
      const slot = field && form.querySelector(`#${CSS.escape(field.id)}-error`);
      if (slot && !field.closest("[hidden]")) {
        slot.textContent = error.message;
        slot.hidden = false;
        field.focus();
      } else status.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }

  // Asks after an API share until the network answered (published or failed); null if it never did.
  async function settled(auth, share, onSlow) {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (share.status === "published" || share.status === "failed") return share;
      if (attempt === 20 && onSlow) onSlow();
      await new Promise((resolve) => setTimeout(resolve, attempt < 10 ? 250 : attempt < 40 ? 1000 : 3000));
      try {
        share = await call(auth, "GET", `/api/v1/shares/${share.id}`);
      } catch {
        // a network hiccup: ask again
      }
    }
    return null;
  }

  // "View your post" after a status line, when the network gave the post's address.
  const postLink = (status, url, text) => {
    if (!status || !url || !isHttp(url)) return;
    const anchor = document.createElement("a");
    anchor.href = url;
    anchor.target = "_blank";
    anchor.rel = "noopener noreferrer";
    anchor.textContent = text;
    status.append(" ", anchor);
  };

  // Follows an API share until it is published (with the link to the post) or failed; tells the other widgets.
  async function follow(host, auth, created) {
    const share = await settled(auth, created);
    if (!share) return;
    if (share.status === "failed") {
      say(host, "failed", "", true);
      return tell(host, "failed");
    }
    say(host, "live");
    const status = host.querySelector(".cw-status");
    postLink(status, share.external_post_url, status && status.dataset.view);
    return tell(host, "published");
  }

  // In my queue, shares still on their way: follow them, and show the widget again once one settles.
  function watchPending(host) {
    const pending = Array.from(host.querySelectorAll("[data-share-pending]"), (item) => item.dataset.shareId);
    if (!pending.length || !host.clarionAuth || host.clarionWatching) return;
    host.clarionWatching = true;
    (async () => {
      for (let attempt = 0; attempt < 80; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, attempt < 10 ? 1000 : 3000));
        const states = await Promise.all(
          pending.map((id) => call(host.clarionAuth, "GET", `/api/v1/shares/${id}`).then((share) => share.status, () => "")),
        );
        if (states.some((state) => state === "published" || state === "failed")) break;
      }
      host.clarionWatching = false;
      host.clarionChanged("published");
    })();
  }

  // Tells the other Clarion widgets on the page that something changed, without showing this one again.
  const tell = (host, kind) => host.clarionTell && host.clarionTell(kind);

  // Moves keyboard focus to the result of an action: the element the template marks for this kind of change.
  function focusResult(host, kind) {
    const target = kind && host.querySelector(`[data-cw-focus~="${CSS.escape(kind)}"]`);
    if (target) target.focus();
  }

  // A widget with nothing left to do (onboarding, once done) takes no room; the page's CSS cannot undo it.
  const hideWhenDone = (box, content) => {
    box.style.display = content.querySelector("[data-cw-done]") ? "none" : "";
  };

  // A time typed in the person's own time zone (not the browser's), as an instant.
  function zonedToUtc(local, zone) {
    const guess = Date.parse(`${local}:00Z`);
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
        .formatToParts(new Date(guess))
        .map((part) => [part.type, part.value]),
    );
    const shown = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
    return new Date(guess - (shown - guess)).toISOString();
  }

  const minutes = (value) => {
    const [hours, mins] = value.split(":").map(Number);
    return hours * 60 + mins;
  };

  // The profile's and my queue's own actions; ``kind`` says what changed, for focus and for the other widgets.
  async function act(host, auth, target, method, path, body, kind, message) {
    const form = target.closest("form");
    for (const error of host.querySelectorAll(".cw-field-error")) error.hidden = true;
    target.disabled = true;
    try {
      await call(auth, method, path, body);
      host.clarionChanged(kind, message);
    } catch (error) {
      target.disabled = false;
      const field = form && error.field && form.elements[error.field];
      const slot = (field && field.id && form.querySelector(`#${CSS.escape(field.id)}-error`)) || (form && form.querySelector(".cw-field-error"));
      if (slot) {
        slot.textContent = error.message;
        slot.hidden = false;
        if (field && field.focus) field.focus();
      } else say(host, "", error.message, true);
    }
  }

  function profileAction(host, target, auth, event) {
    const action = target.dataset.action;
    const item = target.closest("[data-share-id]");
    const account = target.closest("[data-account-id]");
    if (action === "consent") {
      const kind = { pause: "paused", resume: "resumed", leave: "left" }[target.dataset.consent];
      return act(host, auth, target, "POST", "/api/v1/me/consent", { action: target.dataset.consent }, kind);
    }
    if (action === "disconnect") return act(host, auth, target, "DELETE", `/api/v1/me/accounts/${account.dataset.accountId}`, undefined, "disconnected");
    if (action === "cancel-share") return act(host, auth, target, "POST", `/api/v1/shares/${item.dataset.shareId}/cancel`, undefined, "queue");
    if (action === "retry-share") return act(host, auth, target, "POST", `/api/v1/shares/${item.dataset.shareId}/retry`, undefined, "queue");
    event.preventDefault();
    const form = target;
    const button = form.querySelector("button[type=submit]");
    if (action === "reschedule") {
      const when = form.elements.scheduled_at.value;
      if (!when) return form.elements.scheduled_at.focus();
      return act(host, auth, button, "POST", `/api/v1/shares/${item.dataset.shareId}/reschedule`, { scheduled_at: zonedToUtc(when, form.dataset.zone || "UTC") }, "queue");
    }
    if (action === "profile") {
      const quiet = form.elements.quiet.checked && form.elements.quiet_start.value && form.elements.quiet_end.value;
      const body = {
        locale: form.elements.locale.value,
        leaderboard_visible: form.elements.leaderboard_visible.checked,
        quiet_hours_start: quiet ? minutes(form.elements.quiet_start.value) : null,
        quiet_hours_end: quiet ? minutes(form.elements.quiet_end.value) : null,
      };
      return act(host, auth, button, "PATCH", "/api/v1/me", body, "saved", form.dataset.done);
    }
    if (action === "daily-limits") {
      const limits = {};
      for (const field of form.querySelectorAll("input[type=number]")) limits[field.name] = field.value === "" ? null : Number(field.value);
      return act(host, auth, button, "PATCH", "/api/v1/me/daily-limits", { limits }, "saved", form.dataset.done);
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

  // A plugin widget's form: <form data-action="api" data-endpoint="/api/v1/…"> posts (data-method="DELETE": deletes)
  // its named fields as JSON
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
      await call(auth, form.dataset.method === "DELETE" ? "DELETE" : "POST", endpoint, body);
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

  const PROFILE_ACTIONS = new Set(["consent", "disconnect", "cancel-share", "retry-share", "reschedule", "profile", "daily-limits"]);

  // ---- The feed's composer: one <dialog class="cw-composer"> per feed, filled from /api/v1/feed/compose. ----
  const fill = (template, values) => (template || "").replace(/%\((\w+)\)s/g, (_, name) => (name in values ? values[name] : ""));
  const composerSay = (dialog, text, isError, link, linkText) => {
    const status = dialog.querySelector(".cw-composer-status");
    status.textContent = text || "";
    status.classList.toggle("cw-error", Boolean(isError));
    postLink(status, link, linkText);
  };

  // Shows what the network will count for the chosen network and text (``text`` undefined: the first suggestion).
  async function composerPreview(dialog, auth, text) {
    const state = dialog.clarionComposer;
    const body = { content_id: state.contentId, network: state.network };
    if (text !== undefined) body.text = text;
    const turn = (state.turn = (state.turn || 0) + 1);
    let data;
    try {
      data = await call(auth, "POST", "/api/v1/feed/compose", body);
    } catch (error) {
      return composerSay(dialog, error.message, true);
    }
    if (turn !== state.turn) return; // an older answer arriving late
    state.publishable = data.can_publish;
    const field = dialog.querySelector("textarea");
    if (text === undefined) field.value = data.text;
    field.readOnly = data.locked;
    dialog.querySelector("#cw-composer-locked").hidden = !data.locked;
    const variants = dialog.querySelector(".cw-variants");
    const list = variants.querySelector(".cw-variant-list");
    if (text === undefined) {
      list.replaceChildren();
      data.variants.forEach((variant, index) => {
        const label = document.createElement("label");
        label.className = "cw-variant";
        const radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "variant";
        radio.value = String(index);
        radio.checked = variant === data.text;
        radio.dataset.text = variant;
        const words = document.createElement("span");
        words.textContent = variant;
        label.append(radio, words);
        list.append(label);
      });
      variants.hidden = data.variants.length < 2;
    }
    const count = dialog.querySelector(".cw-count");
    count.textContent = data.limit
      ? fill(dialog.dataset.count, { length: data.length, limit: data.limit })
      : fill(dialog.dataset.countFree, { length: data.length });
    count.classList.toggle("cw-error", data.problems.length > 0);
    const problems = dialog.querySelector(".cw-problems");
    problems.replaceChildren(
      ...data.problems.map((problem) => {
        const item = document.createElement("li");
        item.textContent = problem;
        return item;
      }),
    );
    field.toggleAttribute("aria-invalid", data.problems.length > 0);
    dialog.querySelector(".cw-preview-text").textContent = data.post;
    const open = dialog.querySelector("[data-action=composer-open]");
    open.hidden = !data.can_open;
    open.textContent = fill(dialog.dataset.open, { network: data.label });
    open.classList.toggle("cw-secondary", data.can_publish);
    dialog.querySelector("[data-action=composer-post]").hidden = !data.can_publish;
    dialog.querySelector(".cw-schedule-group").hidden = !data.can_publish;
    return data;
  }

  // Follows an API share until the network answers: published (with the post's link) or failed.
  async function composerFollow(dialog, auth, created) {
    const share = await settled(auth, created, () => composerSay(dialog, dialog.dataset.waiting));
    if (!share) return;
    if (share.status === "published")
      return composerSay(dialog, dialog.dataset.published, false, share.external_post_url, dialog.dataset.view);
    composerSay(dialog, fill(dialog.dataset.failed, { reason: share.last_error || "" }), true);
  }

  async function composerAct(host, dialog, button, auth, action) {
    const state = dialog.clarionComposer;
    const text = dialog.querySelector("textarea").value;
    const body = { content_id: state.contentId, network: state.network, text, method: action === "composer-open" ? "intent" : "api" };
    if (action === "composer-schedule") {
      const when = dialog.querySelector("#cw-composer-when");
      if (!when.value) return when.focus();
      body.scheduled_at = new Date(when.value).toISOString();
    }
    const popup = action === "composer-open" ? openWindow() : null;
    button.disabled = true;
    try {
      const created = await call(auth, "POST", "/api/v1/shares", body);
      if (popup) {
        if (!isHttp(created.share_intent_url)) throw new Error("no share link");
        popup.location.href = created.share_intent_url;
        await call(auth, "POST", `/api/v1/shares/${created.id}/opened`);
        composerSay(dialog, host.querySelector(".cw-status").dataset.shared);
      } else if (body.scheduled_at) {
        composerSay(dialog, fill(dialog.dataset.scheduled, { when: new Date(body.scheduled_at).toLocaleString(document.documentElement.lang || undefined) }));
      } else {
        composerSay(dialog, dialog.dataset.publishing);
        await composerFollow(dialog, auth, created);
      }
    } catch (error) {
      if (popup) popup.close();
      composerSay(dialog, error.message, true);
    } finally {
      button.disabled = false;
    }
  }

  // The card's Share… button (or a connected network's icon) opens the composer for that item.
  function composer(host, button, auth, action) {
    const dialog = host.querySelector("dialog.cw-composer");
    if (!dialog) return;
    if (action !== "compose") return composerAct(host, dialog, button, auth, action);
    const item = button.closest("[data-content-id]");
    const choices = Array.from(dialog.querySelectorAll("input[name=network]"));
    const chosen = choices.find((choice) => choice.value === button.dataset.network) || choices[0];
    if (!item || !chosen) return;
    dialog.clarionComposer = { contentId: Number(item.dataset.contentId), network: chosen.value, opener: button };
    chosen.checked = true;
    dialog.querySelector(".cw-composer-item").textContent = item.querySelector(".cw-title").textContent.trim();
    composerSay(dialog, "");
    if (!dialog.dataset.wired) {
      dialog.dataset.wired = "";
      let pause;
      dialog.addEventListener("input", (event) => {
        if (event.target.tagName !== "TEXTAREA") return;
        clearTimeout(pause);
        pause = setTimeout(() => composerPreview(dialog, auth, event.target.value), 250);
      });
      dialog.addEventListener("change", (event) => {
        const state = dialog.clarionComposer;
        if (event.target.name === "network") {
          state.network = event.target.value;
          composerPreview(dialog, auth);
        } else if (event.target.name === "variant") {
          dialog.querySelector("textarea").value = event.target.dataset.text;
          composerPreview(dialog, auth, event.target.dataset.text);
        }
      });
      dialog.addEventListener("close", () => dialog.clarionComposer.opener.focus());
    }
    dialog.showModal();
    composerPreview(dialog, auth).then((data) => {
      const first = data && data.can_publish ? "[data-action=composer-post]" : "textarea";
      dialog.querySelector(first).focus();
    });
  }

  // Forms that only work with this script arrive disabled: never a native submit before it runs.
  const ready = (host) => {
    for (const control of host.querySelectorAll("[data-needs-script]")) control.disabled = false;
    watchPending(host);
  };

  // Wires the buttons and forms of one rendered widget; only real user gestures count. ``apply`` shows the
  // widget again with other settings (a framed page has none: the browser submits its settings form itself).
  function bind(host, auth, changed, apply, tellOthers) {
    host.clarionAuth = auth;
    host.clarionChanged = changed;
    host.clarionTell = tellOthers;
    ready(host);
    host.addEventListener("click", (event) => {
      const button = event.target.closest && event.target.closest("button[data-action]");
      if (!button || !event.isTrusted || button.disabled) return;
      const action = button.dataset.action;
      if (action === "share" || action === "publish") share(host, button, auth, action);
      else if (action === "connect") openConnect(host, button);
      else if (action.startsWith("compose")) composer(host, button, auth, action);
      else if (action === "close-dialog") button.closest("dialog").close();
      else if (PROFILE_ACTIONS.has(action)) profileAction(host, button, auth, event);
      else if (action === "join-challenge" || action === "leave-challenge") participation(host, button, auth, changed);
    });
    // Enter ticks a checkbox as Space does (the guidelines box): people expect it of a form.
    host.addEventListener("keydown", (event) => {
      const target = event.target;
      if (event.key === "Enter" && target.matches && target.matches("input[type=checkbox]")) {
        event.preventDefault();
        target.click();
      }
    });
    host.addEventListener("submit", async (event) => {
      const form = event.target;
      if (!event.isTrusted) return event.preventDefault();
      if (form.dataset.action === "suggest") return suggest(host, form, event, auth);
      if (form.dataset.action === "api") return send(host, form, event, auth);
      if (form.dataset.action === "connect-account") return connectAccount(host, form, event, auth);
      if (PROFILE_ACTIONS.has(form.dataset.action)) return profileAction(host, form, auth, event);
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
        changed("joined");
      } catch (error) {
        say(host, "", error.message, true);
      }
    });
  }

  // The page an OAuth connection ends on closes itself; the widget that opened it sees the new account.
  if (root.hasAttribute("data-clarion-connected") && location.origin === base) {
    window.close();
    return;
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
    const framed = parentOrigin && window.parent !== window;
    const tellParent = (kind) => framed && window.parent.postMessage({ type: "clarion:changed", kind }, parentOrigin);
    // Shows the widget again in place (no reload): the focus can move to the result of the action.
    const refreshFrame = async (kind, message) => {
      const response = await fetch(location.pathname + location.search, { credentials: "same-origin", cache: "no-store" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector("[data-clarion-widget]");
      if (!fresh || page.documentElement.dataset.subject !== root.dataset.subject) return location.reload();
      csrf = page.documentElement.dataset.csrf || csrf;
      root.lang = page.documentElement.lang;
      widget.lang = fresh.lang;
      widget.innerHTML = fresh.innerHTML;
      ready(widget);
      focusResult(widget, kind);
      if (message) say(widget, "", message);
    };
    if (widget)
      bind(
        widget,
        async () => (csrf ? { [CSRF_HEADER]: csrf } : {}),
        async (kind, message) => {
          await refreshFrame(kind, message);
          tellParent(kind);
        },
        undefined,
        tellParent,
      );
    if (framed) {
      const report = () =>
        window.parent.postMessage(
          { type: "clarion:height", height: Math.ceil(document.body.getBoundingClientRect().height) },
          parentOrigin,
        );
      new ResizeObserver(report).observe(document.body);
      window.addEventListener("message", (event) => {
        if (event.origin !== parentOrigin || event.source !== window.parent) return;
        if (!event.data) return;
        if (event.data.type === "clarion:refresh" && widget) refreshFrame();
        else if (event.data.type === "clarion:hello") report(); // the parent's listener is ready now
      });
    }
    return;
  }

  // Auto-height of framed widgets and their news: only our origin, only from a frame we were asked to size.
  window.addEventListener("message", (event) => {
    if (event.origin !== base || !event.data) return;
    const frame = Array.from(document.querySelectorAll("iframe[data-clarion]")).find(
      (candidate) => candidate.contentWindow === event.source,
    );
    if (!frame) return;
    if (event.data.type === "clarion:changed") return announce(String(event.data.kind || ""), frame);
    const height = Number(event.data.height);
    if (event.data.type === "clarion:height" && Number.isFinite(height))
      frame.style.height = `${Math.min(Math.max(height, 40), 4000)}px`;
  });
  // Widgets on one page tell each other what changed (joined, connected, shared, published…): a CustomEvent
  // on document for custom elements, fragments and the page itself, a message to every framed widget.
  function announce(kind, source) {
    document.dispatchEvent(new CustomEvent("clarion:changed", { detail: { kind, source } }));
  }
  document.addEventListener("clarion:changed", (event) => {
    const { kind, source } = event.detail || {};
    for (const frame of document.querySelectorAll("iframe[data-clarion]"))
      if (frame !== source && frame.contentWindow) frame.contentWindow.postMessage({ type: "clarion:refresh", kind }, base);
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
        async (kind, message) => {
          await this.load(false, undefined, kind, message);
          announce(kind, this);
        },
        (settings) => this.load(false, settings),
        (kind) => announce(kind, this),
      );
      this.changed = (event) => {
        if (!event.detail || event.detail.source !== this) this.load();
      };
      document.addEventListener("clarion:changed", this.changed);
      this.load();
    }

    disconnectedCallback() {
      document.removeEventListener("clarion:changed", this.changed);
    }

    // ``chosen``: settings the viewer picked in the widget, kept over the page's data-* attributes until reload.
    // ``kind`` and ``message``: after the viewer's own action, where focus goes and what the status says.
    async load(retried, chosen, kind, message) {
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
          return this.load(true, chosen, kind, message);
        }
        if (!response.ok) {
          const problem = await response.json().catch(() => ({}));
          throw new Error(problem.detail || response.statusText);
        }
        this.mount.innerHTML = await response.text();
        ready(this.mount);
        hideWhenDone(this, this.mount);
        if (chosen) focusChoice(this.mount);
        focusResult(this.mount, kind);
        if (message) say(this.mount, "", message);
      } catch (error) {
        this.mount.textContent = await failure(error);
      } finally {
        this.mount.setAttribute("aria-busy", "false");
      }
    }
  }

  if (!customElements.get("clarion-widget")) customElements.define("clarion-widget", ClarionWidget);
  // A server-rendered fragment on the intranet's page: its actions, and its settings form fetching it again.
  // ``data-clarion-query`` on the element keeps the settings it was rendered with when it is shown again.
  function bindFragment(element, tokenUrl) {
    const auth = bearer(tokenUrl);
    let chosen = element.dataset.clarionQuery || "";
    const render = async (kind, message) => {
      const name = element.querySelector("[data-clarion-widget]").dataset.clarionWidget;
      try {
        const response = await fetch(`${base}/widgets/${encodeURIComponent(name)}${chosen ? `?${chosen}` : ""}`, {
          headers: await auth(),
          credentials: "omit",
          cache: "no-store",
        });
        if (!response.ok) throw new Error((await response.json().catch(() => ({}))).detail || response.statusText);
        element.innerHTML = await response.text();
        ready(element);
        hideWhenDone(element, element);
        focusResult(element, kind);
        if (message) say(element, "", message);
      } catch (error) {
        say(element, "", error.message, true);
      }
    };
    const apply = async (settings) => {
      chosen = settings.toString();
      await render();
      focusChoice(element);
    };
    bind(
      element,
      auth,
      async (kind, message) => {
        await render(kind, message);
        announce(kind, element);
      },
      apply,
      (kind) => announce(kind, element),
    );
    hideWhenDone(element, element);
    document.addEventListener("clarion:changed", (event) => {
      if (!event.detail || event.detail.source !== element) render();
    });
  }
  window.ClarionEmbed = { bind: bindFragment };
})();
