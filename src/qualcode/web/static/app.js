// qualcode workbench: keyboard-first review and span coding. No framework, nothing fetched from elsewhere.
"use strict";

const csrf = document.querySelector('meta[name="csrf-token"]').content;

function say(text, problem) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = problem ? "problem" : "ok";
  clearTimeout(say.timer);
  say.timer = setTimeout(() => { status.textContent = ""; status.className = ""; }, 4000);
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body || {}),
  });
  let answer = {};
  try { answer = await response.json(); } catch (e) { answer = { error: await response.text() }; }
  if (!response.ok) {
    const message = (answer.error || "refused") + (answer.hint ? " " + answer.hint : "");
    say(message, true);
    throw new Error(message);
  }
  return answer;
}

function typing(event) {
  const target = event.target;
  return target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA");
}

// ---- relearn ------------------------------------------------------------------------------------------------
document.getElementById("relearn").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  say("Relearning from every decision so far…");
  try {
    const answer = await post("/api/relearn");
    say(`Relearnt: ${answer.recoded} statements recoded.`);
    const notice = document.getElementById("unlearnt");
    if (notice) notice.remove();
  } finally { button.disabled = false; }
});

// ---- tonight's review -------------------------------------------------------------------------------------
const OPPOSITE = { strength: "area_for_improvement", area_for_improvement: "strength" };
const SHOWN = { strength: "strength", area_for_improvement: "area for improvement", neutral: "neutral" };

function setupReview() {
  const queue = document.getElementById("queue");
  if (!queue) return;
  const items = Array.from(queue.querySelectorAll(".item"));
  const box = document.getElementById("codenumber");
  let at = 0;
  let digits = "";

  function focus(index) {
    at = Math.max(0, Math.min(items.length - 1, index));
    items.forEach((item, i) => item.classList.toggle("focus", i === at));
    items[at].focus({ preventScroll: true });
    items[at].scrollIntoView({ block: "nearest", behavior: "auto" });
  }

  async function decide(item, decision, valence, codeId) {
    const body = { segment_id: item.dataset.segment, code_id: codeId || item.dataset.code, decision: decision };
    if (valence) body.valence = valence;
    await post("/api/decide", body);
    const shown = decision === "reject" ? "code rejected" :
      decision === "add" ? `code added` : `accepted${valence ? " as " + SHOWN[valence] : ""}`;
    item.classList.add("decided");
    item.querySelector(".outcome").textContent = `✓ ${shown}`;
    say(`Recorded: ${shown}.`);
    if (decision !== "add") focus(at + 1);
  }

  items.forEach((item, i) => item.addEventListener("click", () => focus(i)));
  document.addEventListener("keydown", async (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event) && event.target !== box) return;
    const item = items[at];
    const key = event.key;
    try {
      if (key === "j" || key === "ArrowDown") { event.preventDefault(); focus(at + 1); }
      else if (key === "k" || key === "ArrowUp") { event.preventDefault(); focus(at - 1); }
      else if (key === "a") { await decide(item, "accept", item.dataset.valence || null); }
      else if (key === "r") { await decide(item, "reject", null); }
      else if (key === "f") {
        const flipped = OPPOSITE[item.dataset.valence];
        if (!flipped) { say("A neutral stance has no opposite: press s or c.", true); return; }
        await decide(item, "accept", flipped);
      }
      else if (key === "s") { await decide(item, "accept", item.dataset.supports); }
      else if (key === "c") { await decide(item, "accept", item.dataset.contradicts); }
      else if (key === "n") { await decide(item, "accept", "neutral"); }
      else if (/^[0-9]$/.test(key)) { event.preventDefault(); digits += key; box.value = digits; }
      else if (key === "Backspace" && digits) { event.preventDefault(); digits = digits.slice(0, -1); box.value = digits; }
      else if (key === "Escape") { digits = ""; box.value = ""; }
      else if (key === "Enter" && digits) {
        event.preventDefault();
        const option = document.querySelector(`#codelist option[value="${digits}"]`);
        digits = ""; box.value = "";
        if (!option) { say("No code has that number (see Code numbers below).", true); return; }
        await decide(item, "add", null, option.dataset.code);
      }
    } catch (error) { /* already said */ }
  });
  focus(0);
}

// ---- transcript reader: code a span by hand ----------------------------------------------------------------
function codePoints(text) { return Array.from(text).length; }

