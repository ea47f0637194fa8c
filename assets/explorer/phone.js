// Narrow screens: the filters fold behind a button (the search box stays), the results table keeps only its
// priority columns, and ids break only after a "/" (not in the results table, whose rows keep one height). The
// layout itself is CSS (explorer.css, max-width 600px); this module adds the button (the results table marks the
// cells phones hide itself, table-row.js fillRow; 600px is that media query).
import { el } from "./dom.js";

// Filters counted on the button, so a folded filter is never a silent one.
const FILTER_KEYS = ["provider", "kind", "inmod", "outmod", "open", "ctx", "maxin", "maxout", "family", "cap"];

/** Moves every row of the controls form but the first (search) into a foldable box; returns its button. */
export function foldFilters(form) {
  const [search, ...rest] = [...form.children];
  const box = el("div", { class: "kx-filters", id: "kx-filters" }, rest);
  const button = el("button", { type: "button", class: "kx-filter-toggle", "aria-expanded": "false",
    "aria-controls": "kx-filters" }, "Filters");
  button.addEventListener("click", () => {
    const open = !box.classList.contains("kx-open");
    box.classList.toggle("kx-open", open);
    button.setAttribute("aria-expanded", String(open));
  });
  form.replaceChildren(search, button, box);
  return button;
}

/** The button's label: how many filters are set. */
export function showFilterCount(button, state) {
  const active = FILTER_KEYS.filter((key) => state[key]).length;
  button.textContent = active ? `Filters (${active} set)` : "Filters";
}

/** An id as text with a line-break opportunity after each "/", never inside a name. */
export function idText(id) {
  return id.split("/").flatMap((part, i, parts) => (i < parts.length - 1 ? [`${part}/`, el("wbr")] : [part]));
}
