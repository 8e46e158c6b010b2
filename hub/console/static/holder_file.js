// The staff console, part 3 of 3 (after console.js and escalation.js): the
// holder's file beside the selected escalation. Profile, bookings (cancel, or
// reschedule with a day and time picker), applications and service requests
// (status moves).
"use strict";

(() => {
  const TCC = window.TCC;
  const {
    state, api, $, when, timeFmt, dayFmt, dateKey, statusWord, el, chip, banner, facts,
    refreshQueue, refreshDetail, act,
  } = TCC;

  // The whole file, from the escalation's detail.
  function renderFile(d) {
    renderHolder(d.holder);
    // Live updates re-render the file; what the steward was typing survives.
    const kept = keptValues();
    renderBookings();
    renderRecords();
    restoreValues(kept);
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

  // -- the holder's profile -----------------------------------------------------

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

  async function cancelBooking(booking) {
    if (!window.confirm(`Cancel booking ${booking.reference} for the holder?`)) return;
    await act(`/bookings/${encodeURIComponent(booking.reference)}/cancel`);
  }

  // An Idempotency-Key per confirmed move, so a double click moves once.
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
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

  Object.assign(TCC, { renderFile });
})();
