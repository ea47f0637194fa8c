// The one money format, mirrored from the runtime's knollm/money_format.py (tests/fixtures/money_cases.json holds
// the cases both must agree on): at most 6 significant digits, rounded half-even from the exact decimal (never
// a float), cents whenever they fit, thousands separators, "$0" for zero. The exact value goes in a title.
import { parseDecimal, toText } from "./decimal.js";

export const SIGNIFICANT = 6;
const CENTS = 2;

/** A decimal ({m, e}) rounded half-even to `digits` significant digits. */
export function roundSignificant(a, digits = SIGNIFICANT) {
  const negative = a.m < 0n;
  const m = negative ? -a.m : a.m;
  const drop = m.toString().length - digits;
  if (m === 0n || drop <= 0) return a;
  const unit = 10n ** BigInt(drop);
  let q = m / unit;
  const twice = 2n * (m % unit);
  if (twice > unit || (twice === unit && q % 2n === 1n)) q += 1n;
  const e = a.e - drop;
  const rounded = e >= 0 ? { m: q, e } : { m: q * 10n ** BigInt(-e), e: 0 };
  return negative ? { m: -rounded.m, e: rounded.e } : rounded;
}

function asDecimal(value) {
  return typeof value === "object" ? value : parseDecimal(String(value));
}

/** "$0.199919" for 0.1999188, "$2.50", "$0"; accepts a decimal ({m, e}) or a decimal string. */
export function formatMoney(value) {
  const a = asDecimal(value);
  if (a.m === 0n) return "$0";
  const negative = a.m < 0n;
  const text = toText(roundSignificant(negative ? { m: -a.m, e: a.e } : a));
  let [whole, fraction = ""] = text.split(".");
  if (whole.replace(/^0+/, "").length + CENTS <= SIGNIFICANT) fraction = fraction.padEnd(CENTS, "0");
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}$${whole}${fraction ? `.${fraction}` : ""}`;
}

/** The exact amount, unrounded ("$0.0000014298375"). */
export function exactMoney(value) {
  return `$${toText(asDecimal(value))}`;
}

/** A text node's worth of money for a cell: a span whose title holds the exact value when it was rounded;
 * "–" when unknown (null). `suffix` (a unit such as "/hour") follows the amount. */
export function moneyNode(value, suffix = "") {
  if (value == null) return "–";
  const node = document.createElement("span"); // not dom.el: dom.js imports this module
  node.className = "kx-money";
  return setMoney(node, value, suffix);
}

/** moneyNode's span (a new one, or one reused by the explorer's table) set to `value` (known); returns it. */
export function setMoney(node, value, suffix = "") {
  const [shown, exact] = moneyTexts(value, suffix);
  if (exact !== shown) { if (node.title !== `exactly ${exact}`) node.title = `exactly ${exact}`; } else if (node.title) node.removeAttribute("title");
  if (node.textContent !== shown) node.textContent = shown;
  return node;
}

const TEXTS = new Map(); // decimal text + suffix -> [shown, exact]: the table redraws the same prices often
const TEXTS_LIMIT = 5000;

/** [formatMoney, exactMoney] of `value` with `suffix`, remembered for decimal strings. */
function moneyTexts(value, suffix) {
  const key = typeof value === "string" ? `${value}\u0000${suffix}` : null;
  const known = key === null ? undefined : TEXTS.get(key);
  if (known) return known;
  const texts = [formatMoney(value) + suffix, exactMoney(value) + suffix];
  if (key !== null) {
    if (TEXTS.size >= TEXTS_LIMIT) TEXTS.clear();
    TEXTS.set(key, texts);
  }
  return texts;
}
