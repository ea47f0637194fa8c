// Decoding the explorer data and the pure filtering and sorting behind the table.
import { decodePricing } from "./cost.js";
import { TextIndex, WORST_RANK } from "./search.js";
import { drain } from "./slices.js";
import { list } from "./state.js";
import { trustChecks, untrusted } from "./trust.js";

export function decode(doc) {
  const field = Object.fromEntries(doc.fields.map((name, i) => [name, i]));
  const providers = doc.providers.map(([id, name, kind, page, baseUrl, api]) => ({ id, name, kind, page, baseUrl, api }));
  const families = doc.families.map(([id, name, author, open, count, page]) => ({ id, name: name ?? id, author, open, count, page }));
  const models = doc.models.map((row, at) => {
    const m = new Model(row[field.pricing]);
    m.index = field.row === undefined ? at : row[field.row]; // a head row names its place in the whole data
    m.provider = providers[row[field.provider]];
    m.family = row[field.family] >= 0 ? families[row[field.family]] : null;
    m.modelId = row[field.model_id];
    m.id = `${m.provider.id}/${m.modelId}`;
    m.name = nameOf(m.modelId, row[field.name]);
    m.kind = doc.kinds[row[field.kind]];
    m.context = row[field.context];
    m.inMask = row[field.input_modalities];
    m.outMask = row[field.output_modalities];
    m.capYes = row[field.capabilities_yes];
    m.capNo = row[field.capabilities_no];
    m.inPrice = priceNumber(m.rawPricing, 0);
    m.outPrice = priceNumber(m.rawPricing, 1);
    m.created = row[field.created] ?? null;
    m.open = row[field.open_weights] ?? (m.family ? m.family.open : null);
    // Outlier flags (field -> evidence); absent from data made before the flags existed.
    const flags = row[field.price_flags];
    m.flags = flags ? Object.fromEntries(flags.map(([name, ratio, median, peers]) => [name, { ratio, median, peers }]))
      : NO_FLAGS;
    m.variant = row[field.variant] ?? null; // free, batch, flex, quantized, extended, confidential: never crowned cheapest
    addExtras(m, row, field);
    return m;
  });
  const blend = comparableRule(doc.comparable);
  for (const m of models) m.comparable = blend(m);
  const byId = new Map(models.map((m) => [m.id, m]));
  return { doc, providers, families, models, byId, index: lazyIndex(models, doc.search), partial: Boolean(doc.rows),
    capabilities: doc.capabilities, modalities: doc.modalities };
}

const NO_FLAGS = Object.freeze({});

/** One model of the explorer. Its prices are decoded to exact decimals (cost.js decodePricing) on first use of
 * `pricing`: the first rows and most filters need only `inPrice` and `outPrice`, numbers read from the same
 * decimal text (Number() of a decimal string is the float nearest to it, as toNumber of the parsed decimal). */
class Model {
  constructor(rawPricing) {
    this.rawPricing = rawPricing ?? null;
  }

  get pricing() {
    const value = decodePricing(this.rawPricing);
    Object.defineProperty(this, "pricing", { value, writable: true, enumerable: true, configurable: true });
    return value;
  }
}

function priceNumber(raw, at) {
  return raw && raw[at] != null ? Number(raw[at]) : null;
}

/** A model's name from its row: null is the id itself; 1 and 2 (explorer_data.NAME_CODES) are the id's last
 * "/" segment, and that segment without its ":" suffix; anything else is the name as text. */
function nameOf(modelId, coded) {
  if (coded == null || coded === "") return modelId;
  if (coded === 1 || coded === 2) {
    const last = modelId.slice(modelId.lastIndexOf("/") + 1);
    return coded === 1 ? last : last.split(":")[0];
  }
  return String(coded);
}

/** The text index, built on first use (a query with words), not before the first rows are painted; its
 * `matcherSteps` and `buildSteps` build it in steps that a caller runs in slices (slices.js). */
