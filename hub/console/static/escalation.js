// The staff console, part 2 of 3 (after console.js): the selected escalation.
// Its head and the steward's actions (claim, hold, resolve, reassign), the
// conversation and reply box, and the request and audit panels. The holder's
// file beside it is holder_file.js, reached through TCC.renderFile.
"use strict";

(() => {
  const TCC = window.TCC;
  const {
    state, api, $, when, waited, LABELS, statusWord, el, chip, banner, facts, refreshQueue,
  } = TCC;

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
    TCC.renderFile(d);
    renderAudit(d.audit);
  }

  // -- the conversation ----------------------------------------------------------

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

  // -- the request panel -------------------------------------------------------

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

  // -- the audit trail, and whom to reassign to -------------------------------

  const ACTION_WORDS = {
    open: "opened it", append: "added a follow-up", claim: "claimed it", hold: "put it on hold",
    resolve: "resolved it", reassign: "reassigned it", reply: "replied",
    cancel_booking: "cancelled booking", holder_replied: "holder replied",
    reschedule_booking: "moved booking", move_application: "moved application",
    move_service_request: "moved request",
  };

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

  Object.assign(TCC, { select, refreshDetail, act });

  // -- wiring --------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    $("claim").addEventListener("click", (e) => act("/claim", undefined, e.currentTarget));
    $("hold").addEventListener("click", (e) => act("/hold", undefined, e.currentTarget));
    $("resolve-form").addEventListener("submit", resolve);
    $("reassign-form").addEventListener("submit", reassign);
    $("composer").addEventListener("submit", reply);
    $("reply-text").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("composer").requestSubmit();
    });
  });
})();
