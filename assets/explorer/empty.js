// Explaining an empty result: which active filter excluded how many of the models the text finds, and the
// nearest models when the text itself finds none. Suggestions are plain links to a new search (?find=id).
import { select } from "./data.js";
import { el } from "./dom.js";

// Filter state keys and how to name them to the reader.
const FILTERS = [["provider", "provider"], ["kind", "kind"], ["family", "family"], ["cap", "capabilities"],
  ["inmod", "input"], ["outmod", "output"], ["ctx", "min context"], ["maxin", "max input price"],
  ["maxout", "max output price"], ["open", "weights"]];

function cleared(state) {
  const next = { ...state };
  for (const [key] of FILTERS) next[key] = "";
  return next;
}

function suggestions(label, models) {
  if (!models.length) return null;
  return el("p", {}, label, models.flatMap((m, i) => [i ? ", " : " ",
    el("a", { href: `?find=${encodeURIComponent(m.id)}`, class: "kx-near" }, m.id)]));
}

/** Sentences for an empty table, or null when the table is not empty. */
export function explainEmpty(data, state) {
  const text = (state.find || "").trim();
  const open = cleared(state);
  const found = text ? select(data, open) : data.models;
  const active = FILTERS.filter(([key]) => state[key]);
  const parts = [];
  if (found.length && active.length) {
    const excluded = active.map(([key, label]) => {
      const kept = select(data, { ...open, [key]: state[key] }).length;
      return `${label} = ${state[key]} leaves out ${(found.length - kept).toLocaleString("en-US")}`;
    });
    const what = text ? `“${text}” matches ${found.length.toLocaleString("en-US")} models` : "No model passes every filter";
    parts.push(el("p", {}, `${what}; ${excluded.join("; ")}.`));
    if (text) parts.push(suggestions("Without the filters:", found.slice(0, 5)));
  } else if (text) {
    const near = data.index.nearest(state.find).map((i) => data.models[i]);
    parts.push(el("p", {}, `Nothing matches every word of “${text}”.`));
    parts.push(suggestions("Nearest:", near));
  }
  return el("div", { class: "kx-empty", role: "note" }, parts);
}
