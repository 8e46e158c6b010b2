// The web chat: log in, talk, show the bot's replies and buttons.
// Every word of the bot comes from the API; this file only renders it.
"use strict";

const TOKEN_KEY = "tcc.token";
const NAME_KEY = "tcc.name";
const $ = (id) => document.getElementById(id);
// Button payloads ("/choose{...}") map back to the titles the holder clicked,
// so history shows what the holder saw rather than the intent syntax.
const buttonTitles = new Map();
// Ids of logged messages already on screen: a reply can arrive both on the
// POST that caused it and on the live stream, and must show once.
const shown = new Set();
let lastId = 0;
let streamAbort = null;

function render(m) {
  if (m.id !== undefined) {
    if (shown.has(m.id)) return;
    shown.add(m.id);
    lastId = Math.max(lastId, m.id);
  }
  addMessage(m.sender, m.text, m.buttons, m.created_at);
}

// Reminders and a steward's replies arrive without the holder asking: read
// the hub's server-sent events with fetch, so the token stays in a header.
async function listen() {
  if (streamAbort) streamAbort.abort();
  const abort = new AbortController();
  streamAbort = abort;
  while (!abort.signal.aborted && sessionStorage.getItem(TOKEN_KEY)) {
    try {
      const response = await fetch("/api/v1/chat/stream?after=" + lastId, {
        headers: { "Authorization": "Bearer " + sessionStorage.getItem(TOKEN_KEY) },
        signal: abort.signal,
      });
      if (response.status === 401) return sessionExpired(await response.json().catch(() => ({})));
      if (!response.ok || !response.body) throw new Error("stream " + response.status);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(block);
          const data = /^data: (.*)$/m.exec(block);
          if (event && data && event[1] === "message") {
            const m = JSON.parse(data[1]);
            if (m.sender === "holder") { shown.add(m.id); lastId = Math.max(lastId, m.id); }
            else render(m);
          }
        }
      }
    } catch (err) {
      if (abort.signal.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function showBanner(text, kind) {
  const banner = $("banner");
  banner.textContent = text;
  banner.className = "banner" + (kind ? " " + kind : "");
  banner.hidden = !text;
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    return { status: 0, data: { detail: "The hub cannot be reached. Check your connection and try again." } };
  }
  let data = {};
  try { data = await response.json(); } catch (err) { /* empty or not JSON */ }
  return { status: response.status, data };
}

function localTime(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleTimeString("en-GB", {
    timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit",
  });
}

function addMessage(sender, text, buttons, createdAt) {
  const item = document.createElement("li");
  item.className = "msg " + sender;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  bubble.textContent = sender === "holder" ? (buttonTitles.get(text) || text) : text;
  if (text || !(buttons && buttons.length)) item.appendChild(bubble);
  if (buttons && buttons.length) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const button of buttons) {
      buttonTitles.set(button.payload, button.title);
      const el = document.createElement("button");
      el.type = "button";
      el.textContent = button.title;
      el.addEventListener("click", () => send(button.payload, button.title));
      row.appendChild(el);
    }
    item.appendChild(row);
  }
  if (createdAt) {
    const time = document.createElement("span");
    time.className = "time";
    time.textContent = localTime(createdAt);
    item.appendChild(time);
  }
  $("messages").appendChild(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

function showLogin() {
  $("chat-view").hidden = true;
  $("who").hidden = true;
  $("login-view").hidden = false;
  $("card").focus();
}

async function showChat() {
  $("login-view").hidden = true;
  $("chat-view").hidden = false;
  $("who").hidden = false;
  $("holder-name").textContent = sessionStorage.getItem(NAME_KEY) || "";
  $("messages").replaceChildren();
  shown.clear();
  lastId = 0;
  // The log comes in pages of 200; read them all, oldest first.
  for (;;) {
    const { status, data } = await api("GET", "/api/v1/chat/messages?after=" + lastId);
    if (status === 401) return sessionExpired(data);
    if (status !== 200) return showBanner(data.detail || "Your conversation could not be loaded.");
    for (const m of data.messages) render(m);
    if (data.messages.length < 200) break;
  }
  $("text").focus();
  listen();
}

function sessionExpired(data) {
  sessionStorage.removeItem(TOKEN_KEY);
  showBanner((data && data.detail) || "Please log in again.");
  showLogin();
}

async function login(event) {
  event.preventDefault();
  const button = $("login-button");
  button.disabled = true;
  const { status, data } = await api("POST", "/api/v1/auth/login", {
    card_number: $("card").value, pin: $("pin").value,
  });
  button.disabled = false;
  $("pin").value = "";
  if (status === 200) {
    sessionStorage.setItem(TOKEN_KEY, data.access_token);
    sessionStorage.setItem(NAME_KEY, data.holder.name);
    showBanner("");
    return showChat();
  }
  if (status === 423 && data.locked_until) {
    return showBanner(data.detail + " (until " + localTime(data.locked_until) + ")");
  }
  showBanner(data.detail || "Login failed. Please try again.");
}

async function send(text, shownAs) {
  text = text.trim();
  if (!text) return;
  const input = $("text");
  const sendButton = $("send");
  addMessage("holder", shownAs || text, [], new Date().toISOString());
  input.value = "";
  input.disabled = sendButton.disabled = true;
  const typing = addMessage("bot typing", "…", [], null);
  const { status, data } = await api("POST", "/api/v1/chat/messages", { text });
  typing.remove();
  input.disabled = sendButton.disabled = false;
  input.focus();
  if (status === 200) {
    const person = data.handled_by && data.handled_by.kind === "steward";
    showBanner(person
      ? "You are talking with " + (data.handled_by.name || "your steward") +
        ", a person. Replies appear here as soon as they are written."
      : "", person ? "info" : "");
    for (const m of data.messages) render(m);
    return;
  }
  if (status === 401) return sessionExpired(data);
  showBanner(data.detail || "Your message could not be sent. Please try again.");
}

function logout() {
  if (streamAbort) streamAbort.abort();
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(NAME_KEY);
  $("messages").replaceChildren();
  showBanner("");
  showLogin();
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", login);
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    send($("text").value);
  });
  $("logout").addEventListener("click", logout);
  if (sessionStorage.getItem(TOKEN_KEY)) showChat(); else showLogin();
});
