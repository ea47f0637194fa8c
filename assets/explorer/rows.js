// The results table draws only the rows in view, plus a few either side: every row has the same height (CSS),
// so spacer rows above and below stand in for the others and the scroll bar spans all results. Rows that stay
// in view are kept (a focused link keeps its focus while the window moves); rows that leave it are removed and
// kept aside for reuse. New results refill the rows already in the table in place (fillRow changes their text and
// attributes): no elements are created or moved, which spares each keystroke's frame the style and layout work
// of new rows.
// The space of the rows not drawn is the height of the body's ::before and ::after (explorer.css), so every
// row of the body is a result row.
// Screen readers get the whole table's size from aria-rowcount and each drawn row's place from aria-rowindex.
import { el } from "./dom.js";

const OVERSCAN = 5; // rows drawn beyond each edge of the view, so Tab and arrow keys always find a next row
const FALLBACK_ROWS = 40; // rows drawn while the scroll box has no height yet (a hidden panel)

export class VirtualRows {
  /** scroller: the box that scrolls; table: its table; fillRow(tr, item) draws an item into a row, new (no
   * cells yet) or one that showed another item. */
  constructor(scroller, table, fillRow) {
    this.scroller = scroller;
    this.table = table;
    this.fillRow = fillRow;
    this.items = [];
    this.drawn = new Map(); // item position -> its tr
    this.spare = []; // rows out of the table, to be refilled
    this.rowHeight = 0;
    this.view = { height: 0, head: 0, top: 0 }; // the scroll box as last measured (in an animation frame)
    this.frame = 0;
    this.body = el("tbody", { class: "kx-virtual" });
    scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    window.addEventListener("resize", () => { this.rowHeight = 0; this.schedule(); });
    // Focus moved by Tab scrolls the box at once: draw the rows around it before the next key.
    this.body.addEventListener("focusin", () => { this.measure(); this.draw(); });
    this.body.addEventListener("keydown", (event) => this.arrow(event));
  }

  /** New results: the drawn rows are refilled now (the caller batches this with its other writes), from the
   * box's last measures, so no layout is forced here (a keystroke or the first rows pay for one layout, the
   * frame's); the frame's draw then measures again and corrects the window before anything is painted. */
  show(items, { toTop = false } = {}) {
    this.items = items;
    // Writing scrollTop lays the page out: only when the box was last seen scrolled.
    if (toTop && this.view.top !== 0) { this.scroller.scrollTop = 0; this.view.top = 0; }
    this.table.setAttribute("aria-rowcount", String(items.length + 1));
    // The rows in the table take the new window's items in place (with the overscan: refilling is cheap); a
    // first draw has none and draws only the rows in view now, the frame's draw adds the overscan.
    const overscan = this.body.rows.length ? OVERSCAN : 0;
    this.refill(this.range(overscan));
    this.draw(true, overscan);
    this.schedule();
  }

  /** Give the rows in the table, in their order, the items of [first, last); rows left over are removed. A
   * row holding the focus keeps its item or leaves (focus never stays on a row that shows another model). */
  refill([first, last]) {
    const rows = [...this.body.rows];
    const focused = this.body.contains(document.activeElement) ? document.activeElement.closest("tr") : null;
    this.drawn.clear();
    let k = 0;
    for (let at = first; at < last && k < rows.length; at += 1, k += 1) {
      if (rows[k] === focused && focused.kxItem !== this.items[at]) { this.release(focused); k += 1; }
      if (k >= rows.length) break;
      this.fill(rows[k], at);
      this.drawn.set(at, rows[k]);
    }
    for (; k < rows.length; k += 1) this.release(rows[k]);
  }

  fill(tr, at) {
    const item = this.items[at];
    this.fillRow(tr, item); // also when the item is the same: its row may change (a ticked box)
    tr.kxItem = item;
    tr.setAttribute("aria-rowindex", String(at + 2)); // the header row is 1
  }

