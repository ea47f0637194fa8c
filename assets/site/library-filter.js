// Filters for the library comparison table: a category menu and feature checkboxes above every
// `.knollm-filter` element's table. Rows are only hidden (`hidden`), never rebuilt; every label is set with
// textContent, so no table text is ever parsed as HTML. Without this script the page shows the whole table.
//
// The wrapper names the columns by their header text: data-filter-category="category" and
// data-filter-features="sync,async,..." (a row offers a feature when its cell reads "yes").
(function () {
  "use strict";

  function text(node) {
    return (node && node.textContent ? node.textContent : "").trim();
  }

  function make(tag, props, label) {
    const node = document.createElement(tag);
    Object.keys(props || {}).forEach((name) => node.setAttribute(name, props[name]));
    if (label !== undefined) node.textContent = label;
    return node;
  }

  function setup(box, index) {
    if (box.dataset.filterReady === "true") return;
    const table = box.querySelector("table");
    if (!table || !table.tHead || !table.tBodies.length) return;
    const headers = Array.from(table.tHead.rows[0].cells).map((cell) => text(cell).toLowerCase());
    const column = (name) => headers.indexOf(String(name || "").trim().toLowerCase());
    const categoryColumn = column(box.dataset.filterCategory);
    const features = (box.dataset.filterFeatures || "").split(",")
      .map((name) => name.trim()).filter((name) => name && column(name) >= 0)
      .map((name) => ({ name, column: column(name) }));
    const rows = Array.from(table.tBodies[0].rows);
    const noun = box.dataset.filterNoun || "rows";
    const id = "knollm-filter-" + index;

    const form = make("form", { class: "knollm-filter__controls", "aria-controls": id });
    table.id = table.id || id;
    let category = null;
    if (categoryColumn >= 0) {
      const values = Array.from(new Set(rows.map((row) => text(row.cells[categoryColumn])))).filter(Boolean).sort();
      category = make("select", { name: "category", "aria-label": "Category" });
      category.append(make("option", { value: "" }, "All categories"));
      values.forEach((value) => {
        const option = make("option", {}, value);
        option.value = value;
        category.append(option);
      });
      const label = make("label", { class: "knollm-filter__field" });
      label.append(make("span", {}, "Category"), category);
      form.append(label);
    }
    const boxes = features.map((feature) => {
      const input = make("input", { type: "checkbox", name: "feature" });
      input.value = feature.name;
      const label = make("label", { class: "knollm-filter__check" });
      label.append(input, make("span", {}, feature.name));
      form.append(label);
      return { input, column: feature.column };
    });
    const reset = make("button", { type: "reset", class: "md-button" }, "Show all");
    const status = make("p", { class: "knollm-filter__status", role: "status", "aria-live": "polite" });
    form.append(reset);

    function apply() {
      const wanted = category ? category.value : "";
      const needed = boxes.filter((entry) => entry.input.checked).map((entry) => entry.column);
      let shown = 0;
      rows.forEach((row) => {
        const inCategory = !wanted || text(row.cells[categoryColumn]) === wanted;
        const offers = needed.every((col) => text(row.cells[col]).toLowerCase() === "yes");
        row.hidden = !(inCategory && offers);
        if (!row.hidden) shown += 1;
      });
      status.textContent = shown + " of " + rows.length + " " + noun + " shown";
      box.dataset.shown = String(shown);
    }

    form.addEventListener("change", apply);
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("reset", () => window.setTimeout(apply, 0));
    box.insertBefore(status, box.firstChild);
    box.insertBefore(form, status);
    apply();
    box.dataset.filterReady = "true";
  }

  function start() {
    Array.from(document.querySelectorAll(".knollm-filter")).forEach(setup);
  }

  // Loaded at the end of its page; Material's instant navigation runs it again for every visit of the page.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
