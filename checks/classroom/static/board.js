// The progress board: a table of learners x lessons, kept live by the server's events.
// Everything a learner typed is put on the page with textContent, never as HTML.
"use strict";

const setup = JSON.parse(document.getElementById("setup").textContent);
const key = new URLSearchParams(location.search).get("key") || "";
const learners = new Map();
let summary = {};
let clockOffset = 0; // this browser's clock minus the board's

function el(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function minutesSince(time) {
  return (Date.now() - clockOffset - Date.parse(time)) / 60000;
}

function checkLink(id) {
  const check = setup.checks[id] || { title: id, url: "#" };
  const link = el("a", { href: check.url, target: "_blank", rel: "noreferrer", title: check.title }, id);
  return link;
}

// the checks of one result failing since longer than the stuck threshold, oldest first
function stuckChecks(result) {
  if (!result || result.passed) return [];
  return Object.entries(result.since)
    .map(([check, since]) => ({ check, minutes: minutesSince(since) }))
    .filter((entry) => entry.minutes * 60 >= setup.stuck_after)
    .sort((a, b) => b.minutes - a.minutes);
}

function renderHead() {
  const head = document.getElementById("grid-head");
  for (const lesson of setup.lessons) {
    const th = el("th", { scope: "col", title: lesson.title });
    th.appendChild(el("a", { href: lesson.url, target: "_blank", rel: "noreferrer" }, String(lesson.number)));
    head.appendChild(th);
  }
  document.getElementById("stuck-minutes").textContent = String(Math.round(setup.stuck_after / 60));
}

function renderRow(learner) {
  const row = el("tr", { id: "learner-" + learner.id, "data-name": learner.name });
  row.appendChild(el("th", { scope: "row", class: "name" }, learner.name));
  for (const lesson of setup.lessons) {
    const result = learner.lessons[lesson.id];
    let td;
    if (!result) {
      td = el("td", { class: "none", "data-lesson": lesson.id, title: "not tried" }, "·");
    } else if (result.passed) {
      td = el("td", { class: "passed", "data-lesson": lesson.id, title: "passed at " + result.at }, "✓");
    } else {
      const stuck = stuckChecks(result);
      td = el("td", { class: stuck.length ? "failed stuck" : "failed", "data-lesson": lesson.id,
                      title: "failing: " + result.failed.join(", ") }, "✗ " + result.failed.length);
    }
    row.appendChild(td);
  }
  const actions = el("td", { class: "actions" });
  const rename = el("button", { type: "button", class: "rename", title: "rename " + learner.name }, "rename");
  rename.addEventListener("click", () => renameLearner(learner));
  const remove = el("button", { type: "button", class: "remove", title: "remove " + learner.name }, "remove");
  remove.addEventListener("click", () => removeLearner(learner));
  actions.append(rename, remove);
  row.appendChild(actions);
  return row;
}

// the instructor's actions: POST with the key; the page follows through the events, like every board
async function act(path, payload) {
  const answer = await fetch(path + "?key=" + encodeURIComponent(key), {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload || {}),
  });
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) { alert(body.error || "HTTP " + answer.status); return null; }
  return body;
}

async function renameLearner(learner) {
  const name = prompt("New name for " + learner.name + ":", learner.name);
  if (name && name !== learner.name) await act("/board/learners/" + learner.id + "/rename", { name });
}

async function removeLearner(learner) {
  if (confirm("Remove " + learner.name + " and their results from the board? Their checks stops reporting.")) {
    await act("/board/learners/" + learner.id + "/remove");
  }
}

async function newCode() {
  if (!confirm("Give the room a new join code? Learners who joined stay; the old code stops working.")) return;
  const body = await act("/board/code");
  if (body) take({ now: new Date().toISOString(), summary, learners: [], code: body.code });
}

function renderGrid() {
  const body = document.getElementById("grid-body");
  body.replaceChildren(...[...learners.values()].map(renderRow));
}

