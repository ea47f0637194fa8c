// The model explorer: search, filters, a sortable table that draws only the rows in view (rows.js), compare,
// calculator and capability matrix, with all state in the URL. Data comes from the element's data-src (compact
// JSON, fetched lazily; a head with the default view's first rows, then the rest: data.js loadData).
import { DEFAULT_ORDER, loadData, selectSteps } from "./data.js";
import { explainEmpty } from "./empty.js";
import { el, formatTokens as formatCount, options } from "./dom.js";
import { renderCalculatorPanel, wireCalculator } from "./calculator.js";
import { MAX_COMPARE, renderCompare, renderMatrix } from "./panels.js";
import { list, readState, writeState } from "./state.js";
import { foldFilters, showFilterCount } from "./phone.js";
import { VirtualRows } from "./rows.js";
import { COLUMNS, fillRow } from "./table-row.js";
import { CANCELLED, SLICE_MS, nextTask, runSliced } from "./slices.js";
import { TRUST_HELP, TRUST_SWITCHES } from "./trust.js";

// State keys that change which rows show or their order: the head (the default view's first rows) serves a
// view only when all of them are at their defaults.
const VIEW_KEYS = ["find", "provider", "kind", "cap", "inmod", "outmod", "ctx", "maxin", "maxout", "open", "family",
  "priced", "novar", "noflag", "sort"];
const TABS = [["explore", "Explore"], ["compare", "Compare"], ["calculator", "Pricing calculator"], ["matrix", "Capability matrix"]];
const LOAD_SLICE_MS = 40;
const metrics = { ready: false, firstRenderMs: null, lastFilterMs: null, lastInputMs: null, rows: 0 };
window.__knollmExplorer = metrics;

// Links: the data names each provider's and family's page (relative to the site root, data-root); without
// page data (a bare test page) the data-provider-url / data-family-url templates with {id} are used.
function linkMaker(root) {
  const siteRoot = root.dataset.root || "";
  const url = (record, template) => {
    if (record.page) return siteRoot + record.page;
    const pattern = root.dataset[template];
    return pattern ? pattern.replace("{id}", encodeURIComponent(record.id)) : null;
  };
  const link = (record) => {
    const href = url(record, record.count === undefined ? "providerUrl" : "familyUrl");
    return href ? el("a", { href }, record.id) : record.id;
  };
  const modelUrl = root.dataset.modelUrl || `${siteRoot}models/view/?id={id}`;
  const modelHref = (m) => modelUrl.replace("{id}", encodeURIComponent(m.id));
  return {
    // No break opportunities in the table's ids: every row keeps one height (the table scrolls sideways instead).
    model: (m) => el("a", { class: "kx-id", href: modelHref(m) }, m.id),
    modelHref,
    providerHref: (m) => url(m.provider, "providerUrl"),
    familyHref: (m) => (m.family ? url(m.family, "familyUrl") : null),
    provider: (m) => link(m.provider),
    family: (m) => (m.family ? link(m.family) : "–"),
  };
}

function field(label, control) {
  return el("label", { class: "kx-field" }, el("span", {}, label), control);
}

