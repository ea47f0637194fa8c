// The compare, pricing calculator and capability matrix panels.
import { BEYOND_TOKENS, estimateCost } from "./cost.js";
import { ZERO, add, compare, divRound, mulInt, toText } from "./decimal.js";
import { el, formatTokens } from "./dom.js";
import { formatMoney, moneyNode } from "./money.js";
import { select } from "./data.js";
import { idText } from "./phone.js";
import { list } from "./state.js";
import { untrusted } from "./trust.js";

export const MAX_COMPARE = 6;
export const CHEAPEST_ROWS = 25;
const DEFAULT_CHEAPEST_KIND = "chat";
export const PRESETS = {
  chatbot: { it: "1500", ot: "400", ct: "1000", rpd: "5000" },
  rag: { it: "8000", ot: "500", ct: "0", rpd: "2000" },
  batch: { it: "20000", ot: "1000", ct: "0", rpd: "500" },
};
const DAYS_PER_MONTH = 30;
const BLENDED_PLACES = 12; // the blended $/M is a quotient: rounded half-even, then shown to 6 digits
const MISSING = {
  pricing: "no prices", input_per_mtok: "no input price", output_per_mtok: "no output price",
  cache_read_per_mtok: "no cache read price", cache_write_per_mtok: "no cache write price",
  per_image: "no image price", image_prices: "no single price for this image size and quality",
  audio_input_per_hour: "no audio input price", audio_output_per_hour: "no audio output price",
  per_mchar: "no per-character price", per_kquery: "no per-query price", web_search_per_k: "no web search price",
};
// Calculator inputs beyond tokens: state key, label, usage name, the price keys that make the input relevant.
export const BEYOND_INPUTS = [
  ["img", "Images", "images", ["per_image"]],
  ["ain", "Audio input seconds", "audioInputSeconds", ["audio_input_per_hour"]],
  ["aout", "Audio output seconds", "audioOutputSeconds", ["audio_output_per_hour"]],
  ["chars", "Characters", "characters", ["per_mchar"]],
  ["q", "Queries", "queries", ["per_kquery"]],
  ["ws", "Web searches", "webSearches", ["web_search_per_k"]],
];

function capabilityCell(model, data, cap) {
  const bit = 2 ** data.capabilities.indexOf(cap);
  if (model.capYes & bit) return "yes";
  if (model.capNo & bit) return "no";
  return "?";
}

// Prices not per text token, with units, as the site's pages show them; $0 fees are left out (no fee).
const OTHER_PRICES = [["per_image", "image", ""], ["audio_input_per_hour", "audio in", "/hour"],
  ["audio_output_per_hour", "audio out", "/hour"], ["input_audio_per_mtok", "audio tokens in", "/M"],
  ["output_audio_per_mtok", "audio tokens out", "/M"], ["per_mchar", "characters", "/M chars"],
  ["per_kquery", "queries", "/1K"], ["web_search_per_k", "web search", "/1K"], ["per_request", "request", ""]];

export function otherPrices(pricing) {
  if (!pricing) return "–";
  const parts = OTHER_PRICES.filter(([key]) => pricing[key] != null && pricing[key].m !== 0n)
    .map(([key, label, unit]) => `${label} ${formatMoney(pricing[key])}${unit}`);
  for (const p of pricing.image_prices) {
    parts.push(`image ${[p.size, p.quality].filter(Boolean).join(" ")} ${formatMoney(p.per_image)}`);
  }
  return parts.join("; ") || "–";
}

function familyProviders(data, model) {
  if (!model.family) return "–";
  const providers = [...new Set(data.models.filter((m) => m.family === model.family).map((m) => m.provider.id))];
  return providers.sort().join(", ");
}

