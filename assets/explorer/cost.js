// Cost of a workload on one model, exactly as the Python runtime's knollm.estimate_cost computes it:
// cached and cache-write tokens are parts of the input; a long-context tier applies to the whole request
// once input_tokens exceeds its threshold (prices it does not state keep their base value); per-request
// fees are added per request; a price the usage needs but the data lacks makes the result "unknown".
// Usage beyond tokens (images by size/quality, audio seconds, characters, queries, web searches) is charged
// only when non-zero, per request; audio is price per hour x seconds / 3600, rounded half-even to 12 decimals.
import { ZERO, add, divRound, mulInt, parseDecimal, shift } from "./decimal.js";

const MTOK_DIGITS = 6;
const AUDIO_PLACES = 12;
const SECONDS_PER_HOUR = 3600;
// Usage name -> [price key, how to turn price x count into dollars] (a power-of-ten shift, or audio's rounding).
export const BEYOND_TOKENS = {
  audioInputSeconds: ["audio_input_per_hour", null],
  audioOutputSeconds: ["audio_output_per_hour", null],
  characters: ["per_mchar", 6],
  queries: ["per_kquery", 3],
  webSearches: ["web_search_per_k", 3],
};

function imagePrice(pricing, size, quality) {
  if (!size && !quality && (pricing.per_image != null || !pricing.image_prices.length)) {
    return pricing.per_image == null ? { unknown: "per_image" } : { price: pricing.per_image };
  }
  const matches = pricing.image_prices.filter((p) => (!size || p.size === size) && (!quality || p.quality === quality));
  if (matches.length === 1) return { price: matches[0].per_image };
  if (matches.length > 1) return { unknown: "image_prices" };
  const wanted = [["size", size], ["quality", quality]].filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(", ");
  return { unknown: `image_prices[${wanted || "any"}]` };
}

/** Charges beyond tokens for one request, or {unknown}. */
function beyondTokens(pricing, usage) {
  const parts = { image: ZERO };
  if (usage.images) {
    const chosen = imagePrice(pricing, usage.imageSize, usage.imageQuality);
    if (chosen.unknown) return chosen;
    parts.image = mulInt(chosen.price, usage.images);
  }
  for (const [name, [key, digits]] of Object.entries(BEYOND_TOKENS)) {
    const count = usage[name] || 0;
    if (count === 0) { parts[name] = ZERO; continue; }
    if (pricing[key] == null) return { unknown: key };
    const amount = mulInt(pricing[key], count);
    parts[name] = digits == null ? divRound(amount, SECONDS_PER_HOUR, AUDIO_PLACES) : shift(amount, digits);
  }
  return parts;
}

function tierFor(pricing, inputTokens) {
  let chosen = null;
  for (const tier of pricing.tiers) {
    if (inputTokens > tier.above && (chosen === null || tier.above > chosen.above)) chosen = tier;
  }
  return chosen;
}

function rate(pricing, tier, component) {
  if (tier && tier[component] != null) return tier[component];
  return pricing[component];
}

/**
 * @returns {{total, input, cacheRead, cacheWrite, output, perRequest, image, audioInputSeconds, ..., tier} |
 *   {unknown: string}}
 * All amounts are decimals ({m, e}) for `requests` requests.
 */
export function estimateCost(pricing, usage) {
  const { inputTokens, outputTokens, cachedTokens = 0, cacheWriteTokens = 0, requests = 1 } = usage;
  if (!pricing) return { unknown: "pricing" };
  const tier = pricing.tiers.length ? tierFor(pricing, inputTokens) : null;
  const parts = {};
  const charges = [
    ["input", "input_per_mtok", inputTokens - cachedTokens - cacheWriteTokens],
    ["cacheRead", "cache_read_per_mtok", cachedTokens],
    ["cacheWrite", "cache_write_per_mtok", cacheWriteTokens],
    ["output", "output_per_mtok", outputTokens],
  ];
  for (const [name, component, tokens] of charges) {
    if (tokens === 0) { parts[name] = ZERO; continue; }
    const price = rate(pricing, tier, component);
    if (price == null) return { unknown: component };
    parts[name] = mulInt(shift(mulInt(price, tokens), MTOK_DIGITS), requests);
  }
  parts.perRequest = pricing.per_request == null ? ZERO : mulInt(pricing.per_request, requests);
  const beyond = beyondTokens(pricing, usage);
  if (beyond.unknown) return beyond;
  for (const [name, amount] of Object.entries(beyond)) parts[name] = mulInt(amount, requests);
  const total = Object.values(parts).reduce(add);
  return { ...parts, total, tier: tier ? tier.above : null };
}

const PRICE_KEYS = ["input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok",
  "per_request", "per_image"];
// Rare prices: an object after the tiers and image prices, holding only those a model has.
const OTHER_PRICE_KEYS = ["input_audio_per_mtok", "output_audio_per_mtok", "audio_input_per_hour",
  "audio_output_per_hour", "per_mchar", "per_kquery", "web_search_per_k"];
const TIER_KEYS = ["input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok"];

/** The explorer data's compact price array -> pricing with parsed decimals (null = unknown). */
export function decodePricing(row) {
  if (!row) return null;
  const pricing = { tiers: [] };
  PRICE_KEYS.forEach((key, i) => { pricing[key] = row[i] == null ? null : parseDecimal(row[i]); });
  for (const tier of row[PRICE_KEYS.length] || []) {
    const decoded = { above: tier[0] };
    TIER_KEYS.forEach((key, i) => { decoded[key] = tier[i + 1] == null ? null : parseDecimal(tier[i + 1]); });
    pricing.tiers.push(decoded);
  }
  pricing.image_prices = (row[PRICE_KEYS.length + 1] || []).map(([size, quality, price]) =>
    ({ size, quality, per_image: parseDecimal(price) }));
  const other = row[PRICE_KEYS.length + 2] || {};
  for (const key of OTHER_PRICE_KEYS) pricing[key] = other[key] == null ? null : parseDecimal(other[key]);
  return pricing;
}
