// The staff console: the live queue, one escalation's whole story, and the
// steward's actions. Plain DOM, no build. Text from the API is only ever set
// with textContent, never as HTML: messages are written by holders.
"use strict";

(() => {
  const API = "/api/v1/staff";
  const TOKEN_KEY = "tcc.staff.token";
  const TZ = "Asia/Shanghai";
  const $ = (id) => document.getElementById(id);

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
  const ACTION_WORDS = {
    open: "opened it", append: "added a follow-up", claim: "claimed it", hold: "put it on hold",
    resolve: "resolved it", reassign: "reassigned it", reply: "replied",
    cancel_booking: "cancelled booking", holder_replied: "holder replied",
    reschedule_booking: "moved booking", move_application: "moved application",
    move_service_request: "moved request",
  };

  function statusWord(status) {
    const word = String(status).replace(/_/g, " ");
    return word.charAt(0).toUpperCase() + word.slice(1);
  }

  // An Idempotency-Key per confirmed move, so a double click moves once.
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
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
    item.addEventListener("click", () => select(esc.id));
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") select(esc.id); });
    return item;
  }

  // -- one escalation ------------------------------------------------------------

  async function select(id) {
    if (id !== state.selectedId) state.moving = null;
    state.selectedId = id;
    for (const item of document.querySelectorAll(".q-item")) {
      item.classList.toggle("selected", item.dataset.id === String(id));
    }
    await refreshDetail();
  }

  async function refreshDetail() {
    if (state.selectedId === null) return;
    try {
      state.detail = await api(`/escalations/${state.selectedId}`);
    } catch (err) {
      banner(err.message);
      return;
    }
    renderDetail(state.detail);
  }

  function renderDetail(d) {
    const esc = d.escalation;
    $("no-selection").hidden = true;
    $("esc-head").hidden = false;
    $("side").hidden = false;

    const title = $("esc-holder");
    title.textContent = d.holder.name + (d.holder.name_zh ? ` ${d.holder.name_zh}` : "");
    if (d.holder.golden) title.prepend(el("span", { cls: "gold", text: "★ ", attrs: { title: "Golden card" } }));
    $("esc-chips").replaceChildren(
      chip(esc.priority, `p-${esc.priority}`),
      chip(LABELS[esc.status] || esc.status, `s-${esc.status}`),
      chip(LABELS[esc.reason] || esc.reason),
      esc.shared_queue ? chip("Shared queue", "shared") : chip(`Assigned: ${esc.assigned_to.name}`),
    );

    const allowed = new Set(esc.allowed_actions);
    $("claim").hidden = !allowed.has("claim");
    $("hold").hidden = !allowed.has("hold");
    $("resolve-form").hidden = !allowed.has("resolve");
    $("reassign-form").hidden = !allowed.has("reassign");
    $("composer").hidden = !allowed.has("reply");
    if (allowed.has("reassign")) renderReassign(esc);

    renderMessages(d.messages, d.messages_truncated);
    renderRequest(esc);
    renderHolder(d.holder);
    // Live updates re-render the file; what the steward was typing survives.
    const kept = keptValues();
    renderBookings();
    renderRecords();
    restoreValues(kept);
    renderAudit(d.audit);
  }

  function keptValues() {
    const kept = new Map();
    for (const node of document.querySelectorAll("#side [data-keep]")) kept.set(node.dataset.keep, node.value);
    return kept;
  }

  function restoreValues(kept) {
    for (const node of document.querySelectorAll("#side [data-keep]")) {
      if (kept.has(node.dataset.keep)) {
        node.value = kept.get(node.dataset.keep);
        node.dispatchEvent(new Event("change"));
      }
    }
  }

  function renderMessages(messages, truncated) {
    const list = $("messages");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const items = messages.map((m) => {
      const who = { holder: "Holder", bot: "Bot", system: "System" }[m.sender]
        || (m.steward_name ? `Steward · ${m.steward_name}` : "Steward");
      const buttons = (m.buttons || []).length
        ? el("div", { cls: "buttons" }, m.buttons.map((b) => el("span", { text: b.title })))
        : null;
      return el("li", { cls: `msg ${m.sender}`, attrs: { "data-id": String(m.id) } }, [
        el("div", { cls: "who-line", text: `${who} · ${when(m.created_at)}` }),
        el("div", { cls: "bubble", text: m.text }),
        buttons,
      ]);
    });
    if (truncated) items.unshift(el("li", { cls: "empty", text: "Older messages are not shown." }));
    if (!items.length) items.push(el("li", { cls: "empty", text: "No messages yet." }));
    list.replaceChildren(...items);
    if (atBottom || list.dataset.esc !== String(state.selectedId)) list.scrollTop = list.scrollHeight;
    list.dataset.esc = String(state.selectedId);
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

  function renderRequest(esc) {
    $("esc-summary").textContent = esc.summary || "(no summary)";
    facts($("esc-facts"), [
      ["Area", esc.area_code],
      ["Waiting", waited(esc.created_at)],
      ["Opened", when(esc.created_at)],
      ["Due", when(esc.response_due_at) + (esc.overdue ? " (overdue)" : "")],
      ["Claimed by", esc.claimed_by && esc.claimed_by.name],
      ["First reply", when(esc.first_response_at)],
      ["Resolved", when(esc.resolved_at)],
      ["Outcome", esc.outcome],
    ]);
    const context = Object.entries(esc.context || {});
    $("context-box").hidden = context.length === 0;
    facts($("esc-context"), context);
  }

  function renderHolder(h) {
    facts($("holder-facts"), [
      ["Card", `${h.card_number}${h.golden ? " (golden)" : ""}`],
      ["Title", h.title],
      ["Employer", h.employer],
      ["Phone", h.phone],
      ["Email", h.email],
      ["Language", h.preferred_language],
      ["Card valid", h.card_valid_until && `until ${h.card_valid_until}`],
      ["Steward", h.steward && h.steward.name],
      ["Children", (h.children || []).map((c) => `${c.name} (${c.birth_date})`).join(", ")],
    ]);
  }

  // -- the holder's bookings: cancel, or reschedule with a day and time picker --

  function renderBookings() {
    const { bookings, escalation } = state.detail;
    const allowed = new Set(escalation.allowed_actions);
    const movable = (b) => b.status === "confirmed" && new Date(b.starts_at) > new Date();
    if (state.moving && !bookings.some((b) => b.reference === state.moving.reference && movable(b))) {
      state.moving = null;
    }
    const items = bookings.map((b) => {
      const buttons = el("span", { cls: "booking-actions" });
      if (movable(b) && allowed.has("reschedule_booking")) {
        const open = state.moving && state.moving.reference === b.reference;
        const button = el("button", {
          cls: `small ${open ? "on" : ""}`, text: "Reschedule",
          attrs: { type: "button", "data-reschedule": b.reference, "aria-expanded": String(!!open) },
        });
        button.addEventListener("click", () => (open ? closeMove() : openMove(b)));
        buttons.append(button);
      }
      if (movable(b) && allowed.has("cancel_booking")) {
        const cancel = el("button", { cls: "small", text: "Cancel", attrs: { type: "button", "data-cancel": b.reference } });
        cancel.addEventListener("click", () => cancelBooking(b));
        buttons.append(cancel);
      }
      const top = el("div", { cls: "booking-top" }, [
        el("span", {}, [el("span", { cls: "ref", text: b.reference }), document.createTextNode(" "), chip(b.status)]),
        buttons,
      ]);
      const what = [b.area.name, b.offering && b.offering.name].filter(Boolean).join(" · ");
      const item = el("li", { cls: `booking ${b.status}`, attrs: { "data-reference": b.reference } }, [
        top,
        el("div", { text: what }),
        el("div", { cls: "meta", text: `${b.provider.name} · ${when(b.starts_at)} · ×${b.quantity}` }),
      ]);
      if (state.moving && state.moving.reference === b.reference) item.append(movePicker(b));
      return item;
    });
    if (!items.length) items.push(el("li", { cls: "empty", text: "No bookings." }));
    $("bookings").replaceChildren(...items);
  }

  function movePicker(booking) {
    const m = state.moving;
    const day = el("input", {
      attrs: { type: "date", id: `move-day-${booking.reference}`, value: m.date, min: dateKey.format(new Date()), required: "" },
    });
    day.addEventListener("change", () => { if (day.value && day.value !== m.date) loadTimes(day.value); });

    const timeButton = (slot, label) => {
      const button = el("button", {
        cls: `time ${slot.slot_id === m.chosenId ? "chosen" : ""}`, text: label,
        attrs: { type: "button", "data-slot-id": String(slot.slot_id), "aria-pressed": String(slot.slot_id === m.chosenId),
          title: `${slot.remaining} of ${slot.capacity} free` },
      });
      button.addEventListener("click", () => {
        if (m.chosenId !== slot.slot_id) m.key = null; // a new choice is a new move
        m.chosenId = slot.slot_id;
        renderBookings();
      });
      return button;
    };
    const times = el("div", { cls: "times", attrs: { "aria-live": "polite" } });
    if (!m.loaded) {
      times.append(el("span", { cls: "meta", text: "Looking for free times…" }));
    } else if (m.slots.length) {
      times.append(...m.slots.map((s) => timeButton(s, timeFmt.format(new Date(s.starts_at)))));
    } else {
      times.append(el("span", { cls: "meta", text: m.alternatives.length ? "Nothing free that day. Next free:" : "Nothing free that day." }));
      times.append(...m.alternatives.map((s) => timeButton(s, when(s.starts_at))));
    }

    const chosen = [...m.slots, ...m.alternatives].find((s) => s.slot_id === m.chosenId);
    const confirm = el("button", {
      cls: "primary small", text: chosen ? `Move to ${dayFmt.format(new Date(chosen.starts_at))} ${timeFmt.format(new Date(chosen.starts_at))}` : "Pick a time",
      attrs: { type: "button", "data-confirm-move": booking.reference },
    });
    confirm.disabled = !chosen;
    confirm.addEventListener("click", () => confirmMove(booking, chosen, confirm));
    const close = el("button", { cls: "small", text: "Keep as is", attrs: { type: "button" } });
    close.addEventListener("click", closeMove);

    return el("div", { cls: "picker" }, [
      el("div", { cls: "picker-row" }, [el("label", { cls: "picker-label", text: "New day", attrs: { for: `move-day-${booking.reference}` } }), day]),
      times,
      el("div", { cls: "picker-row end" }, [close, confirm]),
    ]);
  }

  function openMove(booking) {
    const day = dateKey.format(new Date(booking.starts_at));
    const today = dateKey.format(new Date());
    state.moving = { reference: booking.reference, date: day < today ? today : day,
      slots: [], alternatives: [], loaded: false, chosenId: null, key: null };
    loadTimes(state.moving.date);
  }

  function closeMove() {
    state.moving = null;
    renderBookings();
  }

  async function loadTimes(day) {
    const m = state.moving;
    Object.assign(m, { date: day, loaded: false, slots: [], alternatives: [], chosenId: null, key: null });
    renderBookings();
    try {
      const data = await api(`/escalations/${state.selectedId}/bookings/${encodeURIComponent(m.reference)}/availability?date=${encodeURIComponent(day)}`);
      if (state.moving !== m || m.date !== day) return; // the steward moved on meanwhile
      Object.assign(m, { slots: data.slots, alternatives: data.alternatives, loaded: true });
    } catch (err) {
      if (state.moving !== m) return;
      m.loaded = true;
      banner(err.message);
    }
    renderBookings();
  }

  async function confirmMove(booking, slot, button) {
    const m = state.moving;
    if (!slot || !m) return;
    m.key = m.key || newKey();
    button.disabled = true;
    try {
      const data = await api(`/escalations/${state.selectedId}/bookings/${encodeURIComponent(booking.reference)}/reschedule`, {
        method: "POST", body: { slot_id: slot.slot_id }, headers: { "Idempotency-Key": m.key },
      });
      state.moving = null;
      banner(`${booking.reference} moved to ${when(data.booking.starts_at)}.`, "info");
      await Promise.all([refreshDetail(), refreshQueue()]);
    } catch (err) {
      banner(err.code === "slot_full" ? "That time was just taken. Here are the times still free." : err.message);
      if (state.moving === m && err.code === "slot_full") await loadTimes(m.date);
      else button.disabled = false;
    }
  }

  // -- the holder's applications and service requests: move them on ------------

  function renderRecords() {
    const { applications = [], service_requests: requests = [], escalation } = state.detail;
    const allowed = new Set(escalation.allowed_actions);
    const items = [
      ...applications.map((a) => recordItem(a, {
        kind: "applications", mayMove: allowed.has("move_application"),
        what: `${a.school.name} · ${a.grade.name}`, meta: `Application for ${a.child.name}`,
      })),
      ...requests.map((r) => recordItem(r, {
        kind: "service-requests", mayMove: allowed.has("move_service_request"),
        what: r.area.name, meta: r.area.department || "Service request",
      })),
    ];
    if (!items.length) items.push(el("li", { cls: "empty", text: "No applications or requests." }));
    $("records").replaceChildren(...items);
  }

  function recordItem(record, { kind, mayMove, what, meta }) {
    const top = el("div", { cls: "booking-top" }, [
      el("span", {}, [el("span", { cls: "ref", text: record.reference }), document.createTextNode(" "),
        chip(statusWord(record.status), `r-${record.status}`)]),
    ]);
    const item = el("li", { cls: `booking record ${record.live ? "" : "closed"}`, attrs: { "data-reference": record.reference } }, [
      top,
      el("div", { text: what }),
      el("div", { cls: "meta", text: `${meta} · updated ${when(record.updated_at)}` }),
    ]);
    if (mayMove && record.allowed_moves.length) item.append(moveForm(record, kind));
    return item;
  }

  function moveForm(record, kind) {
    const status = el("select", { attrs: { "aria-label": `Move ${record.reference} to`, "data-keep": `status:${record.reference}` } }, [
      el("option", { text: "Move to…", attrs: { value: "" } }),
      ...record.allowed_moves.map((s) => el("option", { text: statusWord(s), attrs: { value: s } })),
    ]);
    const note = el("input", {
      attrs: { maxlength: "1000", placeholder: "Note (the holder sees it)", "aria-label": "Note", "data-keep": `note:${record.reference}` },
    });
    const button = el("button", { cls: "small", text: "Move", attrs: { type: "submit" } });
    const sync = () => { note.hidden = !status.value; button.disabled = !status.value; };
    status.addEventListener("change", sync);
    sync();
    const form = el("form", { cls: "record-move", attrs: { "data-move": record.reference } }, [
      el("div", { cls: "picker-row" }, [status, button]), note,
    ]);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!status.value) return;
      if (await act(`/${kind}/${encodeURIComponent(record.reference)}/status`, { status: status.value, note: note.value.trim() }, button)) {
        banner(`${record.reference} is now ${statusWord(status.value).toLowerCase()}.`, "info");
        // Done: the next move starts from a clean form (the file was re-rendered).
        for (const node of document.querySelectorAll(`#side [data-keep$=":${CSS.escape(record.reference)}"]`)) node.value = "";
        for (const node of document.querySelectorAll("#side select[data-keep]")) node.dispatchEvent(new Event("change"));
      }
    });
    return form;
  }

  function renderAudit(entries) {
    $("audit").replaceChildren(...entries.map((e) => {
      const who = e.by ? e.by.name : "System";
      const d = e.details || {};
      const extra = e.action === "resolve" ? `: ${d.outcome}`
        : e.action === "cancel_booking" ? ` ${d.reference}`
        : e.action === "reschedule_booking" ? ` ${d.reference} from ${when(d.from)} to ${when(d.to)}`
        : e.action === "move_application" || e.action === "move_service_request"
          ? ` ${d.reference} to ${statusWord(d.to).toLowerCase()}${d.note ? ` (“${d.note}”)` : ""}`
        : e.action === "reassign" ? ` to ${d.to || "the shared queue"}` : "";
      return el("li", {}, [
        el("time", { text: when(e.at), attrs: { datetime: e.at } }),
        document.createTextNode(`${who} ${ACTION_WORDS[e.action] || e.action}${extra}`),
      ]);
    }));
  }

  function renderReassign(esc) {
    const options = [el("option", { text: "Shared queue", attrs: { value: "" } })];
    for (const s of state.stewards) {
      const option = el("option", { text: `${s.name} (${s.live_escalations} live)`, attrs: { value: s.username } });
      if (esc.assigned_to && esc.assigned_to.username === s.username) option.selected = true;
      options.push(option);
    }
    $("reassign-to").replaceChildren(...options);
  }

  // -- actions -------------------------------------------------------------------

  async function act(path, body, button) {
    if (button) button.disabled = true;
    try {
      await api(`/escalations/${state.selectedId}${path}`, { method: "POST", body });
      await Promise.all([refreshDetail(), refreshQueue()]);
      return true;
    } catch (err) {
      banner(err.message);
      return false;
    } finally {
      if (button) button.disabled = false;
    }
  }

  async function reply(event) {
    event.preventDefault();
    const box = $("reply-text");
    const text = box.value.trim();
    if (!text) return;
    if (await act("/reply", { text }, $("send"))) box.value = "";
  }

  async function resolve(event) {
    event.preventDefault();
    const outcome = $("outcome").value.trim();
    if (!outcome) { banner("Say what the outcome was before resolving."); $("outcome").focus(); return; }
    if (await act("/resolve", { outcome }, $("resolve"))) $("outcome").value = "";
  }

  async function reassign(event) {
    event.preventDefault();
    const steward = $("reassign-to").value || null;
    if (await act("/reassign", { steward }, $("reassign")) && state.staff.role === "supervisor") {
      state.stewards = (await api("/stewards")).stewards;
    }
  }

  async function cancelBooking(booking) {
    if (!window.confirm(`Cancel booking ${booking.reference} for the holder?`)) return;
    await act(`/bookings/${encodeURIComponent(booking.reference)}/cancel`);
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
      refreshDetail();
    } else if (name === "message" && data.escalation_ids.includes(state.selectedId)) {
      refreshDetail();
    }
  }

  // -- wiring ------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", () => logout());
    $("away").addEventListener("click", toggleAway);
    $("status-filter").addEventListener("change", () => refreshQueue().catch((e) => banner(e.message)));
    $("claim").addEventListener("click", (e) => act("/claim", undefined, e.currentTarget));
    $("hold").addEventListener("click", (e) => act("/hold", undefined, e.currentTarget));
    $("resolve-form").addEventListener("submit", resolve);
    $("reassign-form").addEventListener("submit", reassign);
    $("composer").addEventListener("submit", reply);
    $("reply-text").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("composer").requestSubmit();
    });
    // Waiting times tick even when nothing else changes.
    setInterval(() => {
      for (const node of document.querySelectorAll(".q-wait[data-created]")) {
        if (node.textContent !== "resolved") node.textContent = waited(node.dataset.created);
      }
    }, 30000);
    if (state.token) start().catch(() => logout());
  });
})();
