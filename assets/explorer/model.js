// The model page: one client-side page (models/view/?id=provider/model) for every model of the catalog, rendered
// from the explorer's data, so the site needs no static page per model. Unknown fields are left out or shown as
// "–", never as a made-up value; an unknown id shows the nearest ids.
import { loadData } from "./data.js";
import { formatMoney, moneyNode } from "./money.js";
import { el, formatTokens } from "./dom.js";
import { otherPrices } from "./panels.js";
import { isFlagged } from "./trust.js";

const TOKEN_PRICES = [["input_per_mtok", "Input", "/M tokens"], ["output_per_mtok", "Output", "/M tokens"],
  ["cache_read_per_mtok", "Cache read", "/M tokens"], ["cache_write_per_mtok", "Cache write", "/M tokens"]];
// Per-request, per-image and other fees are listed by otherPrices, each with its unit.
const NEAREST = 8;

function money(value) {
  return formatMoney(value);
}

/** Edit distance between two strings (case-insensitive), for the nearest ids of an unknown one. */
function distance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The ids nearest to `wanted`: text matches first (every word found), then by spelling distance. */
export function nearestIds(data, wanted, count = NEAREST) {
  const text = wanted.toLowerCase();
  const slash = text.indexOf("/");
  const tail = slash >= 0 ? text.slice(slash + 1) : text;
  const provider = slash >= 0 ? text.slice(0, slash) : null;
  const matcher = data.index.matcher(tail.replace(/[/:_-]+/g, " "));
  const scored = data.models.map((m) => {
    const found = matcher && matcher.test(m.index) ? -1000 + matcher.rank(m.index) : 0; // rank: 0 is best
    const id = m.id.toLowerCase();
    const sameProvider = m.provider.id === provider ? -2 : 0; // the provider the reader named comes first
    return [found + sameProvider + Math.min(distance(text, id), distance(tail, m.modelId.toLowerCase())), m.id];
  });
  scored.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
  return scored.slice(0, count).map(([, id]) => id);
}

/** A button copying `text`; it says "Copied" (or how it failed) in its own live region. */
function copyButton(label, text) {
  const status = el("span", { class: "kx-copied", role: "status" });
  const button = el("button", { type: "button", class: "kx-copy", dataset: { copy: text } }, label);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = " Copied";
    } catch {
      status.textContent = " Select and copy by hand (the browser refused clipboard access)";
    }
  });
  return el("span", {}, button, status);
}

function pageHref(root, record) {
  return record && record.page ? root + record.page : null;
}

function linkOr(href, label) {
  return href ? el("a", { href }, label) : label;
}

function yesNo(value) {
  return value == null ? "–" : value ? "yes" : "no";
}

function modalities(data, mask) {
  const names = data.modalities.filter((_, i) => (mask & (2 ** i)) !== 0);
  return names.length ? names.join(", ") : "–";
}

function capabilities(data, mask) {
  const names = data.capabilities.filter((_, i) => (mask & (2 ** i)) !== 0);
  return names.length ? names.join(", ") : "–";
}

function factRows(data, m, root) {
  const explorer = `${root}models/explorer/`;
  const family = m.family ? el("span", {}, linkOr(pageHref(root, m.family), m.family.name || m.family.id), " (",
    el("a", { href: `${explorer}?family=${encodeURIComponent(m.family.id)}` }, "all offers in the explorer"), ")") : "–";
  return [
    ["Model id", el("code", {}, m.modelId)],
    ["Provider", linkOr(pageHref(root, m.provider), m.provider.name)],
    ["Name", m.name],
    ["Kind", m.kind],
    ["Family", family],
    ["Variant", m.variant || "regular offer"],
    ["Aliases", m.aliases.length ? m.aliases.join(", ") : null],
    ["Context window", m.context == null ? "–" : `${formatTokens(m.context)} tokens`],
    ["Max output", m.maxOutput == null ? "–" : `${formatTokens(m.maxOutput)} tokens`],
    ["Input", modalities(data, m.inMask)],
    ["Output", modalities(data, m.outMask)],
    ["Capabilities", capabilities(data, m.capYes)],
    ["Declared absent", m.capNo ? capabilities(data, m.capNo) : null],
    ["Open weights", yesNo(m.open)],
    ["Quantization", m.quantization],
    ["Added", m.created],
    ["Description", m.description],
  ].filter(([, value]) => value != null && value !== "");
}

function table(caption, rows) {
  return el("table", { class: "kx-facts" }, el("caption", {}, caption),
    el("tbody", {}, rows.map(([label, value]) => el("tr", {}, el("th", { scope: "row" }, label), el("td", {}, value)))));
}

function priceRows(m) {
  if (!m.pricing) return [];
  const rows = TOKEN_PRICES.filter(([key]) => m.pricing[key] != null).map(([key, label, unit]) => {
    const flag = m.flags[key];
    const warning = flag ? el("span", { class: "kx-flag" },
      ` ⚠ ${flag.ratio}x the median ($${flag.median}/M) at ${flag.peers} other providers: check it`) : null;
    return [label, el("span", {}, moneyNode(m.pricing[key], unit), warning)];
  });
  for (const tier of m.pricing.tiers) {
    const parts = TOKEN_PRICES.slice(0, 4).filter(([key]) => tier[key] != null)
      .map(([key, label]) => `${label.toLowerCase()} ${money(tier[key])}/M`);
    rows.push([`Above ${formatTokens(tier.above)} input tokens`, parts.join(", ")]);
  }
  const other = otherPrices(m.pricing);
  if (other && other !== "–") rows.push(["Other prices", other]);
  return rows;
}

