// The public article's highlights: each one opens a small panel with its verdict.
//
// Without this script every highlight is a plain link to its fact-check page,
// which is also what a middle click or a modified click still does. With it,
// a click, Enter or Space on a highlight opens a panel right under the
// paragraph: the verdict, the claim, a one-paragraph summary of the ruling
// and a link to the fact-check. The panel's content is server-rendered, in a
// <template> per fact-check (#fc-panel-N); nothing here builds markup from
// strings. Focus moves into the panel; Escape or the close button closes it
// and returns focus to the highlight; so does a click elsewhere.
"use strict";

(function () {
  const text = document.getElementById("article-text");
  if (!text) return;

  let panel = null;
  let body = null;
  let opener = null;

  function buildPanel() {
    panel = document.createElement("section");
    panel.id = "hl-panel";
    panel.className = "hl-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.tabIndex = -1;
    panel.hidden = true;
    body = document.createElement("div");
    body.className = "hl-panel__body";
    const close = document.createElement("button");
    close.type = "button";
    close.className = "hl-panel__close";
    close.setAttribute("aria-label", text.dataset.closeLabel || "Close");
    close.textContent = "×";
    close.addEventListener("click", () => closePanel(true));
    // The close button comes last, so Tab from the panel reaches the links first.
    panel.append(body, close);
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        closePanel(true);
      }
    });
    panel.addEventListener("focusout", (event) => {
      const to = event.relatedTarget;
      if (to && !panel.contains(to) && to !== opener) closePanel(false);
    });
  }

  function numbers(link) {
    const mark = link.querySelector("mark");
    return (mark ? mark.dataset.claims || "" : "").split(" ").filter(Boolean);
  }

  function openPanel(link) {
    if (!panel) buildPanel();
    if (opener) opener.setAttribute("aria-expanded", "false");
    body.replaceChildren();
    let titleId = "";
    for (const n of numbers(link)) {
      const template = document.getElementById("fc-panel-" + n);
      if (!template) continue;
      const item = template.content.cloneNode(true);
      const title = item.querySelector(".hl-panel__title");
      if (title && !titleId) {
        titleId = "hl-panel-title";
        title.id = titleId;
      }
      body.append(item);
    }
    if (!body.childElementCount) return false;
    if (titleId) panel.setAttribute("aria-labelledby", titleId);
    // Between paragraphs, never inside one: each <p> holds exactly its text.
    const paragraph = link.closest("p") || link;
    paragraph.after(panel);
    // The panel's colour is the verdict of the innermost claim, as the highlight's.
    panel.className = "hl-panel " + Array.from(link.classList).filter((c) => /^v-\d+$/.test(c)).join(" ");
    panel.hidden = false;
    const box = link.getBoundingClientRect();
    const frame = panel.getBoundingClientRect();
    const x = Math.min(Math.max(box.left + Math.min(box.width, 40) / 2 - frame.left, 18), frame.width - 18);
    panel.style.setProperty("--arrow-x", x + "px"); // CSSOM, which the CSP allows
    opener = link;
    link.setAttribute("aria-expanded", "true");
    panel.focus({ preventScroll: true });
    const bottom = panel.getBoundingClientRect().bottom;
    if (bottom > window.innerHeight) panel.scrollIntoView({ block: "nearest" });
    return true;
  }

  function closePanel(returnFocus) {
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    // Out of #article-text again: its textContent is the article's text, which
    // the Web Annotations' selectors count in (an annotation client may re-anchor).
    panel.remove();
    const link = opener;
    opener = null;
    if (link) {
      link.setAttribute("aria-expanded", "false");
      if (returnFocus) link.focus();
    }
  }

  const links = text.querySelectorAll("a.hl-link");
  for (const link of links) {
    link.setAttribute("role", "button");
    link.setAttribute("aria-expanded", "false");
    link.setAttribute("aria-controls", "hl-panel");
  }

  text.addEventListener("click", (event) => {
    const link = event.target.closest("a.hl-link");
    if (!link || !text.contains(link)) return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link === opener && panel && !panel.hidden) {
      event.preventDefault();
      closePanel(true);
      return;
    }
    if (openPanel(link)) event.preventDefault();
  });

  // A link answers Enter by itself; as a button it must answer Space too.
  text.addEventListener("keydown", (event) => {
    const link = event.target.closest && event.target.closest("a.hl-link");
    if (!link) return;
    if (event.key === " ") {
      event.preventDefault();
      link.click();
    } else if (event.key === "Escape") {
      closePanel(true);
    }
  });

  document.addEventListener("click", (event) => {
    if (!panel || panel.hidden) return;
    if (panel.contains(event.target) || event.target.closest("a.hl-link")) return;
    closePanel(false);
  });

  // Arriving at #fc-<slug> (from a fact-check page): focus that highlight.
  function focusFromHash() {
    if (!location.hash) return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.matches("a.hl-link")) {
      target.focus({ preventScroll: true });
    }
  }
  focusFromHash();
  window.addEventListener("hashchange", focusFromHash);
})();
