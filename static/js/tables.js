/* Phones: below 600px the stylesheet shows each table row as a card, one line per cell, and a
 * cell needs its column's name beside its value. This copies each header's text into the
 * data-label of the cells under it (colspans counted), for the page and for every fragment htmx
 * swaps in. Without it the cards still show every value, only unlabelled. */
(function () {
  "use strict";
  function label(root) {
    const tables = root.matches && root.matches("table") ? [root] : root.querySelectorAll("table");
    for (const table of tables) {
      const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
      if (!head) continue;
      const names = [];
      for (const th of head.cells) {
        const text = th.textContent.trim().replace(/\s+/g, " ");
        for (let i = 0; i < (th.colSpan || 1); i++) names.push(text);
      }
      for (const body of [...table.tBodies, table.tFoot].filter(Boolean)) {
        for (const row of body.rows) {
          let column = 0;
          for (const cell of row.cells) {
            const name = names[column];
            if (name && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", name);
            column += cell.colSpan || 1;
          }
        }
      }
    }
  }
  document.addEventListener("DOMContentLoaded", () => label(document));
  document.addEventListener("htmx:load", (event) => label(event.target));
})();