function buildControls(ui, data) {
  const c = ui.controls;
  c.find = el("input", { type: "search", name: "find", placeholder: "Search ids, names, families (typos welcome)", "aria-label": "Search models" });
  c.provider = el("select", { name: "provider", "aria-label": "Provider" });
  options(c.provider, [["", "All providers"], ...data.providers.map((p) => [p.id, p.name])]);
  c.kind = el("select", { name: "kind", "aria-label": "Kind" });
  options(c.kind, [["", "All kinds"], ...data.doc.kinds.map((k) => [k, k])]);
  c.inmod = el("select", { name: "inmod", "aria-label": "Input modality" });
  options(c.inmod, [["", "Any input"], ...data.modalities.map((m) => [m, m])]);
  c.outmod = el("select", { name: "outmod", "aria-label": "Output modality" });
  options(c.outmod, [["", "Any output"], ...data.modalities.map((m) => [m, m])]);
  c.open = el("select", { name: "open", "aria-label": "Open weights" });
  options(c.open, [["", "Open or closed"], ["yes", "Open weights"], ["no", "Closed weights"]]);
  c.ctx = el("input", { type: "number", min: 0, step: 1000, name: "ctx", placeholder: "e.g. 128000" });
  c.maxin = el("input", { type: "number", min: 0, step: "any", name: "maxin", placeholder: "$ per M" });
  c.maxout = el("input", { type: "number", min: 0, step: "any", name: "maxout", placeholder: "$ per M" });
  c.family = el("input", { type: "text", name: "family", placeholder: "family id" });
  c.trust = TRUST_SWITCHES.map(([name]) => el("input", { type: "checkbox", name, value: "1" }));
  c.caps = data.capabilities.map((cap) => el("input", { type: "checkbox", name: "cap", value: cap }));
  return el("form", { class: "kx-controls", onsubmit: (e) => e.preventDefault() },
    el("div", { class: "kx-row" }, field("Search", c.find)),
    el("div", { class: "kx-row" }, field("Provider", c.provider), field("Kind", c.kind), field("Input", c.inmod),
      field("Output", c.outmod), field("Weights", c.open)),
    el("div", { class: "kx-row" }, field("Min context", c.ctx), field("Max input price", c.maxin),
      field("Max output price", c.maxout), field("Family", c.family)),
    el("div", { class: "kx-row kx-trust" }, c.trust.map((box, i) => el("label", { title: TRUST_HELP[box.name] }, box,
      ` ${TRUST_SWITCHES[i][1]}`))),
    el("fieldset", { class: "kx-caps" }, el("legend", {}, "Capabilities (all must be declared)"),
      c.caps.map((box) => el("label", {}, box, ` ${box.value}`))));
}

function syncControls(ui, state) {
  const c = ui.controls;
  for (const key of ["find", "provider", "kind", "inmod", "outmod", "open", "ctx", "maxin", "maxout", "family"]) {
    // Only a value that differs is written: writing a control's value, even the same, may lay the page out again.
    if (c[key].value !== state[key]) c[key].value = state[key];
  }
  c.trust.forEach((box) => { box.checked = state[box.name] === "1"; });
  const caps = list(state.cap);
  c.caps.forEach((box) => { box.checked = caps.includes(box.value); });
}

function readControls(ui, state) {
  const c = ui.controls;
  const next = { ...state };
  // The search box keeps exactly what the reader typed (spaces too); only matching folds it.
  for (const key of ["find", "provider", "kind", "inmod", "outmod", "open", "ctx", "maxin", "maxout", "family"]) {
    next[key] = key === "find" ? c[key].value : c[key].value.trim();
  }
  for (const box of c.trust) next[box.name] = box.checked ? "1" : "";
  next.cap = c.caps.filter((box) => box.checked).map((box) => box.value).join(",");
  next.page = "1";
  return next;
}

function headerRow(state) {
  return el("tr", { "aria-rowindex": "1" }, COLUMNS.map(([key, label, wide]) => {
    if (!key) return el("th", { scope: "col", class: wide ? "kx-wide" : null }, label);
    const active = state.sort === key;
    const sortState = active ? (state.dir === "desc" ? "descending" : "ascending") : "none";
    return el("th", { scope: "col", "aria-sort": sortState, class: wide ? "kx-wide" : null },
      el("button", { type: "button", class: "kx-sort", dataset: { sort: key } }, label, active ? (state.dir === "desc" ? " ▼" : " ▲") : ""));
  }));
}