export function renderCompare(data, state, links) {
  const chosen = list(state.sel).map((id) => data.byId.get(id)).filter(Boolean).slice(0, MAX_COMPARE);
  if (!chosen.length) return el("p", {}, "Select up to 6 models in the table (the Compare box on each row).");
  const rows = [
    ["Provider", (m) => links.provider(m)],
    ["Family", (m) => links.family(m)],
    ["Kind", (m) => m.kind],
    ["Variant", (m) => m.variant || "–"],
    ["Input $/M", (m) => moneyNode(m.pricing ? m.pricing.input_per_mtok : null)],
    ["Output $/M", (m) => moneyNode(m.pricing ? m.pricing.output_per_mtok : null)],
    ["Other prices", (m) => otherPrices(m.pricing)],
    ["Context", (m) => formatTokens(m.context)],
    ["Max output", (m) => formatTokens(m.maxOutput)],
    ["Input", (m) => data.modalities.filter((_, i) => m.inMask & (2 ** i)).join(", ") || "–"],
    ["Output", (m) => data.modalities.filter((_, i) => m.outMask & (2 ** i)).join(", ") || "–"],
    ...data.capabilities.map((cap) => [cap, (m) => capabilityCell(m, data, cap)]),
    ["Same family at", (m) => familyProviders(data, m)],
    ["Description", (m) => m.description || "–"],
  ];
  return el("table", { class: "kx-compare" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Model"), chosen.map((m) => el("th", { scope: "col" }, idText(m.id), variantMark(m))))),
    el("tbody", {}, rows.map(([label, cell]) => el("tr", {}, el("th", { scope: "row" }, label), chosen.map((m) => el("td", {}, cell(m)))))));
}

function usageFrom(state) {
  const whole = (v) => Math.max(0, Math.floor(Number(v) || 0));
  const inputTokens = whole(state.it);
  const usage = {
    inputTokens, outputTokens: whole(state.ot), cachedTokens: Math.min(whole(state.ct), inputTokens),
    requests: 1, perDay: whole(state.rpd), imageSize: state.isz || null, imageQuality: state.iql || null,
  };
  for (const [key, , name] of BEYOND_INPUTS) usage[name] = whole(state[key]);
  return usage;
}

export function calculatorModels(data, state) {
  if (state.target === "cheapest") return cheapestPool(data, state).kept;
  return state.target === "family"
    ? data.models.filter((m) => m.family && m.family.id === state.cfamily)
    : list(state.sel).map((id) => data.byId.get(id)).filter(Boolean);
}

/** "Cheapest for this workload": every model the Explore tab's filters keep; variants (free, batch, ...) and
 * models with a flagged price are skipped unless the reader asks (cvar, cflag), and counted to say so. */
export function cheapestPool(data, state) {
  // A token workload is a chat question: without a Kind filter, speech, rerank or embedding prices (often per
  // input token only) would crowd the top; the note says so, and the Kind filter chooses another kind.
  const kind = state.kind || DEFAULT_CHEAPEST_KIND;
  const all = select(data, { ...state, kind });
  const skipped = { variant: 0, flagged: 0 };
  const kept = all.filter((m) => {
    if (m.variant && state.cvar !== "1") { skipped.variant += 1; return false; }
    if (Object.keys(m.flags).length && state.cflag !== "1") { skipped.flagged += 1; return false; }
    return true;
  });
  return { all, kept, skipped, kind };
}

/** The inputs beyond tokens worth showing: those some chosen model has a price for, or already in use. */
export function relevantInputs(models, state) {
  const has = (key) => models.some((m) => m.pricing && (m.pricing[key] != null
    || (key === "per_image" && m.pricing.image_prices.length)));
  return BEYOND_INPUTS.filter(([key, , , prices]) => prices.some(has) || (Number(state[key]) || 0) > 0);
}

/** Sizes and qualities the chosen models price images by. */
export function imageChoices(models) {
  const prices = models.flatMap((m) => (m.pricing ? m.pricing.image_prices : []));
  const unique = (values) => [...new Set(values.filter(Boolean))].sort();
  return { sizes: unique(prices.map((p) => p.size)), qualities: unique(prices.map((p) => p.quality)) };
}

function missingText(component) {
  const image = /^image_prices\[(.*)\]$/.exec(component);
  if (image) return `no image price for ${image[1]}`;
  return MISSING[component] || `no ${component} price`;
}

function beyondTotal(cost) {
  return ["image", ...Object.keys(BEYOND_TOKENS)].map((k) => cost[k] || ZERO).reduce(add);
}

/** Cost rows for the calculator: priced first, cheapest first; unknown prices stay unknown. Variants (free,
 * batch, flex, quantised offers), $0 offers and flagged prices come after the regular paid offers, so the first
 * row is never one of them (trust.js). */
export function calculate(data, state) {
  const pool = state.target === "cheapest" ? cheapestPool(data, state) : null;
  const models = pool ? pool.kept : calculatorModels(data, state);
  const usage = usageFrom(state);
  const rows = models.map((m) => ({ model: m, cost: estimateCost(m.pricing, usage) }));
  const priced = rows.filter((r) => !r.cost.unknown).sort((a, b) => // exact: decimals, never floats
    untrusted(a.model) - untrusted(b.model) || Number(Boolean(a.model.variant)) - Number(Boolean(b.model.variant))
      || compare(a.cost.total, b.cost.total)
      || a.model.id.localeCompare(b.model.id));
  const unknown = rows.filter((r) => r.cost.unknown);
  if (!pool) return { usage, priced, unknown };
  // Over the whole catalog, unknown prices are left out and only the first rows shown; a $0 total (a free
  // listing) counts with the variants: shown only when the reader includes them. All counted in the note.
  const paid = state.cvar === "1" ? priced : priced.filter((r) => r.cost.total.m !== 0n);
  return { usage, priced: paid.slice(0, CHEAPEST_ROWS), unknown: [], pool, total: paid.length,
    unpriced: unknown.length, free: priced.length - paid.length };
}

/** A small "(free)" / "(batch)" label after a variant offer's id; null for a regular offer. */
export function variantMark(model) {
  return model.variant ? el("small", { class: "kx-variant" }, ` (${model.variant})`) : null;
}

/** What the table shows and in which order, said on the page. */
function calculatorNote(result) {
  if (!result.pool) {
    return "Cheapest first (exact sums); variants (free, batch, ...) after the regular offers. A month is 30 days.";
  }
  const { pool, total, unpriced, free } = result;
  const skipped = [[pool.skipped.variant, "variants (free, batch, ...)"], [free, "free ($0) offers"],
    [pool.skipped.flagged, "models with a flagged price"],
    [unpriced, "without the prices this workload needs"]].filter(([n]) => n).map(([n, what]) => `${n.toLocaleString("en-US")} ${what}`);
  return `The ${Math.min(total, CHEAPEST_ROWS)} cheapest of ${total.toLocaleString("en-US")} priced ${pool.kind} models that `
    + `pass the Explore tab's search and filters (${pool.all.length.toLocaleString("en-US")} models), cheapest first.`
    + (skipped.length ? ` Left out: ${skipped.join(", ")}.` : "");
}

export function renderCalculator(data, state) {
  const result = calculate(data, state);
  const { usage, priced, unknown } = result;
  const tokens = usage.inputTokens + usage.outputTokens;
  const beyond = BEYOND_INPUTS.some(([, , name]) => usage[name] > 0);
  const body = priced.map(({ model, cost }) => {
    const perDay = mulInt(cost.total, usage.perDay);
    const blended = tokens ? divRound(mulInt(cost.total, 1_000_000), tokens, BLENDED_PLACES) : null;
    return el("tr", { dataset: model.variant ? { model: model.id, variant: model.variant } : { model: model.id } },
      el("th", { scope: "row" }, idText(model.id), variantMark(model)),
      el("td", { class: "kx-num", dataset: { exact: toText(cost.total) } }, moneyNode(cost.total)),
      el("td", { class: "kx-num" }, moneyNode(perDay)),
      el("td", { class: "kx-num" }, moneyNode(mulInt(perDay, DAYS_PER_MONTH))),
      el("td", { class: "kx-num" }, moneyNode(blended)),
      beyond ? el("td", { class: "kx-num", dataset: { exact: toText(beyondTotal(cost)) } }, moneyNode(beyondTotal(cost))) : null);
  });
  const missing = unknown.map(({ model, cost }) =>
    el("tr", { dataset: { model: model.id } }, el("th", { scope: "row" }, model.id),
      el("td", { colspan: beyond ? 5 : 4 }, `unknown: ${missingText(cost.unknown)}`)));
  const note = el("p", { class: "kx-calc-note" }, calculatorNote(result));
  if (!body.length && !missing.length) {
    const empty = { family: "Enter a family id.", cheapest: "No priced model passes the filters." };
    return el("div", { class: "kx-calc-out" }, note, el("p", {}, empty[state.target] || "Select models in the table first."));
  }
  return el("div", { class: "kx-calc-out" }, note, el("div", { class: "kx-scroll" }, el("table", { class: "kx-calc" },
    el("thead", {}, el("tr", {}, ["Model", "Per request", "Per day", "Per month", "Blended $/M",
      ...(beyond ? ["Beyond tokens"] : [])].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, body, missing))));
}

export function renderMatrix(data, state, links) {
  const provider = state.mprov;
  const families = new Map();
  for (const m of data.models) {
    if (!m.family || m.family.count < 2 || (provider && m.provider.id !== provider)) continue;
    const entry = families.get(m.family.id) || { family: m.family, yes: 0, no: 0, models: [] };
    entry.yes |= m.capYes; entry.no |= m.capNo; entry.models.push(m);
    families.set(m.family.id, entry);
  }
  const shown = [...families.values()].sort((a, b) => b.family.count - a.family.count || a.family.id.localeCompare(b.family.id)).slice(0, 300);
  const caps = data.capabilities;
  return el("table", { class: "kx-matrix" },
    el("caption", {}, `${shown.length} of ${families.size} families with 2+ providers${provider ? ` offered by ${provider}` : ""}`),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Family"), caps.map((c) => el("th", { scope: "col" }, c)))),
    el("tbody", {}, shown.map((entry) => el("tr", {},
      el("th", { scope: "row" }, links.family(entry.models[0])),
      caps.map((c, i) => matrixCell(entry, 2 ** i))))));
}

/** A family's capability: ✓ or ✗ when its offers agree, "some" (with how many declare it) when they disagree,
 * since one source's "yes" on a few offers (a router's listing, a price map) is not the family's. */
function matrixCell(entry, bit) {
  if (entry.yes & bit && entry.no & bit) {
    const yes = entry.models.filter((m) => m.capYes & bit).length;
    const no = entry.models.filter((m) => m.capNo & bit).length;
    return el("td", { class: "kx-mixed", title: `${yes} offers declare it, ${no} declare it absent` }, `some (${yes}/${yes + no})`);
  }
  const value = entry.yes & bit ? "yes" : entry.no & bit ? "no" : "?";
  return el("td", { class: `kx-${value === "?" ? "unknown" : value}` }, value === "yes" ? "✓" : value === "no" ? "✗" : "–");
}