function offsetIn(node, offset) {
  // The store's offset (code points) of a point inside the reader's text.
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const run = element && element.closest(".run");
  if (!run) return null;
  const start = Number(run.dataset.start);
  if (node.nodeType !== Node.TEXT_NODE) return start + (offset > 0 ? codePoints(run.textContent) : 0);
  return start + codePoints(node.data.slice(0, offset));
}

function setupReader() {
  const reader = document.getElementById("reader");
  if (!reader) return;
  const form = document.getElementById("spanbox");
  const info = document.getElementById("spaninfo");
  const select = document.getElementById("spancode");
  let selected = null;
  let digits = "";

  function track() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !reader.contains(selection.anchorNode)) {
      return;
    }
    const a = offsetIn(selection.anchorNode, selection.anchorOffset);
    const b = offsetIn(selection.focusNode, selection.focusOffset);
    if (a === null || b === null || a === b) return;
    selected = { start: Math.min(a, b), end: Math.max(a, b) };
    info.textContent = `Selected characters ${selected.start}–${selected.end}.`;
    form.hidden = false;
  }

  async function codeSelection(codeId) {
    if (!selected) { say("Select some words first.", true); return; }
    const answer = await post("/api/span", {
      source_id: reader.dataset.source, start: selected.start, end: selected.end, code_id: codeId,
    });
    const label = select.querySelector(`option[value="${CSS.escape(codeId)}"]`).textContent;
    for (const statement of answer.statements) {
      const row = document.getElementById(`s-${statement.segment_id}`);
      if (row && !row.querySelector(`.bar[data-code="${CSS.escape(codeId)}"]`)) {
        const bar = document.createElement("button");
        bar.type = "button";
        bar.className = `bar human code-${select.querySelector(`option[value="${CSS.escape(codeId)}"]`).dataset.number}`;
        bar.dataset.code = codeId;
        bar.textContent = label.replace(/^\d+\.\s*/, "");
        row.querySelector(".margin").appendChild(bar);
      }
    }
    say(`Coded ${answer.statements.length} statement(s) as ${label.replace(/^\d+\.\s*/, "")}.`);
    window.getSelection().removeAllRanges();
    selected = null;
    form.hidden = true;
  }

  document.getElementById("asexample").addEventListener("click", async () => {
    if (!selected) { say("Select some words first.", true); return; }
    try {
      const answer = await post("/api/example", {
        source_id: reader.dataset.source, start: selected.start, end: selected.end, code_id: select.value,
      });
      say(`Added ${answer.examples} example(s): codebook version ${answer.version}. Relearn to code with it.`);
      form.hidden = true;
      selected = null;
    } catch (error) { /* already said */ }
  });
  document.addEventListener("selectionchange", track);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try { await codeSelection(select.value); } catch (error) { /* already said */ }
  });
  document.addEventListener("keydown", async (event) => {
    if (typing(event) || !selected || event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9]$/.test(event.key)) { event.preventDefault(); digits += event.key; info.textContent = `Code number ${digits}…`; }
    else if (event.key === "Escape") { digits = ""; form.hidden = true; selected = null; }
    else if (event.key === "Enter" && digits) {
      event.preventDefault();
      const option = select.querySelector(`option[data-number="${digits}"]`);
      digits = "";
      if (!option) { say("No code has that number.", true); return; }
      try { await codeSelection(option.value); } catch (error) { /* already said */ }
    }
  });
  reader.addEventListener("click", async (event) => {
    const bar = event.target.closest(".bar");
    if (!bar) return;
    const row = bar.closest(".stmt");
    try {
      await post("/api/decide", { segment_id: row.dataset.segment, code_id: bar.dataset.code, decision: "reject" });
      bar.classList.add("rejected");
      bar.disabled = true;
      say(`Rejected ${bar.textContent} on this statement.`);
    } catch (error) { /* already said */ }
  });
  if (location.hash) {
    const target = document.getElementById(location.hash.slice(1));
    if (target) { target.classList.add("focus"); target.scrollIntoView({ block: "center" }); }
  }
}

setupReview();
setupReader();

// ---- themes: a theme becomes a code ----------------------------------------------------------------------------
function setupThemes() {
  document.querySelectorAll("form.theme-code").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      const field = (name) => form.querySelector(`[name="${name}"]`).value;
      try {
        const answer = await post("/api/theme-code", {
          theme_id: form.dataset.theme, id: field("id"), label: field("label"), definition: field("definition"),
        });
        say(`Added code ${answer.code_id} with ${answer.examples} example(s): codebook version ${answer.version}. ` +
            "The next run codes every statement with it.");
        form.closest(".card").classList.add("made");
      } catch (error) { button.disabled = false; /* already said */ }
    });
  });
}

setupThemes();
