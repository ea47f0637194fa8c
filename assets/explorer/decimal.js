// Exact decimal arithmetic on BigInt, for prices: a value is {m, e} meaning m × 10^-e (e >= 0).
// Enough for what the calculator needs (parse, add, multiply by an integer, shift, compare, print) and
// exact like Python's Decimal, so browser results agree with the runtime's estimate_cost to the digit.

export function parseDecimal(text) {
  const s = String(text).trim();
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) throw new Error(`not a decimal: ${s}`);
  const [, sign, whole, frac = "", exp = "0"] = match;
  let m = BigInt((whole || "0") + frac);
  let e = frac.length - Number(exp);
  if (e < 0) { m *= 10n ** BigInt(-e); e = 0; }
  return { m: sign === "-" ? -m : m, e };
}

export const ZERO = { m: 0n, e: 0 };

function align(a, b) {
  const e = Math.max(a.e, b.e);
  return [a.m * 10n ** BigInt(e - a.e), b.m * 10n ** BigInt(e - b.e), e];
}

export function add(a, b) {
  const [x, y, e] = align(a, b);
  return { m: x + y, e };
}

export function compare(a, b) {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function mulInt(a, n) {
  return { m: a.m * BigInt(n), e: a.e };
}

/** a / 10^k, exact. */
export function shift(a, k) {
  return { m: a.m, e: a.e + k };
}

/** a / n rounded half-even to `places` decimals (a >= 0, n a positive whole number); like the runtime's
 * rounding of audio costs (price per hour x seconds / 3600). */
export function divRound(a, n, places) {
  const den = 10n ** BigInt(a.e) * BigInt(n);
  const num = a.m * 10n ** BigInt(places);
  let q = num / den;
  const twice = 2n * (num % den);
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  return { m: q, e: places };
}

/** Canonical text: no exponent, no trailing zeros ("0.0325", "12", "0"). */
export function toText(a) {
  let { m, e } = a;
  while (e > 0 && m % 10n === 0n) { m /= 10n; e -= 1; }
  const negative = m < 0n;
  let digits = (negative ? -m : m).toString();
  if (e > 0) {
    digits = digits.padStart(e + 1, "0");
    digits = `${digits.slice(0, -e)}.${digits.slice(-e)}`;
  }
  return (negative ? "-" : "") + digits;
}

/** A float for display only (rounding, charts); never for sums. */
export function toNumber(a) {
  return Number(toText(a));
}
