// Filters for the library comparison table: a category menu and feature checkboxes above every
// `.knollm-filter` element's table. Rows are only hidden (`hidden`), never rebuilt; every label is set with
// textContent, so no table text is ever parsed as HTML. Without this script the page shows the whole table.
//
// The wrapper names the columns by their header text: data-filter-category="category" (one menu per listed
// column, e.g. "type,provider") and data-filter-features="sync,async,..." (a row offers a feature when its cell
// reads "yes"). A row is shown when it matches every menu and offers every checked feature.
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

  function plural(word) {
    return /[^aeiou]y$/.test(word) ? word.slice(0, -1) + "ies" : word + "s";
  }

  // One menu: "All <column>s" and every distinct value of the column, sorted; named and labelled by the column.
  function addMenu(form, name, cells) {
    const values = Array.from(new Set(cells)).filter(Boolean).sort();
    const title = name.charAt(0).toUpperCase() + name.slice(1);
    const select = make("select", { name, "aria-label": title });
    select.append(make("option", { value: "" }, "All " + plural(name)));
    values.forEach((value) => {
      const option = make("option", {}, value);
      option.value = value;
      select.append(option);
    });
    const label = make("label", { class: "knollm-filter__field" });
    label.append(make("span", {}, title), select);
    form.append(label);
    return select;
  }

  function setup(box, index) {
    if (box.dataset.filterReady === "true") return;
    const table = box.querySelector("table");
    if (!table || !table.tHead || !table.tBodies.length) return;
    const headers = Array.from(table.tHead.rows[0].cells).map((cell) => text(cell).toLowerCase());
    const column = (name) => headers.indexOf(String(name || "").trim().toLowerCase());
    const menuColumns = (box.dataset.filterCategory || "").split(",")
      .map((name) => name.trim()).filter((name) => name && column(name) >= 0)
      .map((name) => ({ name: name.toLowerCase(), column: column(name) }));
    const features = (box.dataset.filterFeatures || "").split(",")
      .map((name) => name.trim()).filter((name) => name && column(name) >= 0)
      .map((name) => ({ name, column: column(name) }));
    const rows = Array.from(table.tBodies[0].rows);
    const noun = box.dataset.filterNoun || "rows";
    const id = "knollm-filter-" + index;

    const form = make("form", { class: "knollm-filter__controls", "aria-controls": id });
    table.id = table.id || id;
    const menus = menuColumns.map((menu) => {
      const select = addMenu(form, menu.name, rows.map((row) => text(row.cells[menu.column])));
      return { select, column: menu.column };
    });
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
      const needed = boxes.filter((entry) => entry.input.checked).map((entry) => entry.column);
      let shown = 0;
      rows.forEach((row) => {
        const inCategory = menus.every((menu) => !menu.select.value
          || text(row.cells[menu.column]) === menu.select.value);
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
