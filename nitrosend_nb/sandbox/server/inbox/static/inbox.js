// The sandbox inbox: search, paging, one email in seven views, checks, live updates by polling.
// Each email has its own address (#/messages/ID): opening it shows that email, and back/forward move between emails.
// Email HTML is only ever put in the srcdoc of an iframe whose sandbox attribute is empty; all else is textContent.
"use strict";

const API = "/_sandbox/messages";
const PAGE_SIZE = 25;
const POLL_MS = 1000;
const state = { query: "", page: 1, pages: 1, selected: null, email: null, view: "desktop", latest: undefined, seen: new Set() };
const $ = (id) => document.getElementById(id);
// The host the sandbox stands for in the emails it sends (SANDBOX_HOST); it serves that host's paths itself, so
// pictures there (src attributes) are fetched from it. Links and text keep the host, as sent.
const STAND_IN = "https://sandbox.nitrosend.test/";
const STAND_IN_PICTURE = new RegExp(`(\\bsrc\\s*=\\s*["']?)${STAND_IN.replaceAll(".", "\\.")}`, "gi");

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { cache: "no-store" });
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || `HTTP ${response.status}`);
  return { body, headers: response.headers };
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message || "";
}

async function loadList({ fresh = false } = {}) {
  const params = new URLSearchParams({ query: state.query, page: state.page, limit: PAGE_SIZE });
  let result;
  try {
    result = await getJson(`${API}?${params}`);
  } catch (error) {
    showError(error.message);
    return;
  }
  showError("");
  const total = Number(result.headers.get("X-Total-Count") || 0);
  state.pages = Number(result.headers.get("X-Total-Pages") || 1);
  $("count").textContent = `${total} email${total === 1 ? "" : "s"}${state.query ? " match" : ""}, newest first`;
  $("page").textContent = `page ${state.page} of ${state.pages}`;
  $("newer").disabled = state.page <= 1;
  $("older").disabled = state.page >= state.pages;
  $("list").replaceChildren(...result.body.map((item) => listItem(item, fresh && !state.seen.has(item.id))));
  result.body.forEach((item) => state.seen.add(item.id));
}

// A list entry's line: a long address is cut short (whole on hover); the id and the time always show.
function listItem(item, fresh) {
  const classes = [item.id === state.selected ? "selected" : "", fresh ? "fresh" : ""].join(" ").trim();
  const li = el("li", { "data-id": String(item.id), class: classes, tabindex: "0" },
    el("span", { class: "subject", text: item.subject || "(no subject)", title: item.subject || "" }),
    el("span", { class: "line envelope" }, el("span", { class: `kind kind-${item.kind}`, text: item.kind }),
      el("span", { class: "id", text: `#${item.id} \u2192` }),
      el("span", { class: "to", text: item.to || "", title: item.to || "" }),
      el("time", { class: "when", datetime: item.created_at || "", text: `\u00b7 ${item.created_at || ""}` })),
    el("span", { class: "line", text: item.snippet || "" }));
  if (item.reply_count) {
    li.append(el("span", { class: "replies-badge", text: `\u21a9 ${item.reply_count} repl${item.reply_count === 1 ? "y" : "ies"}` }));
  }
  li.addEventListener("click", () => navigate(item.id));
  li.addEventListener("keydown", (event) => { if (event.key === "Enter") navigate(item.id); });
  return li;
}