function snippets(m) {
  const knollm = `import knollm\n\ncatalog = knollm.Catalog.load()\nmodel = catalog.get(${JSON.stringify(m.id)})\n`
    + "cost = knollm.estimate_cost(model, input_tokens=2_000, output_tokens=500)\nprint(cost.total)\n";
  const base = m.provider.api === "openai" && m.provider.baseUrl ? `, base_url=${JSON.stringify(m.provider.baseUrl)}` : "";
  const openai = m.provider.api === "openai" ? "from openai import OpenAI\n\n"
    + `client = OpenAI(api_key="...${base ? "" : "  # this provider's key"}"${base})\n`
    + `reply = client.chat.completions.create(model=${JSON.stringify(m.modelId)}, `
    + 'messages=[{"role": "user", "content": "Hello"}])\nprint(reply.choices[0].message.content)\n' : null;
  const block = (title, code) => el("div", { class: "kx-snippet" }, el("h3", {}, title), copyButton("Copy code", code),
    el("pre", {}, el("code", {}, code)));
  return [block("With knollm", knollm), openai && m.kind === "chat" ? block("With the OpenAI SDK", openai) : null];
}

/** The page's own heading (the site template's h1 outside the mount point), or null on a bare page. */
function siteHeading(root) {
  const heading = root.closest("article") && root.closest("article").querySelector("h1");
  return heading && !root.contains(heading) ? heading : null;
}

/** Names the page: the site's heading when there is one, else a heading of our own (returned). */
function heading(root, text) {
  const existing = siteHeading(root);
  if (existing) { existing.textContent = text; return null; }
  return el("h1", {}, text);
}

export function renderModel(data, m, root, title = el("h1", {}, m.name)) {
  const flagged = isFlagged(m) ? el("p", { class: "kx-flag" },
    "⚠ A price of this model is more than 10x from its family's median at other providers: check it before trusting it.")
    : null;
  const variant = m.variant ? el("p", {}, `This is a ${m.variant} variant: it is never shown as the cheapest offer.`) : null;
  const prices = priceRows(m);
  const explorer = `${root}models/explorer/`;
  const links = el("p", { class: "kx-links" },
    el("a", { href: `${explorer}?find=${encodeURIComponent(m.modelId)}` }, "Find it in the explorer"), " · ",
    el("a", { href: `${explorer}?tab=calculator&sel=${encodeURIComponent(m.id)}` }, "Price a workload"), " · ",
    el("a", { href: `${explorer}?provider=${encodeURIComponent(m.provider.id)}` }, `All models of ${m.provider.name}`));
  return el("div", { class: "kx-model", dataset: { model: m.id } },
    title,
    el("p", {}, el("code", { class: "kx-model-id" }, m.id), " ", copyButton("Copy id", m.id)),
    variant, flagged, links,
    table("Facts", factRows(data, m, root)),
    prices.length ? table("Prices (USD)", prices) : el("p", {}, "No price is known for this model."),
    el("h2", {}, "Use it"), snippets(m));
}

function renderMissing(data, wanted, root, title) {
  const near = wanted ? nearestIds(data, wanted) : [];
  const href = (id) => `${root}models/view/?id=${encodeURIComponent(id)}`;
  return el("div", { class: "kx-model kx-missing" },
    title,
    el("p", {}, wanted ? ["No model has the id ", el("code", {}, wanted), "."] : "No model id was given (add ?id=provider/model)."),
    near.length ? el("p", {}, "Nearest ids:") : null,
    near.length ? el("ul", { class: "kx-nearest" }, near.map((id) => el("li", {}, el("a", { href: href(id) }, id)))) : null,
    el("p", {}, el("a", { href: `${root}models/explorer/` }, "Search the explorer")));
}

export async function mountModel(root) {
  const data = await (await loadData(root.dataset.src)).complete; // the page shows every field: both parts
  const wanted = new URLSearchParams(location.search).get("id") || "";
  const siteRoot = root.dataset.root || "";
  const model = data.models.find((m) => m.id === wanted)
    || data.models.find((m) => m.aliases.includes(wanted) && wanted.includes("/"));
  const name = model ? model.name : "Model not found";
  const title = heading(root, name);
  root.replaceChildren(model ? renderModel(data, model, siteRoot, title) : renderMissing(data, wanted, siteRoot, title));
  document.title = `${name} - Knollm`;
  root.dataset.ready = "true";
}

function start() {
  const root = document.getElementById("knollm-model");
  if (root && root.dataset.ready !== "true" && !root.dataset.mounting) {
    root.dataset.mounting = "true";
    mountModel(root).catch((error) => {
      root.replaceChildren(el("p", { class: "kx-error" }, `The model page could not load its data: ${error.message}`));
    });
  }
}

// Material's instant navigation swaps pages without reloading: it announces each page on document$.
if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(start);
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