function renderRows(changed) {
  const body = document.getElementById("grid-body");
  for (const learner of changed) {
    const old = document.getElementById("learner-" + learner.id);
    const row = renderRow(learner);
    if (old) old.replaceWith(row); else body.appendChild(row);
  }
}

function renderStuck() {
  const list = document.getElementById("stuck");
  const items = [];
  for (const learner of learners.values()) {
    for (const lesson of setup.lessons) {
      const stuck = stuckChecks(learner.lessons[lesson.id]);
      if (!stuck.length) continue;
      const item = el("li", { "data-learner": String(learner.id) });
      item.appendChild(el("strong", {}, learner.name));
      item.appendChild(document.createTextNode(" on "));
      item.appendChild(checkLink(stuck[0].check));
      item.appendChild(document.createTextNode(
        " (lesson " + lesson.number + ") for " + Math.floor(stuck[0].minutes) + " min"));
      items.push([stuck[0].minutes, item]);
    }
  }
  items.sort((a, b) => b[0] - a[0]);
  list.replaceChildren(...items.map((pair) => pair[1]));
  if (!items.length) list.appendChild(el("li", { class: "nobody" }, "Nobody, for now."));
}

function renderCommon() {
  const box = document.getElementById("common");
  const parts = [];
  for (const lesson of setup.lessons) {
    const counts = summary[lesson.id];
    if (!counts) continue;
    const part = el("div", { class: "lesson", "data-lesson": lesson.id });
    const title = el("a", { href: lesson.url, target: "_blank", rel: "noreferrer" },
                     "Lesson " + lesson.number + ": " + lesson.title);
    part.appendChild(title);
    part.appendChild(document.createTextNode(" — " + counts.passed + " of " + counts.tried + " passed. "));
    const failing = Object.entries(counts.failing).sort((a, b) => b[1] - a[1]).slice(0, 3);
    for (const [check, count] of failing) {
      const span = el("span", { class: count * 2 >= counts.tried ? "check most" : "check", "data-check": check });
      span.appendChild(checkLink(check));
      span.appendChild(document.createTextNode(" " + (setup.checks[check] || {}).title + ": " + count + " learner" +
                                               (count === 1 ? "" : "s") + ". "));
      part.appendChild(span);
    }
    parts.push(part);
  }
  box.replaceChildren(...parts);
  if (!parts.length) box.appendChild(el("p", {}, "No results yet."));
}

function renderCounts() {
  document.getElementById("counts").textContent = learners.size + " learners";
}

function take(data) {
  clockOffset = Date.now() - Date.parse(data.now);
  summary = data.summary;
  for (const learner of data.learners) learners.set(learner.id, learner);
  for (const id of data.removed || []) {  // removed by the instructor, here or on another board
    learners.delete(id);
    const row = document.getElementById("learner-" + id);
    if (row) row.remove();
  }
  const command = document.getElementById("join-command");  // a rotated join code
  if (data.code) command.textContent = command.textContent.replace(/--code \S+/, "--code " + data.code);
}

function connect() {
  const status = document.getElementById("status");
  const source = new EventSource("/board/events?key=" + encodeURIComponent(key));
  source.addEventListener("snapshot", (event) => {
    learners.clear();
    take(JSON.parse(event.data));
    renderGrid(); renderStuck(); renderCommon(); renderCounts();
  });
  source.addEventListener("update", (event) => {
    const data = JSON.parse(event.data);
    take(data);
    renderRows(data.learners); renderStuck(); renderCommon(); renderCounts();
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
  });
  source.onopen = () => { status.textContent = "live"; status.className = "status live"; };
  source.onerror = () => {
    status.textContent = "reconnecting…"; status.className = "status lost";
    // a 503 (the board's database away) closes the stream for good: open a new one a little later
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  };
}

renderHead();
document.getElementById("new-code").addEventListener("click", newCode);
connect();
// "stuck for a while" depends on the clock, not only on new reports
setInterval(() => { renderGrid(); renderStuck(); }, 30000);
