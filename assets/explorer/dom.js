// Building DOM from data without ever parsing HTML: strings become text nodes, never markup.
import { formatMoney } from "./money.js";

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value == null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function options(select, entries, selected) {
  select.replaceChildren(...entries.map(([value, label]) => el("option", { value, selected: value === selected }, label)));
}

// One formatter for every count: toLocaleString builds a new one per call, too slow for a table per keystroke.
const COUNT_FORMAT = new Intl.NumberFormat("en-US");

export function formatTokens(n) {
  return n == null ? "–" : COUNT_FORMAT.format(Number(n));
}

/** Money as text, in the one format of money.js; prefer moneyNode (exact value in a title) for cells. */
export function formatPrice(value) {
  return value == null ? "–" : formatMoney(value);
}
