// The explorer table's result rows (rows.js draws them): each row is filled in place, so redrawing the table for
// new results changes text and attributes rather than creating elements. Untrusted text is only ever set as text.
import { el, formatTokens as formatCount } from "./dom.js";
import { formatMoney, setMoney } from "./money.js";
import { MAX_COMPARE } from "./panels.js";

// [sort key, label, "wide" for columns hidden on phones]
export const COLUMNS = [["name", "Model"], ["provider", "Provider", "wide"], [null, "Kind", "wide"], [null, "Family", "wide"],
  ["context", "Context", "wide"], ["input", "Input $/M"], ["output", "Output $/M"], ["created", "Added", "wide"],
  [null, "Compare"]];

/** Draw model `m` into the table's row `tr` (rows.js): a new row gets its cells; a reused one
 * keeps its cells, links and spans and only their text and attributes change, so new results create no elements
 * in the common case (new elements are style and layout work in the keystroke's frame). Parts only some models
 * have (a variant mark, a name, a price flag) are added or removed. Untrusted text is only ever set as text. */
export function fillRow(tr, m, links, selected) {
  const row = tr.kxCells || (tr.kxCells = newRowCells(tr));
  tr.dataset.model = m.id;
  setAttribute(row.id, "href", links.modelHref(m));
  setText(row.id, m.id);
  const variant = m.variant ? textIn(row.variant || (row.variant = el("small", { class: "kx-variant" })), ` (${m.variant})`) : null;
  const name = m.name !== m.modelId ? textIn(row.name || (row.name = el("small")), m.name) : null;
  keepChildren(row.cells[0], [row.id, variant, name]);
  setLinkOrText(row, 1, links.providerHref(m), m.provider.id);
  setText(row.cells[2], m.kind);
  setLinkOrText(row, 3, links.familyHref(m), m.family ? m.family.id : "–");
  setText(row.cells[4], formatCount(m.context));
  fillPrice(row, 5, m, "input_per_mtok", 0);
  fillPrice(row, 6, m, "output_per_mtok", 1);
  setText(row.cells[7], m.created || "–");
  row.pick.value = m.id;
  row.pick.checked = selected.has(m.id);
  row.pick.disabled = !selected.has(m.id) && selected.size >= MAX_COMPARE;
  setAttribute(row.pick, "aria-label", `Compare ${m.id}`);
}

/** The cells of a new result row (the columns of COLUMNS; those hidden on phones carry `kx-wide`). */
function newRowCells(tr) {
  const cells = COLUMNS.map(([, , wide], i) => el(i ? "td" : "th", { scope: i ? null : "row", class: wide ? "kx-wide" : null }));
  [4, 5, 6].forEach((i) => cells[i].classList.add("kx-num"));
  cells[7].classList.add("kx-date");
  const pick = el("input", { type: "checkbox", class: "kx-pick" });
  cells[8].append(pick);
  tr.append(...cells);
  return { cells, pick, id: el("a", { class: "kx-id" }), variant: null, name: null, links: [], money: [], flags: [], dash: [] };
}

function setText(node, text) {
  const value = String(text);
  const only = node.firstChild;
  if (only && only === node.lastChild && only.nodeType === Node.TEXT_NODE) {
    if (only.data !== value) only.data = value;
  } else node.textContent = value;
}

function textIn(node, text) {
  setText(node, text);
  return node;
}

function setAttribute(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

/** Make `parent`'s children exactly `wanted` (nulls skipped), touching the DOM only when they differ. */
function keepChildren(parent, wanted) {
  const nodes = wanted.filter((node) => node != null);
  const current = parent.childNodes;
  if (current.length === nodes.length && nodes.every((node, i) => current[i] === node)) return;
  parent.replaceChildren(...nodes);
}

/** A cell holding a link (the record's page) or, without a page, its text. */
function setLinkOrText(row, i, href, text) {
  if (!href) { setText(row.cells[i], text); return; }
  const link = row.links[i] || (row.links[i] = el("a"));
  setAttribute(link, "href", href);
  keepChildren(row.cells[i], [textIn(link, text)]);
}

/** A price cell: the amount (as money.js moneyNode: a span, "–" when unknown) and a flagged price's mark. */
function fillPrice(row, i, m, name, at) {
  // The price's decimal text from the data (data.js Model.rawPricing, in cost.js order): the same amount as
  // m.pricing[name], without decoding every price of a model that is only drawn.
  const value = m.rawPricing ? m.rawPricing[at] ?? null : null;
  const amount = value == null ? (row.dash[i] || (row.dash[i] = document.createTextNode("–")))
    : setMoney(row.money[i] || (row.money[i] = el("span", { class: "kx-money" })), value);
  const flag = m.flags[name];
  const mark = flag ? row.flags[i] || (row.flags[i] = el("abbr", { class: "kx-flag" }, " ⚠")) : null;
  if (mark) setAttribute(mark, "title", flagTitle(flag));
  keepChildren(row.cells[i], [amount, mark]);
}

function flagTitle(flag) {
  return `${flag.ratio}x the median (${formatMoney(flag.median)}/M) at ${flag.peers} other providers: check it`;
}