function renderTable(ui, data, state, links) {
  if (data.partial && !headView(state)) {
    ui.count.textContent = "Loading every model…"; // data.rows is on its way; render() runs again when it lands
    return;
  }
  // Filtering runs in slices (slices.js) that leave the event loop to keystrokes and frames; a newer render
  // makes this one stale, so only the latest query's rows are ever drawn. Rows found within the first slice
  // are drawn now; later ones in the next animation frame (one DOM write per frame, whatever finished). A
  // search's first rows (its exact matches) may be drawn before the near spellings are looked for.
  const started = performance.now();
  const ticket = (ui.ticket || 0) + 1;
  ui.ticket = ticket;
  const current = () => ui.ticket === ticket;
  // Until the first rows are drawn nothing else wants the main thread: longer slices (still under the 50 ms
  // of a long task) waste less time between them. Once drawn (a shared link's exact matches), the frame that
  // paints them comes first: short slices from then on.
  const budget = () => (metrics.firstRowsShown ? ui.sliceMs : ui.loadSliceMs);
  // The same view drawn again (data arriving) keeps its rows until the new ones are complete.
  const onPartial = viewKey(state) === ui.lastView || metrics.firstRowsShown ? undefined
    : (rows) => inFrame(ui, () => { if (current()) drawRows(ui, data, state, links, rows, started, false); });
  const run = runSliced(selectSteps(data, state), { budget, stale: () => !current(), onPartial });
  if (run.done) {
    ui.nextDraw = null; // a first look still waiting for its frame is outdone
    drawRows(ui, data, state, links, run.value, started);
    return;
  }
  ui.root.dataset.filtering = "true";
  run.value.then((rows) => {
    if (rows !== CANCELLED && current()) inFrame(ui, () => { if (current()) drawRows(ui, data, state, links, rows, started); });
  }, (error) => { ui.count.textContent = `The search failed: ${error.message}`; });
}

function viewKey(state) {
  return VIEW_KEYS.map((key) => state[key]).concat(state.dir).join("\u0000");
}

/** Run `draw` in the next animation frame, instead of any draw still waiting for it. */
function inFrame(ui, draw) {
  if (!ui.nextDraw) {
    requestAnimationFrame(() => {
      const next = ui.nextDraw;
      ui.nextDraw = null;
      ui.inFrame = true; // this frame paints what `next` draws
      try { if (next) next(); } finally { ui.inFrame = false; }
    });
  }
  ui.nextDraw = draw;
}

/** Resolves when the latest filtering's rows are drawn (at once when none is running). */
function settled(ui) {
  if (!ui.root.dataset.filtering) return Promise.resolve();
  return new Promise((done) => { ui.waiting.push(done); });
}

/** Draw the rows of `state`: all of them (`complete`), or the first of a search still looking for near
 * spellings (then the count says so, and the table is drawn again with every row). */
function drawRows(ui, data, state, links, rows, started, complete = true) {
  if (complete) {
    delete ui.root.dataset.filtering;
    metrics.lastFilterMs = performance.now() - started;
    metrics.drawnFind = state.find; // whose rows these are: tests check that the last query's rows are shown
  }
  metrics.rows = rows.length;
  const selected = new Set(list(state.sel));
  const total = data.partial ? "" : ` of ${formatCount(data.models.length)}`;
  const order = state.sort ? "" : state.find.trim() ? " · best matches first" : ` · ${DEFAULT_ORDER}`;
  ui.count.textContent = data.partial ? `First ${rows.length} models${order}; loading the rest…`
    : !complete ? `${formatCount(rows.length)} models so far${order}; looking for near spellings…`
      : `${formatCount(rows.length)}${total} models${order}`;
  ui.empty.replaceChildren(...(rows.length || data.partial || !complete ? [] : [explainEmpty(data, state)]));
  const header = `${state.sort}\u0000${state.dir}`; // the header changes with the order only
  if (ui.header !== header) { ui.table.tHead.replaceChildren(headerRow(state)); ui.header = header; }
  // A new query or order starts at the top; the same one drawn again (data arriving, a ticked box) stays put.
  const view = viewKey(state);
  ui.rows.fillRow = (tr, m) => fillRow(tr, m, links, selected);
  ui.rows.show(rows, { toTop: view !== ui.lastView });
  // The first rows' paint time, for Element Timing (bench/bench_explorer.py reads it): the first row's cells.
  if (!metrics.firstRowsShown && rows.length) {
    metrics.firstRowsShown = true;
    // Drawn in an animation frame: that frame paints them (as the keystroke timing's `inFrame`, below).
    if (ui.inFrame) metrics.firstRowsFrameAt = performance.now();
    ui.table.tBodies[0].rows[0]?.querySelectorAll("th, td, a").forEach((cell) => cell.setAttribute("elementtiming", "kx-first-rows"));
  }
  ui.lastView = view;
  if (rows.length || complete) ui.firstRows.splice(0).forEach((done) => done());
  if (complete) ui.waiting.splice(0).forEach((done) => done());
  // Which query's rows are drawn (the benchmark times a keystroke to the frame that paints all its rows: this
  // one when drawn in an animation frame, else the next).
  ui.root.dispatchEvent(new CustomEvent("kx-rows", { detail: { find: state.find, complete, inFrame: Boolean(ui.inFrame) } }));
}