function lazyIndex(models, rules) {
  let built = null;
  const index = () => {
    built = built || new TextIndex(models.map((m) => [m.id, m.modelId, m.name, m.family?.id, m.family?.name, m.provider.id]), rules);
    return built;
  };
  const worded = (query) => Boolean(String(query ?? "").trim());
  return {
    matcher: (query) => (worded(query) ? index().matcher(query) : null),
    *matcherSteps(query) { return worded(query) ? yield* index().matcherSteps(query) : null; },
    *exactMatcherSteps(query) { return worded(query) ? yield* index().exactMatcherSteps(query) : null; },
    mayBeNear: (query) => worded(query) && index().mayBeNear(query),
    nearest: (query, limit) => index().nearest(query, limit),
    build: () => { index().build(); },
    buildSteps: () => index().warmSteps(),
  };
}

/** The columns of the second part (`more`), which the first rows do not need; absent ones read as unknown.
 * Set on the model directly (no object per model to copy from: decoding every row is on a shared link's path). */
function addExtras(m, row, field) {
  m.maxOutput = field.max_output === undefined ? null : row[field.max_output] ?? null;
  m.description = field.description === undefined ? null : row[field.description] ?? null;
  m.quantization = field.quantization === undefined ? null : row[field.quantization] ?? null;
  m.aliases = (field.aliases === undefined ? null : row[field.aliases]) || [];
}

/** Add the second part's columns to the decoded models (rows are in the same order in both parts). */
export function attachMore(data, more) {
  const field = Object.fromEntries(more.fields.map((name, i) => [name, i]));
  data.models.forEach((m, i) => { if (more.models[i]) addExtras(m, more.models[i], field); });
  // Family names (format 5) come here; the text index is rebuilt with them on its next use.
  (more.family_names || []).forEach((name, i) => { if (name != null && data.families[i]) data.families[i].name = name; });
  if (more.family_names) data.index = lazyIndex(data.models, data.doc.search);
}

/** Fetch and decode the data at `src`: resolves with the first rows' data decoded. A head (`rows` names the
 * whole first part) holds only the first rows of the default view: `data.partial` is true until `data.rows`
 * resolves, when the whole first part has replaced it in the same object. The rows are fetched and parsed
 * only when `after` resolves (the explorer's first rows are painted): fetching them sooner took CPU from that
 * paint on a busy machine (bench/bench_explorer.py), and the head covers the default view meanwhile.
 * `data.complete` resolves when the second part (named in `more`) is attached too, or with the rows; the second
 * part is fetched once the rows are in and `moreAfter` (by default `after`) resolved. */
export async function loadData(src, { after = Promise.resolve(), moreAfter = after } = {}) {
  const url = new URL(src, location.href);
  const data = decode(await fetchJson(url));
  data.rows = !data.doc.rows ? Promise.resolve(data) : after.then(() => fetch(new URL(data.doc.rows, url)))
    .then((response) => jsonOf(response, new URL(data.doc.rows, url)))
    .then((rows) => {
      performance.mark("kx-rows-parsed"); // the marks time a shared link's first rows (bench_explorer.py)
      Object.assign(data, decode({ ...rows, more: rows.more ?? data.doc.more }));
      performance.mark("kx-rows-decoded");
      return data;
    });
  data.complete = Promise.all([data.rows, moreAfter]).then(() => (!data.doc.more ? data : fetchJson(new URL(data.doc.more, url))
    .then((more) => { attachMore(data, more); return data; })));
  return data;
}

async function fetchJson(url) {
  return jsonOf(await fetch(url), url);
}

function jsonOf(response, url) {
  if (!response.ok) throw new Error(`${response.status} ${response.statusText} for ${url.pathname}`);
  return response.json();
}

/** The comparable price of the runtime's `knollm.comparable` (weights from the data file, never restated here):
 * input and output blended by weight; kinds without output tokens compare by input; null when unknown. */
