// The pricing calculator panel: its controls, and live updates. Typing in a number box re-prices at once
// (no blur or Enter needed) and replaces only the results, so the box keeps focus and caret; menus and
// boxes that change which inputs apply rebuild the whole panel. The preset menu shows the preset whose
// values the workload has, so it stays on the one chosen until a value is changed.
import { el, options } from "./dom.js";
import { PRESETS, calculatorModels, imageChoices, relevantInputs, renderCalculator } from "./panels.js";
import { DEFAULTS } from "./state.js";

const TARGETS = [["selected", "Selected models"], ["family", "All offers of a family"],
  ["cheapest", "Cheapest for this workload (whole catalog, Explore filters applied)"]];

function field(label, control) {
  return el("label", { class: "kx-field" }, el("span", {}, label), control);
}

/** The preset whose every value the state has, or "" (a custom workload). */
export function presetOf(state) {
  const found = Object.entries(PRESETS).find(([, values]) => Object.entries(values).every(([k, v]) => state[k] === v));
  return found ? found[0] : "";
}

function controls(state, data) {
  const input = (name, label) => field(label, el("input", { type: "number", min: 0, step: 1, name, value: state[name] }));
  const models = calculatorModels(data, state);
  const beyond = relevantInputs(models, state).map(([key, label]) => input(key, label));
  const { sizes, qualities } = imageChoices(models);
  const choice = (name, label, values) => {
    if (!values.length) return null;
    const select = el("select", { name, "aria-label": label });
    options(select, [["", "Plain per-image price"], ...values.map((v) => [v, v])], state[name]);
    return field(label, select);
  };
  const preset = el("select", { name: "preset", "aria-label": "Workload preset" });
  options(preset, [["", "Custom workload"], ["chatbot", "Chatbot"], ["rag", "RAG"], ["batch", "Batch summarization"]],
    presetOf(state));
  const target = el("select", { name: "target", "aria-label": "Models to price" });
  options(target, TARGETS, state.target);
  const box = (name, label) => el("label", { class: "kx-check" },
    el("input", { type: "checkbox", name, value: "1", checked: state[name] === "1" }), ` ${label}`);
  const scope = {
    family: field("Family", el("input", { type: "text", name: "cfamily", value: state.cfamily, placeholder: "e.g. deepseek-r1-0528" })),
    cheapest: [box("cvar", "include variants and free offers"), box("cflag", "include flagged prices")],
  }[state.target];
  return el("form", { class: "kx-calc-controls", onsubmit: (e) => e.preventDefault() },
    field("Preset", preset), input("it", "Input tokens"), input("ot", "Output tokens"), input("ct", "Cached input tokens"),
    input("rpd", "Requests per day"), ...beyond, choice("isz", "Image size", sizes),
    choice("iql", "Image quality", qualities), field("Price", target), scope);
}

export function renderCalculatorPanel(panel, data, state) {
  panel.replaceChildren(controls(state, data), renderCalculator(data, state));
}

/** Events of the panel. `get()` is the current state; `commit(next, {replace})` stores it and re-renders all;
 * `store(next)` stores it without re-rendering (then only the results are redrawn here). */
export function wireCalculator(panel, data, { get, commit, store }) {
  const live = (target) => target.tagName === "INPUT" && target.type !== "checkbox" && target.name in DEFAULTS;
  panel.addEventListener("input", (event) => {
    if (!live(event.target)) return;
    const next = { ...get(), [event.target.name]: event.target.value };
    store(next);
    const out = panel.querySelector(".kx-calc-out");
    if (out) out.replaceWith(renderCalculator(data, next));
    const preset = panel.querySelector("select[name=preset]");
    if (preset) preset.value = presetOf(next);
  });
  panel.addEventListener("change", (event) => {
    const { name, value, type, checked } = event.target;
    if (live(event.target)) {
      if (name === "cfamily") commit(get(), { replace: true }); // which inputs apply depends on the family
      return;
    }
    if (name === "preset") commit({ ...get(), ...(PRESETS[value] || {}) });
    else if (name in DEFAULTS) commit({ ...get(), [name]: type === "checkbox" ? (checked ? "1" : "") : value }, { replace: true });
  });
}
