import { initAll } from "./dist/govuk-frontend.min.js";

initAll();

// Wide tables on a narrow screen scroll inside their own region, never the whole page: the
// region can be reached and scrolled with the keyboard, is named after the table's caption,
// and says it scrolls. (Without JavaScript the table itself scrolls: see _pathway.scss.)
const wrapWideTables = () => {
  document.querySelectorAll("main table.govuk-table").forEach((table) => {
    const wrapped = table.parentElement.classList.contains("pathway-scroll");
    if (wrapped || table.scrollWidth <= table.clientWidth + 1) return;
    const region = document.createElement("div");
    region.className = "pathway-scroll";
    region.setAttribute("role", "region");
    region.setAttribute("tabindex", "0");
    const caption = table.caption ? table.caption.textContent.trim() : "Table";
    region.setAttribute("aria-label", `${caption} (scrolls sideways)`);
    const cue = document.createElement("p");
    cue.className = "govuk-body-s pathway-scroll__cue";
    cue.textContent = "Scroll sideways to see every column.";
    table.parentNode.insertBefore(cue, table);
    table.parentNode.insertBefore(region, table);
    region.appendChild(table);
  });
};
wrapWideTables();