function comparableRule(rule) {
  const { input_weight: wIn, output_weight: wOut, output_optional: optional } = rule
    || { input_weight: 1, output_weight: 1, output_optional: [] }; // data made before the rule was shipped
  const inputOnly = new Set(optional);
  return (m) => {
    if (m.inPrice == null) return null;
    if (m.outPrice == null) return inputOnly.has(m.kind) ? m.inPrice : null;
    return (wIn * m.inPrice + wOut * m.outPrice) / (wIn + wOut);
  };
}

export function capabilityBit(data, name) {
  const i = data.capabilities.indexOf(name);
  return i < 0 ? 0 : 2 ** i;
}

function modalityBit(data, name) {
  const i = data.modalities.indexOf(name);
  return i < 0 ? 0 : 2 ** i;
}

function numberOr(value, fallback) {
  const n = Number(value);
  return value === "" || Number.isNaN(n) ? fallback : n;
}

/** The models matching the filters of `state`, in display order. */
export function select(data, state) {
  return drain(selectSteps(data, state));
}

/** `select` in steps (a caller may run them in slices: slices.js). The models are walked in an order computed
 * once per data (the default order, or a column's), so a filtered result needs no sort of its own. With text
 * and no column the order is relevance (`byRelevance`), and a step may yield {partial: rows}: the first rows
 * of the result, final, before the models found only by a near spelling are looked for. */
export function* selectSteps(data, state) {
  const checks = filterChecks(data, state);
  const column = Boolean(SORT_KEYS[state.sort]);
  if (!column) {
    const exact = yield* data.index.exactMatcherSteps(state.find || "");
    if (exact) return yield* byRelevance(data, state, checks, exact);
  }
  const text = column ? yield* data.index.matcherSteps(state.find || "") : null;
  const order = column ? columnOrder(data, state) : defaultOrder(data);
  if (!checks.length && !text) return order;
  const found = [];
  for (let k = 0; k < order.length; k += 1) {
    const m = order[k];
    if (passes(checks, m) && (!text || text.test(m.index))) found.push(m);
    if ((k & 255) === 255) yield;
  }
  return found;
}

/** Relevance order: rank, then folded id length, then data order (search.js). Walking the models by id length
 * and grouping the exact matches by rank gives it without a sort; the models found only by a near spelling
 * rank last (search.js WORST_RANK), so they follow, in the same walk's order. */
function* byRelevance(data, state, checks, exact) {
  const groups = Array.from({ length: WORST_RANK }, () => []);
  const others = []; // models that pass the filters but not every word as typed
  const walk = exact.byLength; // model indexes (= places in data.models)
  for (let k = 0; k < walk.length; k += 1) {
    const m = data.models[walk[k]];
    if (passes(checks, m)) {
      if (exact.test(m.index)) groups[exact.rank(m.index)].push(m); else others.push(m);
    }
    if ((k & 255) === 255) yield;
  }
  const found = [].concat(...groups);
  if (!data.index.mayBeNear(state.find)) return found;
  yield { partial: found };
  const text = yield* data.index.matcherSteps(state.find);
  // A model found only by a near spelling is near some word: only those are tested again.
  const near = new Uint8Array(data.models.length);
  for (const hits of text.near) for (const i of hits) near[i] = 1;
  const nearOnly = [];
  for (let k = 0; k < others.length; k += 1) {
    if (near[others[k].index] && text.test(others[k].index)) nearOnly.push(others[k]);
    if ((k & 1023) === 1023) yield;
  }
  return nearOnly.length ? found.concat(nearOnly) : found;
}

function passes(checks, m) {
  for (let k = 0; k < checks.length; k += 1) if (!checks[k](m)) return false;
  return true;
}

/** The default order (no text, no column) of all models, sorted once per data. */
function defaultOrder(data) {
  if (data.defaultRows?.models !== data.models) {
    data.defaultRows = { models: data.models, rows: sortModels(data.models, {}, null) };
  }
  return data.defaultRows.rows;
}