// The email an address names: #/messages/ID, else null.
function routedId() {
  const match = /^#\/messages\/(\d+)$/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

// Choosing an email changes the address (a new history entry); the hashchange that follows opens it.
function navigate(id) {
  if (routedId() === id) openEmail(id);
  else location.hash = `#/messages/${id}`;
}

// Show what the address names: that email, or (no email in it) the placeholder.
function route() {
  const id = routedId();
  if (id === null) closeEmail();
  else openEmail(id);
}

function closeEmail() {
  state.selected = state.email = null;
  document.querySelectorAll("#list li.selected").forEach((li) => li.classList.remove("selected"));
  $("detail").hidden = true;
  $("placeholder").hidden = false;
  document.title = "Sandbox inbox";
}

async function openEmail(id) {
  state.selected = id;
  document.querySelectorAll("#list li").forEach((li) => li.classList.toggle("selected", li.dataset.id === String(id)));
  let email;
  try {
    email = (await getJson(`${API}/${id}`)).body;
  } catch (error) {
    showError(error.message);
    return;
  }
  if (state.selected !== id) return;  // another email was chosen (or the address moved on) meanwhile
  state.email = email;
  document.title = `${email.subject || "(no subject)"} \u00b7 Sandbox inbox`;
  $("placeholder").hidden = true;
  $("detail").hidden = false;
  $("subject").textContent = email.subject || "(no subject)";
  const rows = [["From", email.from], ["To", email.to], ["Reply-To", email.reply_to], ["Date", email.created_at],
    ["Kind", email.kind], ["Tags", email.tags ? JSON.stringify(email.tags) : ""], ["Idempotency key", email.idempotency_key]];
  $("meta").replaceChildren(...rows.filter(([, value]) => value).flatMap(([label, value]) =>
    [el("dt", { text: label }), el("dd", { text: String(value) })]));
  $("records").replaceChildren(...Object.entries(email.records).map(([name, path]) =>
    el("a", { href: path, title: `API record (needs the sandbox key): ${path}`, text: `${name} \u2197` })));
  renderReplies(email.replies || []);
  showView(state.view);
}

// Replies the email received, threaded under it, oldest first: the reply's own HTML is never rendered (its text is).
function renderReplies(replies) {
  $("thread").hidden = !replies.length;
  $("thread-title").textContent = `${replies.length} repl${replies.length === 1 ? "y" : "ies"}`;
  $("replies").replaceChildren(...replies.map((reply) => el("li", { class: "reply", "data-id": String(reply.id) },
    el("span", { class: "line" }, el("span", { class: "kind kind-reply", text: reply.auto_submitted ? "auto-reply" : "reply" }),
      `${reply.from} \u2192 ${reply.to} \u00b7 ${reply.created_at}`),
    el("span", { class: "reply-subject", text: reply.subject || "(no subject)" }),
    el("pre", { class: "reply-text", text: reply.text || "" }),
    ...(reply.attachments.length ? [el("span", { class: "line", text: `\ud83d\udcce ${reply.attachments.map((a) => a.filename).join(", ")}` })] : []))));
}

// An email as its recipient sees it; its pictures at the stand-in host come from this sandbox.
function iframe(html, width) {
  const frame = el("iframe", { sandbox: "", class: width, title: `Email, ${width} width` });
  frame.srcdoc = (html || "").replace(STAND_IN_PICTURE, `$1${location.origin}/`);
  return frame;
}

// A table whose columns each have a fit (see inbox.css): "short" (the natural width, never wrapped), "wrap"
// (wrapped between words) or "clip" (one line, ellipsized; the whole value on hover, and on click, which expands it).
function table(rows, head, fits) {
  const header = head ? [el("tr", {}, ...head.map((h, i) => el("th", { scope: "col", class: fits[i], text: h })))] : [];
  return el("table", { class: "fitted" }, ...header,
    ...rows.map((cells) => el("tr", {}, ...cells.map((c, i) => cell(c, fits[i])))));
}

function cell(content, fit) {
  if (content instanceof Node) return el("td", { class: fit }, content);
  const value = String(content ?? "");
  if (fit !== "clip") return el("td", { class: fit, text: value });
  const clipped = el("span", { class: "clipped", title: value, text: value });
  clipped.addEventListener("click", () => clipped.classList.toggle("expanded"));
  return el("td", { class: fit }, clipped);
}

const VIEWS = {
  desktop: async (email) => iframe(email.html, "desktop"),
  mobile: async (email) => iframe(email.html, "mobile"),
  text: async (email) => el("pre", { class: "text", text: email.text || "" }),
  headers: async (email) => table(Object.entries(email.headers), null, ["short", "wrap long"]),
  context: async (email) => el("pre", { class: "context", text: JSON.stringify(email.context, null, 2) }),
  source: async (email) => {
    const response = await fetch(email.urls.source, { cache: "no-store" });
    const download = el("a", { href: email.urls.source, download: `email-${email.id}.eml`, text: "Download .eml" });
    return el("div", {}, el("p", {}, download), el("pre", { class: "source", text: await response.text() }));
  },
  checks: async (email) => renderChecks((await getJson(email.urls.checks)).body),
};

function verdict(ok, text) {
  return el("span", { class: ok ? "ok" : "bad", text: `${ok ? "\u2713" : "\u2717"} ${text}` });
}

function renderChecks(checks) {
  const s = checks.summary;
  const parts = [el("p", { class: "summary", text: `${s.links} links and images, ${s.errors} error(s), ${s.warnings} compatibility warning(s)` })];
  parts.push(el("h3", { text: "Links and images" }));
  parts.push(table(checks.links.map((link) => [link.kind, link.url, link.text,
    verdict(link.ok, link.problems.join("; ") || (link.reachable ? "reachable" : link.note || "well-formed"))]),
  ["Kind", "Address", "Text / alt", "Result"], ["short", "clip", "wrap", "wrap"]));
  const unsub = checks.list_unsubscribe;
  parts.push(el("h3", { text: "List-Unsubscribe" }));
  parts.push(el("p", { class: "unsubscribe" }, verdict(unsub.ok, unsub.problems.join("; ") ||
    (unsub.present ? unsub.value : "not required for this kind of email"))));
  parts.push(el("h3", { text: "Compatibility" }));
  parts.push(checks.compatibility.length
    ? table(checks.compatibility.map((c) => [el("span", { class: "warn", text: c.title }), c.clients.join(", "), `${c.count}\u00d7, e.g. ${c.example}`]),
      ["Construct", "Clients affected", "Found"], ["wrap", "wrap", "clip"])
    : el("p", { class: "ok", text: "\u2713 none of the risky constructs found" }));
  return el("div", { class: "checks" }, ...parts);
}

async function showView(view) {
  state.view = view;
  document.querySelectorAll("#tabs button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.view === view)));
  const email = state.email;
  try {
    const content = await VIEWS[view](email);
    if (state.email === email && state.view === view) $("view").replaceChildren(content);
  } catch (error) {
    showError(error.message);
  }
}

async function poll() {
  try {
    const { body } = await getJson(`${API}/latest`);
    $("live").classList.remove("off");
    const changed = state.latest !== undefined && (body.latest_id !== state.latest.latest_id || body.total !== state.latest.total);
    state.latest = body;
    if (changed) await loadList({ fresh: true });
  } catch (error) {
    $("live").classList.add("off");
  }
  setTimeout(poll, POLL_MS);
}

$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  state.query = $("query").value.trim();
  state.page = 1;
  loadList();
});
$("newer").addEventListener("click", () => { state.page -= 1; loadList(); });
$("older").addEventListener("click", () => { state.page += 1; loadList(); });
document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => showView(b.dataset.view)));
window.addEventListener("hashchange", route);

route();
loadList().then(poll);
