// The staff console: the live queue, one escalation's whole story, and the
// steward's actions. Plain DOM, no build. Text from the API is only ever set
// with textContent, never as HTML: messages are written by holders.
//
// Three plain scripts, loaded in this order by console.html:
//   console.js     the shared state, the API helper, formatting and DOM helpers;
//                  login, the live queue and the event stream; page start-up.
//   escalation.js  the selected escalation: its conversation and reply box, the
//                  request and audit panels, and the steward's actions on it.
//   holder_file.js the holder's file: profile, bookings (cancel, reschedule),
//                  applications and service requests (status moves).
// They share one object, window.TCC. A script takes what earlier scripts put
// there when it loads, and reaches later scripts through TCC when it runs.
"use strict";

(() => {
  const API = "/api/v1/staff";
  const TOKEN_KEY = "tcc.staff.token";
  const TZ = "Asia/Shanghai";
  const $ = (id) => document.getElementById(id);
  const TCC = window.TCC = {};

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    staff: null,
    selectedId: null,
    detail: null,
    // The reschedule picker that is open, kept here so live re-renders keep it:
    // {reference, date, slots, alternatives, loaded, chosenId, key}.
    moving: null,
    stewards: [],
    away: false,
    streamAbort: null,
  };

  // -- HTTP --------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.detail) || `Request failed (${status})`);
      this.status = status;
      this.code = body && body.code;
      this.body = body || {};
    }
  }

  async function api(path, { method = "GET", body, headers: extra } = {}) {
    const headers = { Accept: "application/json", ...(extra || {}) };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(API + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => null);
    if (res.status === 401 && state.token) {
      logout("Your session has ended. Please log in again.");
    }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  // -- formatting --------------------------------------------------------------

  const timeFmt = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hour: "2-digit", minute: "2-digit" });
  const dayFmt = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, day: "numeric", month: "short" });
  const dateKey = new Intl.DateTimeFormat("en-CA", { timeZone: TZ });

  function when(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    const today = dateKey.format(new Date()) === dateKey.format(d);
    return today ? timeFmt.format(d) : `${dayFmt.format(d)} ${timeFmt.format(d)}`;
  }

  function waited(createdIso) {
    const minutes = Math.max(0, Math.round((Date.now() - new Date(createdIso)) / 60000));
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${minutes % 60} min`;
    return `${Math.floor(hours / 24)} days`;
  }

  const LABELS = {
    open: "Open", claimed: "Claimed", waiting_holder: "Waiting for holder", resolved: "Resolved",
    requested: "Asked for a person", fallback: "Bot did not understand", judgement: "Needs judgement",
    backend_failure: "Backend failing", complaint: "Complaint",
  };

  function statusWord(status) {
    const word = String(status).replace(/_/g, " ");
    return word.charAt(0).toUpperCase() + word.slice(1);
  }

  function el(tag, { cls, text, attrs } = {}, children = []) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function chip(text, cls = "") {
    return el("span", { cls: `chip ${cls}`, text });
  }

  function banner(message, kind = "error") {
    const box = $("banner");
    if (!message) { box.hidden = true; return; }
    box.textContent = message;
    box.className = `banner ${kind === "info" ? "info" : ""}`;
    box.hidden = false;
    clearTimeout(banner.timer);
    banner.timer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  function facts(target, pairs) {
    const nodes = [];
    for (const [label, value] of pairs) {
      if (value === null || value === undefined || value === "") continue;
      const dd = el("dd");
      if (typeof value === "object") dd.append(el("pre", { text: JSON.stringify(value, null, 2) }));
      else dd.textContent = String(value);
      nodes.push(el("dt", { text: label }), dd);
    }
    target.replaceChildren(...nodes);
  }

  // -- login -------------------------------------------------------------------

  async function login(event) {
    event.preventDefault();
    const button = $("login-button");
    button.disabled = true;
    try {
      const data = await api("/login", {
        method: "POST", body: { username: $("username").value, password: $("password").value },
      });
      state.token = data.access_token;
      sessionStorage.setItem(TOKEN_KEY, state.token);
      $("password").value = "";
      banner(null);
      await start();
    } catch (err) {
      banner(err.message);
    } finally {
      button.disabled = false;
    }
  }

  function logout(message) {
    state.token = null;
    state.staff = null;
    state.selectedId = null;
    sessionStorage.removeItem(TOKEN_KEY);
    if (state.streamAbort) state.streamAbort.abort();
    $("console-view").hidden = true;
    $("who").hidden = true;
    $("login-view").hidden = false;
    if (message) banner(message, "info");
  }

  async function start() {
    const me = await api("/me");
    state.staff = me.staff;
    $("staff-name").textContent = `${me.staff.name} · ${me.staff.role}`;
    renderAway(me.away);
    $("office").textContent = me.staffed_now ? "Office open" : `Office closed · opens ${when(me.next_staffed_at)}`;
    $("login-view").hidden = true;
    $("who").hidden = false;
    $("console-view").hidden = false;
    if (me.staff.role === "supervisor") {
      state.stewards = (await api("/stewards")).stewards;
    }
    await refreshQueue();
    listen();
  }

  function renderAway(away) {
    state.away = away;
    const button = $("away");
    button.textContent = away ? "Away · I'm back" : "I'm away";
    button.classList.toggle("on", away);
  }

  async function toggleAway() {
    try {
      const data = await api(`/stewards/${encodeURIComponent(state.staff.username)}/away`, {
        method: "POST", body: { away: !state.away },
      });
      renderAway(data.away);
      banner(data.away ? "Marked away: your holders' new requests go to the shared queue." : null, "info");
    } catch (err) {
      banner(err.message);
    }
  }

  // -- queue -------------------------------------------------------------------

  async function refreshQueue() {
    const status = $("status-filter").value;
    const data = await api(`/escalations?status=${encodeURIComponent(status)}`);
    const list = $("queue-list");
    list.replaceChildren(...data.escalations.map(queueItem));
    $("queue-count").textContent = `(${data.escalations.length})`;
    $("queue-empty").hidden = data.escalations.length > 0;
  }

  function queueItem(esc) {
    const wait = el("span", {
      cls: `q-wait ${esc.overdue ? "overdue" : ""}`,
      text: esc.status === "resolved" ? "resolved" : waited(esc.created_at),
      attrs: { "data-created": esc.created_at, title: `Response due ${when(esc.response_due_at)}` },
    });
    const name = el("span", { cls: "q-name", text: esc.holder.name });
    if (esc.holder.golden) name.prepend(el("span", { cls: "gold", text: "★ " }));
    const chips = el("div", { cls: "chips" }, [
      chip(esc.priority, `p-${esc.priority}`),
      chip(LABELS[esc.status] || esc.status, `s-${esc.status}`),
      chip(LABELS[esc.reason] || esc.reason),
      esc.shared_queue ? chip("Shared queue", "shared")
        : chip(esc.claimed_by ? `⚑ ${esc.claimed_by.name}` : `→ ${esc.assigned_to.name}`),
    ]);
    const item = el("li", {
      cls: `q-item ${esc.priority} ${esc.id === state.selectedId ? "selected" : ""}`,
      attrs: { "data-id": String(esc.id), tabindex: "0" },
    }, [
      el("div", { cls: "q-top" }, [name, wait]),
      el("div", { cls: "q-headline", text: esc.headline || "(no summary)" }),
      chips,
    ]);
    item.addEventListener("click", () => TCC.select(esc.id));
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") TCC.select(esc.id); });
    return item;
  }

  // -- live updates ----------------------------------------------------------------
  // fetch, not EventSource, so the token goes in a header rather than the URL.

  async function listen() {
    if (state.streamAbort) state.streamAbort.abort();
    const controller = new AbortController();
    state.streamAbort = controller;
    let delay = 1000;
    while (state.token && !controller.signal.aborted) {
      try {
        const res = await fetch(`${API}/stream`, {
          headers: { Authorization: `Bearer ${state.token}`, Accept: "text/event-stream" },
          signal: controller.signal,
        });
        if (res.status === 401) { logout("Your session has ended. Please log in again."); return; }
        if (!res.ok || !res.body) throw new Error(`stream ${res.status}`);
        $("live-dot").classList.add("on");
        delay = 1000;
        await readEvents(res.body.getReader(), onEvent);
      } catch (err) {
        if (controller.signal.aborted) return;
      }
      $("live-dot").classList.remove("on");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30000);
    }
  }

  async function readEvents(reader, handle) {
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let name = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (data) handle(name, JSON.parse(data));
      }
    }
  }

  function onEvent(name, data) {
    if (name === "queue") {
      refreshQueue().catch(() => {});
      TCC.refreshDetail();
    } else if (name === "message" && data.escalation_ids.includes(state.selectedId)) {
      TCC.refreshDetail();
    }
  }

  Object.assign(TCC, {
    state, api, $, when, waited, timeFmt, dayFmt, dateKey, LABELS, statusWord,
    el, chip, banner, facts, refreshQueue,
  });

  // -- wiring ------------------------------------------------------------------------
  // Each script wires its own controls; this one also starts the page. Deferred
  // scripts all run before DOMContentLoaded, so every listener is in place by then.

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", () => logout());
    $("away").addEventListener("click", toggleAway);
    $("status-filter").addEventListener("change", () => refreshQueue().catch((e) => banner(e.message)));
    // Waiting times tick even when nothing else changes.
    setInterval(() => {
      for (const node of document.querySelectorAll(".q-wait[data-created]")) {
        if (node.textContent !== "resolved") node.textContent = waited(node.dataset.created);
      }
    }, 30000);
    if (state.token) start().catch(() => logout());
  });
})();