/** All models in a column's order (and direction), sorted once per data and column. */
function columnOrder(data, state) {
  if (data.columnRows?.models !== data.models) data.columnRows = { models: data.models, orders: new Map() };
  const key = `${state.sort}\u0000${state.dir}`;
  if (!data.columnRows.orders.has(key)) data.columnRows.orders.set(key, sortModels(data.models, state, null));
  return data.columnRows.orders.get(key);
}

function filterChecks(data, state) {
  const checks = [];
  if (state.provider) checks.push((m) => m.provider.id === state.provider);
  if (state.kind) checks.push((m) => m.kind === state.kind);
  if (state.family) checks.push((m) => m.family && m.family.id === state.family);
  for (const cap of list(state.cap)) {
    const bit = capabilityBit(data, cap);
    checks.push((m) => (m.capYes & bit) !== 0);
  }
  if (state.inmod) { const bit = modalityBit(data, state.inmod); checks.push((m) => (m.inMask & bit) !== 0); }
  if (state.outmod) { const bit = modalityBit(data, state.outmod); checks.push((m) => (m.outMask & bit) !== 0); }
  const minContext = numberOr(state.ctx, null);
  if (minContext != null) checks.push((m) => m.context != null && m.context >= minContext);
  const maxIn = numberOr(state.maxin, null);
  if (maxIn != null) checks.push((m) => m.inPrice != null && m.inPrice <= maxIn);
  const maxOut = numberOr(state.maxout, null);
  if (maxOut != null) checks.push((m) => m.outPrice != null && m.outPrice <= maxOut);
  if (state.open === "yes") checks.push((m) => m.open === true);
  if (state.open === "no") checks.push((m) => m.open === false);
  checks.push(...trustChecks(state));
  return checks;
}

const SORT_KEYS = {
  name: (m) => m.id.toLowerCase(),
  provider: (m) => m.provider.id,
  context: (m) => m.context,
  input: (m) => m.inPrice,
  output: (m) => m.outPrice,
  price: (m) => m.comparable,
  created: (m) => m.created,
};

const PRICE_SORTS = new Set(["input", "output", "price"]);

export const DEFAULT_ORDER = "families offered by the most providers first, each cheapest first by comparable price (variants after)";

/** The default order (no text, no column): page one shows the families most widely offered, each with its
 * regular offers cheapest first (variants such as free or batch after them, unknown prices last), rather than
 * one provider's models in id order. */
function popularThenCheap(a, b) {
  const count = (m) => (m.family ? m.family.count : 0);
  const price = (m) => m.comparable ?? Infinity;
  const family = (m) => m.family?.id ?? "\uffff"; // code point order, as explorer_data.default_order sorts
  return count(b) - count(a) || (family(a) < family(b) ? -1 : family(a) > family(b) ? 1 : 0)
    || Number(Boolean(a.variant)) - Number(Boolean(b.variant)) || price(a) - price(b) || a.index - b.index;
}

/** Sort by a column (unknown values last in either direction); with text and no column: by relevance. */
export function sortModels(models, state, text) {
  const key = SORT_KEYS[state.sort];
  const direction = state.dir === "desc" ? -1 : 1;
  const rows = models.slice();
  if (key) {
    rows.sort((a, b) => {
      const x = key(a); const y = key(b);
      if (x == null || y == null) return x == null && y == null ? a.index - b.index : x == null ? 1 : -1;
      // In price sorts variants and flagged prices follow the regular ones: never crowned cheapest.
      const demoted = PRICE_SORTS.has(state.sort) ? untrusted(a) - untrusted(b) : 0;
      return demoted || (x < y ? -1 : x > y ? 1 : 0) * direction || a.index - b.index;
    });
  } else if (text) {
    rows.sort((a, b) => text.order(a.index, b.index));
  } else {
    rows.sort(popularThenCheap);
  }
  return rows;
}
