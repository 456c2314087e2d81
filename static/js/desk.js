// The annotating screen's only hand-written script.
//
// It turns a DOM selection inside #article-text into the offsets the server
// stores: Unicode code points of the canonical article body. Browsers count
// UTF-16 code units, so a character outside the Basic Multilingual Plane
// (an emoji, say) is two units here and one code point there; every length
// below is therefore counted with the string iterator, which walks code
// points. Each <p data-offset="N" data-end="M"> holds exactly body[N:M] as
// its text, however many <mark> and sentence spans split it, and paragraphs
// are separated by exactly "\n\n" in the body.
//
// It also gives the text a keyboard: Tab reaches the sentences (one tab stop,
// roving tabindex), arrow keys move between them, Enter or Space selects one.
// And it keeps the claim panel easy to work in: the address names the open
// claim (?claim=N) and the back button reopens the one before, Ctrl+S or
// Cmd+S saves, and an error moves focus to its field.
"use strict";

(function () {
  const text = () => document.getElementById("article-text");
  let pending = null; // {start, end, exact} of the last selection in the text
  let openClaimId = ""; // the claim in the panel, so a re-render of it does not scroll

  function cpLength(s) {
    let n = 0;
    for (const _ of s) n += 1;
    return n;
  }

  function cpSlice(s, start, end) {
    return Array.from(s).slice(start, end).join("");
  }

  function paragraphs() {
    return Array.from(text().querySelectorAll("p[data-offset]"));
  }

  // Code-point offset in the body of a DOM boundary point. Points in the gaps
  // between paragraphs (or outside the text) clamp to the nearest paragraph
  // edge in the direction that shrinks the selection.
  function pointToOffset(node, offset, isEnd) {
    const ps = paragraphs();
    let previousEnd = ps.length ? Number(ps[0].dataset.offset) : 0;
    for (const p of ps) {
      const range = document.createRange();
      range.selectNodeContents(p);
      const where = range.comparePoint(node, offset);
      if (where < 0) return isEnd ? previousEnd : Number(p.dataset.offset);
      if (where === 0) {
        const before = document.createRange();
        before.setStart(p, 0);
        before.setEnd(node, offset);
        return Number(p.dataset.offset) + cpLength(before.toString());
      }
      previousEnd = Number(p.dataset.end);
    }
    return previousEnd;
  }

  // body[start:end], rebuilt from the paragraphs' text.
  function bodySlice(start, end) {
    const parts = [];
    for (const p of paragraphs()) {
      const pStart = Number(p.dataset.offset);
      const pEnd = Number(p.dataset.end);
      if (pEnd < start || pStart > end) continue;
      const from = Math.max(start, pStart) - pStart;
      const to = Math.min(end, pEnd) - pStart;
      parts.push(cpSlice(p.textContent, from, to));
    }
    return parts.join("\n\n");
  }

  function selectionInText() {
    const container = text();
    const selection = window.getSelection();
    if (!container || !selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return null;
    }
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(container)) return null;
    const start = pointToOffset(range.startContainer, range.startOffset, false);
    const end = pointToOffset(range.endContainer, range.endOffset, true);
    if (end <= start) return null;
    return { start, end, exact: bodySlice(start, end) };
  }

  function showPending() {
    const preview = document.getElementById("selection-preview");
    for (const input of document.querySelectorAll(".js-sel-start")) {
      input.value = pending ? pending.start : "";
    }
    for (const input of document.querySelectorAll(".js-sel-end")) {
      input.value = pending ? pending.end : "";
    }
    for (const input of document.querySelectorAll(".js-sel-exact")) {
      input.value = pending ? pending.exact : "";
    }
    if (!preview) return;
    const shown = pending ? pending.exact.trim() : "";
    if (!shown) {
      preview.textContent = preview.dataset.empty || "No text selected.";
      return;
    }
    const chars = Array.from(shown);
    const short = chars.length > 140 ? chars.slice(0, 140).join("") + "…" : shown;
    // The sentence around the quote comes translated from the page
    // (data-selected-template holds "{quote}" where the quote goes).
    const template = preview.dataset.selectedTemplate || "Selected: « {quote} »";
    const at = template.indexOf("{quote}");
    preview.textContent =
      at < 0 ? template : template.slice(0, at) + short + template.slice(at + "{quote}".length);
  }

  function onSelectionChange() {
    const found = selectionInText();
    // A collapsed selection (a click on a button, say) keeps the last one, so
    // that pressing Create claim does not lose what was selected.
    if (found) {
      pending = found;
      showPending();
    }
  }

  function selectNode(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    pending = selectionInText();
    showPending();
  }

  function claimUrl(id) {
    const root = document.querySelector("[data-claim-url]");
    return root.dataset.claimUrl.replace(/\/0\/$/, "/" + id + "/");
  }

  function openClaim(id) {
    window.htmx.ajax("GET", claimUrl(id), { target: "#claim-panel", swap: "outerHTML" });
  }

  function emphasise(id, scroll) {
    for (const mark of document.querySelectorAll("#article-text mark.is-current")) {
      mark.classList.remove("is-current");
    }
    for (const link of document.querySelectorAll(".claim-link")) {
      const current = link.dataset.claim === String(id);
      link.classList.toggle("is-current", current);
      if (current) {
        link.setAttribute("aria-current", "true");
        showInList(link);
      } else link.removeAttribute("aria-current");
    }
    if (!id) return;
    const marks = Array.from(document.querySelectorAll("#article-text mark[data-claims]")).filter(
      (m) => m.dataset.claims.split(" ").includes(String(id)),
    );
    for (const mark of marks) mark.classList.add("is-current");
    if (scroll && marks.length) {
      const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      marks[0].scrollIntoView({ block: "center", behavior: reduce ? "auto" : "smooth" });
    }
  }

  // Scroll the list's own box, never the page, to bring `link` into view.
  function showInList(link) {
    const box = link.closest(".claim-list");
    if (!box) return;
    const top = link.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top + link.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = top - (box.clientHeight - link.offsetHeight) / 2;
    }
  }

  // One column (phones): the panel is below the text, so an opened claim
  // brings the panel into view rather than its highlight.
  function oneColumn() {
    return !window.matchMedia("(min-width: 960px)").matches;
  }

  // Sentences: one tab stop for the whole text, arrows move, Enter selects.
  function sentences() {
    return Array.from(text().querySelectorAll(".sentence"));
  }

  // Roving tabindex: only the current sentence is focusable (see rendering.py
  // for why the others carry no tabindex at all).
  function makeCurrent(target) {
    for (const s of text().querySelectorAll(".sentence[tabindex]")) {
      if (s !== target) s.removeAttribute("tabindex");
    }
    target.tabIndex = 0;
  }

  function focusSentence(target) {
    makeCurrent(target);
    target.focus();
  }

  function onKeyDown(event) {
    const current = event.target.closest ? event.target.closest(".sentence") : null;
    const container = text();
    if (!current || !container || !container.contains(current)) return;
    const all = sentences();
    const index = all.indexOf(current);
    let next = null;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowRight":
        next = all[Math.min(index + 1, all.length - 1)];
        break;
      case "ArrowUp":
      case "ArrowLeft":
        next = all[Math.max(index - 1, 0)];
        break;
      case "Home":
        next = all[0];
        break;
      case "End":
        next = all[all.length - 1];
        break;
      case "Enter":
      case " ":
        event.preventDefault();
        selectNode(current);
        return;
      default:
        return;
    }
    event.preventDefault();
    focusSentence(next);
  }

  function onClick(event) {
    const container = text();
    if (!container || !container.contains(event.target)) return;
    const mark = event.target.closest("mark[data-claims]");
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed) return; // a drag: keep it
    if (mark) {
      // The innermost claim is listed first.
      openClaim(mark.dataset.claims.split(" ")[0]);
      return;
    }
    const sentence = event.target.closest(".sentence");
    if (sentence && event.detail === 1) {
      makeCurrent(sentence);
      selectNode(sentence);
    }
  }

  let renderedText = null; // the #article-text element the pending offsets belong to

  function afterSettle() {
    if (text() !== renderedText) {
      // The text was re-rendered (a claim was created or moved): the old
      // selection is gone with it.
      renderedText = text();
      pending = null;
    }
    showPending();
    const panel = document.getElementById("claim-panel");
    if (!panel) return;
    const id = panel.dataset.claim || "";
    const scrolled = id !== openClaimId;
    emphasise(id, scrolled && !oneColumn());
    openClaimId = id;
  }

  // Focus follows the change: the field just added, the button next to a
  // moved source, or the panel's heading (its message is announced).
  //
  // This runs on htmx:afterSwap, in the same task that put the new panel in
  // the page, so no click or key press can come in between. Not on
  // htmx:afterSettle: htmx settles on a timer (20 ms later), by which time
  // the user may already be in another field; focusing then pulled them back,
  // and what they typed next went into the wrong field (a new source's title
  // appended to its URL, and Save answered 422).
  function afterSwap(event) {
    const panel = document.getElementById("claim-panel");
    if (!panel || event.target !== panel) return;
    reopenSections(panel);
    followInAddress(panel);
    const focusId = panel.dataset.focus;
    const focusTarget =
      (focusId && document.getElementById(focusId)) ||
      document.getElementById("claim-panel-heading");
    // A newly opened claim: afterSettle scrolls to its highlight; keep it in view.
    const scrolled = (panel.dataset.claim || "") !== openClaimId;
    if (!focusTarget) return;
    reveal(focusTarget);
    focusTarget.focus({ preventScroll: scrolled && !focusId && !oneColumn() });
  }

  // Folded sections of the panel (sources, history): a field to focus in one
  // is unfolded first, and those the person had open stay open when the same
  // claim's panel is re-rendered (after Save, say).
  function reveal(element) {
    for (let d = element.closest("details"); d; d = d.parentElement.closest("details")) {
      d.open = true;
    }
  }

  let openSections = { claim: null, ids: [] };

  function beforeSwap(event) {
    const panel = document.getElementById("claim-panel");
    if (!panel || event.detail.target !== panel) return;
    openSections = {
      claim: panel.dataset.claim || "",
      ids: Array.from(panel.querySelectorAll("details[data-keep-open][open]"), (d) => d.id),
    };
  }

  function reopenSections(panel) {
    if ((panel.dataset.claim || "") !== openSections.claim) return;
    for (const id of openSections.ids) {
      const section = document.getElementById(id);
      if (section && panel.contains(section)) section.open = true;
    }
  }

  // The address names the claim in the panel (?claim=N), so that it can be
  // shared and reloaded; the back button reopens the claim it named before.
  // History entries are the page's own, not htmx's (htmx restores whole
  // pages, and would drop the text's listeners and whatever was typed).
  let restoring = false;

  function claimInAddress() {
    return new URLSearchParams(window.location.search).get("claim") || "";
  }

  function addressFor(id) {
    const url = new URL(window.location.href);
    if (id) url.searchParams.set("claim", id);
    else url.searchParams.delete("claim");
    return url.pathname + url.search;
  }

  function followInAddress(panel) {
    const id = panel.dataset.claim || "";
    if (restoring || id === claimInAddress()) return;
    // A deleted claim's address would lead nowhere: replace it.
    if (id) window.history.pushState({ deskClaim: id }, "", addressFor(id));
    else window.history.replaceState({ deskClaim: "" }, "", addressFor(""));
  }

  function onPopState() {
    const panel = document.getElementById("claim-panel");
    if (!panel || (panel.dataset.claim || "") === claimInAddress()) return;
    restoring = true;
    const done = () => {
      restoring = false;
    };
    // The page's own address answers htmx with the panel it names.
    window.htmx
      .ajax("GET", window.location.pathname + window.location.search, {
        target: "#claim-panel",
        swap: "outerHTML",
      })
      .then(done, done);
  }

  // Ctrl+S (Cmd+S on a Mac) saves the open claim instead of saving the web
  // page. A click on Save, so htmx sends action=save whatever button had focus.
  function onSaveKey(event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    if (!event.key || event.key.toLowerCase() !== "s") return;
    const save = document.querySelector(
      '#claim-panel form.claim-form button.button--primary[name="action"][value="save"]',
    );
    if (!save) return;
    event.preventDefault();
    if (!event.repeat) save.click();
  }

  // The error summary's links go to their fields: focus, not just a scroll.
  function onFieldLink(event) {
    const link = event.target.closest ? event.target.closest("a.js-field-link") : null;
    if (!link) return;
    const field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    reveal(field);
    field.focus();
  }

  // An answer htmx does not swap (a 5xx; see htmx-config in base.html) or no
  // answer at all: say so where the messages go, and keep the page as it is,
  // with whatever was typed in it. The same in development and production;
  // the developer's traceback is in the server's log.
  function showRequestError(kind, detail) {
    const flash = document.getElementById("flash");
    if (!flash) return;
    const notice = document.createElement("p");
    notice.className = "notice notice--error";
    notice.setAttribute("role", "alert");
    notice.textContent = flash.dataset[kind] || "The desk hit an error.";
    flash.replaceChildren(notice);
    console.warn("htmx request failed:", detail);
  }

  function initErrors() {
    document.body.addEventListener("htmx:responseError", (event) => {
      const xhr = event.detail.xhr;
      showRequestError("serverError", xhr.status + " " + event.detail.pathInfo.requestPath);
    });
    document.body.addEventListener("htmx:sendError", (event) => {
      showRequestError("networkError", event.detail.pathInfo.requestPath);
    });
  }

  // The assignment, note and due-date forms swap only their own part of the
  // page: focus goes to the field in error, else back to the form's button,
  // so the keyboard does not fall back to the top of the page.
  const OWN_PARTS = ["claim-ownership", "claim-timeline", "article-due"];

  function afterPartSwap(event) {
    const swapped = event.detail.target;
    if (!swapped || !OWN_PARTS.includes(swapped.id)) return;
    const part = document.getElementById(swapped.id); // the new element (outerHTML swap)
    if (!part) return;
    const target =
      part.querySelector("[aria-invalid='true']") ||
      part.querySelector(".note-form textarea") ||
      part.querySelector("form button[type='submit']");
    if (target) target.focus({ preventScroll: true });
  }

  function init() {
    initErrors();
    document.body.addEventListener("htmx:afterSwap", afterPartSwap);
    const container = text();
    if (!container) return;
    document.addEventListener("selectionchange", onSelectionChange);
    // On the document, not the text: htmx answers redraw #article-text.
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("click", onClick);
    document.body.addEventListener("htmx:beforeSwap", beforeSwap);
    document.body.addEventListener("htmx:afterSwap", afterSwap);
    document.body.addEventListener("htmx:afterSettle", afterSettle);
    document.addEventListener("keydown", onSaveKey);
    document.addEventListener("click", onFieldLink);
    window.addEventListener("popstate", onPopState);
    renderedText = container;
    const panel = document.getElementById("claim-panel");
    openClaimId = panel ? panel.dataset.claim || "" : "";
    if (openClaimId) emphasise(openClaimId, true);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
