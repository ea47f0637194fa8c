// Cost of a workload on one model, exactly as the Python runtime's knollm.estimate_cost computes it:
// cached and cache-write tokens are parts of the input; a long-context tier applies to the whole request
// once input_tokens exceeds its threshold (prices it does not state keep their base value); per-request
// fees are added per request; a price the usage needs but the data lacks makes the result "unknown".
import { ZERO, add, mulInt, parseDecimal, shift } from "./decimal.js";

const MTOK_DIGITS = 6;

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
 * @returns {{total, input, cacheRead, cacheWrite, output, perRequest, tier} | {unknown: string}}
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
  const total = [parts.input, parts.cacheRead, parts.cacheWrite, parts.output, parts.perRequest].reduce(add);
  return { ...parts, total, tier: tier ? tier.above : null };
}

const PRICE_KEYS = ["input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok",
  "per_request", "per_image"];
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
  return pricing;
}