  /** A row out of the table, kept for reuse unless it held the focus. */
  release(tr) {
    const focused = tr.contains(document.activeElement);
    tr.remove();
    if (!focused) this.spare.push(tr);
  }

  /** One draw per animation frame, however many scroll events come; it measures the box first. */
  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.measure(); this.draw(false); });
  }

  /** The scroll box's height, header height and offset, and the row height once per layout (CSS fixes it;
   * fonts and widths may vary): reading them lays the page out, so only animation frames and focus moves call
   * this, when the frame needs that layout anyway. */
  measure() {
    const box = this.scroller;
    this.view = { height: box.clientHeight, head: this.table.tHead ? this.table.tHead.offsetHeight : 0, top: box.scrollTop };
    if (!this.rowHeight && this.drawn.size && this.view.height) {
      this.rowHeight = this.drawn.values().next().value.getBoundingClientRect().height;
    }
  }

  /** The positions [first, last) to draw for the last measured scroll offset. */
  range(overscan = OVERSCAN) {
    const { height, head, top } = this.view;
    if (!this.rowHeight || !height) return [0, Math.min(this.items.length, FALLBACK_ROWS)];
    const first = Math.max(0, Math.floor((top - head) / this.rowHeight) - overscan);
    const last = Math.min(this.items.length, first + Math.ceil(height / this.rowHeight) + 2 * overscan);
    return [Math.min(first, last), last];
  }

  /** Draw the window (with `overscan` rows beyond each edge); `ask` schedules a measured draw when the row
   * height is still unknown (not from that draw itself: a hidden box, which has no height, would ask every
   * frame). */
  draw(ask = true, overscan = OVERSCAN) {
    const [first, last] = this.range(overscan);
    for (const [at, tr] of this.drawn) {
      if (at < first || at >= last) { this.release(tr); this.drawn.delete(at); }
    }
    let next = null; // append after the last drawn row
    for (let at = last - 1; at >= first; at -= 1) {
      let tr = this.drawn.get(at);
      if (!tr) {
        tr = this.spare.pop() || document.createElement("tr");
        this.fill(tr, at);
        this.drawn.set(at, tr);
        this.body.insertBefore(tr, next);
      }
      next = tr;
    }
    this.place(first, last);
    if (ask && !this.rowHeight && this.drawn.size) this.schedule(); // then the window can be cut to the view
  }

  /** Spacer heights. */
  place(first, last) {
    const height = this.rowHeight || 0;
    this.body.style.setProperty("--kx-above", `${first * height}px`);
    this.body.style.setProperty("--kx-below", `${(this.items.length - last) * height}px`);
  }

  /** Up and down arrows move between rows, in the same column (scrolling the row into view). */
  arrow(event) {
    if ((event.key !== "ArrowDown" && event.key !== "ArrowUp") || event.altKey || event.ctrlKey || event.metaKey) return;
    const cell = event.target.closest("td, th");
    const row = cell && cell.parentElement;
    const at = row ? Number(row.getAttribute("aria-rowindex")) - 2 : NaN;
    const target = at + (event.key === "ArrowDown" ? 1 : -1);
    if (Number.isNaN(at) || target < 0 || target >= this.items.length) return;
    event.preventDefault();
    if (this.rowHeight) {
      const head = this.table.tHead ? this.table.tHead.offsetHeight : 0;
      const top = head + target * this.rowHeight;
      const box = this.scroller;
      if (top - head < box.scrollTop) box.scrollTop = top - head;
      else if (top + this.rowHeight > box.scrollTop + box.clientHeight) box.scrollTop = top + this.rowHeight - box.clientHeight;
    }
    this.measure();
    this.draw();
    const next = this.drawn.get(target);
    const focusable = next && next.cells[cell.cellIndex] && next.cells[cell.cellIndex].querySelector("a, input, button");
    if (focusable) focusable.focus();
  }
}