/** Whether the head's rows are the view's first rows: the explore tab in the default order, nothing filtered. */
function headView(state) {
  return state.tab === "explore" && VIEW_KEYS.every((key) => !state[key]);
}

export async function mount(root) {
  const started = performance.now();
  performance.mark("kx-mount");
  let painted = null;
  let needRows = null;
  const firstPaint = new Promise((done) => { painted = done; });
  // Every row is fetched after the first rows are painted, or at once for a view the head cannot show; the
  // second part always waits for the first rows (its parse would take CPU from a shared link's search).
  const data = await loadData(root.dataset.src, { after: Promise.race([firstPaint, new Promise((done) => { needRows = done; })]),
    moreAfter: firstPaint });
  const links = linkMaker(root);
  const ui = { controls: {}, count: el("p", { class: "kx-count", role: "status" }), empty: el("div"),
    table: el("table", { class: "kx-table" }, el("thead")), panels: {}, tabs: {}, root, waiting: [], firstRows: [],
    // data-slice-ms: tests make slices tiny, for the first rows too
    sliceMs: Number(root.dataset.sliceMs) || SLICE_MS, loadSliceMs: Number(root.dataset.sliceMs) || LOAD_SLICE_MS };
  let state = readState(location.search);
  if (data.partial && !headView(state)) { needRows(); await data.rows; } // a shared link's view needs every row
  const controls = buildControls(ui, data);
  ui.filterToggle = foldFilters(controls);
  // The scroll box is focusable, so keyboard users can page through the results with the arrow and page keys.
  const scroller = el("div", { class: "kx-scroll", tabindex: "0", role: "region", "aria-label": "Results" }, ui.table);
  ui.rows = new VirtualRows(scroller, ui.table, null);
  ui.table.append(ui.rows.body);
  ui.panels.explore = el("section", { id: "kx-explore" }, controls, ui.count, ui.empty, scroller);
  ui.panels.compare = el("section", { id: "kx-compare" });
  ui.panels.calculator = el("section", { id: "kx-calculator" });
  ui.panels.matrix = el("section", { id: "kx-matrix" });
  const tablist = el("div", { role: "tablist", class: "kx-tabs" }, TABS.map(([key, label]) => {
    ui.tabs[key] = el("button", { type: "button", role: "tab", dataset: { tab: key } }, label);
    return ui.tabs[key];
  }));
  root.replaceChildren(tablist, ...Object.values(ui.panels));

  const render = () => {
    syncControls(ui, state);
    showFilterCount(ui.filterToggle, state);
    for (const [key] of TABS) {
      ui.tabs[key].setAttribute("aria-selected", String(state.tab === key));
      ui.panels[key].hidden = state.tab !== key;
    }
    if (state.tab === "explore") renderTable(ui, data, state, links);
    if (state.tab === "compare") ui.panels.compare.replaceChildren(renderCompare(data, state, links));
    if (state.tab === "calculator") {
      renderCalculatorPanel(ui.panels.calculator, data, state);
    }
    if (state.tab === "matrix") {
      const provider = el("select", { name: "mprov", "aria-label": "Matrix provider" });
      options(provider, [["", "All providers"], ...data.providers.map((p) => [p.id, p.name])], state.mprov);
      ui.panels.matrix.replaceChildren(field("Provider", provider), renderMatrix(data, state, links));
    }
  };
  let addressLater = null; // "push" or "replace": the address is written in a task after the keystroke's
  const commit = (next, { replace = false, later = false } = {}) => {
    state = next;
    // While typing, the address bar follows in a task of its own: a history write costs a keystroke several
    // milliseconds (tens with the CPU slowed 4x), and the rows matter first. One write serves a burst of keys.
    if (later) {
      if (!addressLater) nextTask(() => { if (addressLater) writeAddress(addressLater === "replace"); addressLater = null; });
      addressLater = addressLater === "push" || !replace ? "push" : "replace";
    } else {
      addressLater = null; // this write covers the typed state too
      writeAddress(replace);
    }
    render();
  };
  const writeAddress = (replace) => {
    const url = `${location.pathname}${writeState(state)}${location.hash}`;
    if (replace) history.replaceState(null, "", url); else history.pushState(null, "", url);
  };
  let typing = null;
  controls.addEventListener("input", (event) => {
    const started = performance.now();
    onInput(event);
    metrics.lastInputMs = performance.now() - started; // filter, sort and DOM writes of one keystroke
  });
  const onInput = (event) => {
    const next = readControls(ui, state);
    if (event.target === ui.controls.find) {
      // Each keystroke filters at once; history gets one entry per pause, not one per letter.
      const first = typing === null;
      clearTimeout(typing);
      typing = setTimeout(() => { typing = null; }, 600);
      commit(next, { replace: !first, later: true });
    } else commit(next);
  };
  root.addEventListener("click", (event) => {
    const target = event.target.closest("button, input.kx-pick");
    if (!target) return;
    if (target.dataset.tab) commit({ ...state, tab: target.dataset.tab });
    else if (target.dataset.sort) {
      const same = state.sort === target.dataset.sort;
      commit({ ...state, sort: target.dataset.sort, dir: same && state.dir === "asc" ? "desc" : "asc", page: "1" });
    } else if (target.classList.contains("kx-pick")) {
      const chosen = new Set(list(state.sel));
      if (target.checked) chosen.add(target.value); else chosen.delete(target.value);
      commit({ ...state, sel: [...chosen].slice(0, MAX_COMPARE).join(",") });
    }
  });
  wireCalculator(ui.panels.calculator, data, { get: () => state, commit, store: (next) => {
    state = next;
    history.replaceState(null, "", `${location.pathname}${writeState(state)}${location.hash}`);
  } });
  ui.panels.matrix.addEventListener("change", (event) => {
    if (event.target.name === "mprov") commit({ ...state, mprov: event.target.value });
  });
  window.addEventListener("popstate", () => { addressLater = null; state = readState(location.search); render(); });
  render();
  // A shared link's search may take a few slices: its first rows are drawn when its exact matches are found.
  await (state.tab === "explore" && ui.root.dataset.filtering ? new Promise((done) => { ui.firstRows.push(done); }) : null);
  performance.mark("kx-first-rows-drawn");
  metrics.firstRenderMs = performance.now() - started;
  root.dataset.firstRows = "true";
  requestAnimationFrame(() => {
    metrics.firstRowsFrameAt ||= performance.now(); // the frame that paints the first rows starts
    // The rows' long parse waits for the next frame too: that frame's paint is then on screen, not competing
    // for the CPU with the parse.
    requestAnimationFrame(() => setTimeout(painted, 0));
  });
  // Every row (after a head) and then the second part (descriptions, max output, aliases) arrive after the first
  // rows are painted; the view is drawn again with each. Ready means complete: tests and readers of every field
  // wait for it. The text index is built in an idle moment after that, not on the first keystroke.
  if (data.partial) { await data.rows; render(); }
  await data.complete;
  render();
  await settled(ui);
  (window.requestIdleCallback || setTimeout)(() => runSliced(data.index.buildSteps()));
  metrics.ready = true;
  root.dataset.ready = "true";
}

function start() {
  const root = document.getElementById("knollm-explorer");
  if (root && root.dataset.ready !== "true" && !root.dataset.mounting) {
    root.dataset.mounting = "true";
    mount(root).catch((error) => {
      root.replaceChildren(el("p", { class: "kx-error" }, `The explorer could not load its data: ${error.message}`));
    });
  }
}

// Material's instant navigation swaps pages without reloading: it announces each page on document$.
if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(start);
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
