/* The contact form's enhancements. Without this file the form still works:
   the server validates, counts and stores on its own. */
(function () {
  "use strict";

  // The characters Python's str.strip() removes, so the count agrees with the
  // server to the character (webapp/contact/forms.py normalise_message).
  var SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  var EDGES = new RegExp("^" + SPACE + "+|" + SPACE + "+$", "g");
  var ANNOUNCE_AFTER_MS = 1000;

  function messageLength(value) {
    // Code points after CRLF (and a lone CR) become LF and the edges are trimmed.
    return Array.from(value.replace(/\r\n?/g, "\n").replace(EDGES, "")).length;
  }

  // --- Character count, the GOV.UK Design System way -------------------------
  var announceTimer = null;
  // CLDR's rules for the page's language, from the browser: its plural categories (the
  // same as Babel's on the server) and its digit grouping ("4 997" in Swedish, "4997" in
  // Polish, where Babel, ignoring CLDR's minimum grouping, would write "4 997"). Latin
  // digits, as Babel writes them in the server's messages in every language: Persian's
  // own would otherwise say "۴٬۹۹۷" beside the server's "4,997".
  var plurals = new Intl.PluralRules(document.documentElement.lang);
  var numbers = new Intl.NumberFormat(document.documentElement.lang, { numberingSystem: "latn" });

  function updateCount(announce) {
    var counter = document.getElementById("message-count");
    var textarea = document.getElementById("message");
    if (!counter || !textarea) return;
    var remaining = Number(counter.dataset.max) - messageLength(textarea.value);
    var over = remaining < 0;
    var n = Math.abs(remaining);
    // The server rendered the message in each CLDR plural category of the page's
    // language (Polish has one, few, many): pick the one for n as CLDR does.
    var category = plurals.select(n);
    var template = counter.dataset[(over ? "over" : "under") + category[0].toUpperCase() + category.slice(1)];
    var text = template.replace("{num}", numbers.format(n));
    var status = counter.querySelector(".char-count__status");
    status.textContent = text;
    status.classList.toggle("char-count__status--over", over);
    textarea.classList.toggle("field__input--over", over);
    if (announce) {
      clearTimeout(announceTimer);
      announceTimer = setTimeout(function () {
        counter.querySelector(".char-count__announce").textContent = text;
      }, ANNOUNCE_AFTER_MS);
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.id === "message") updateCount(true);
  });

  // --- Error summary links move focus to the field, showing its label -------
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.hash.slice(1));
    if (!field) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });

  // --- Inline validation never overwrites newer text --------------------------
  var kept = null;

  // Bring a check's answer into a field the visitor is typing in without
  // replacing the input: its text, caret and focus stay exactly as they are.
  // Only what the answer changes is copied: the error message, the field's
  // state attributes and the announcement.
  function applyInPlace(live, html) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    var field = document.getElementById(live.id + "-field");
    var incoming = answer.getElementById(live.id + "-field");
    var input = answer.getElementById(live.id);
    if (!field || !incoming || !input) return;
    field.className = incoming.className;
    var oldError = field.querySelector(".field__error");
    var newError = incoming.querySelector(".field__error");
    if (oldError) oldError.remove();
    if (newError) live.before(document.importNode(newError, true));
    ["aria-invalid", "aria-describedby", "data-hx-trigger"].forEach(function (name) {
      if (input.hasAttribute(name)) live.setAttribute(name, input.getAttribute(name));
      else live.removeAttribute(name);
    });
    htmx.process(live); // its trigger may have changed
    var said = answer.getElementById("contact-live");
    var region = document.getElementById("contact-live");
    if (said && region) region.textContent = said.textContent;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!source || !source.classList.contains("field__input")) return;
    var live = document.getElementById(source.id);
    // The visitor typed on while the check was under way: this answer is stale.
    if (!live || event.detail.requestConfig.formData.get(source.name) !== live.value) {
      event.detail.shouldSwap = false;
      return;
    }
    if (live === document.activeElement) {
      event.detail.shouldSwap = false;
      applyInPlace(live, event.detail.serverResponse);
      return;
    }
    kept = { id: live.id, scrollTop: live.scrollTop, height: live.style.height };
  });

  document.addEventListener("htmx:afterSwap", function () {
    if (!kept) return;
    var field = document.getElementById(kept.id);
    if (field) {
      field.style.height = kept.height;
      field.scrollTop = kept.scrollTop;
    }
    kept = null;
  });

  // --- A swapped-in error summary or confirmation takes focus once ----------
  // Left to its autofocus attribute, the browser and then htmx (a little later,
  // when the swap settles) would each focus it, and htmx's turn could take focus
  // back from a visitor who had already moved on.
  document.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.target;
    if (!(swapped instanceof Element)) return;
    var first = swapped.matches("[autofocus]") ? swapped : swapped.querySelector("[autofocus]");
    if (!first) return;
    first.removeAttribute("autofocus");
    first.focus();
  });

  // --- Sending failed before the server answered with a form -----------------
  // (no connection, or an answer htmx does not swap): say so above the fields,
  // which keep the visitor's text.
  function showSendProblem(event) {
    var form = event.detail.elt;
    if (!form || form.id !== "contact-form") return;
    var slot = document.getElementById(form.dataset.sendProblem);
    if (!slot) return;
    var title = document.createElement("h4");
    title.className = "error-summary__title";
    title.textContent = slot.dataset.title;
    var text = document.createElement("p");
    text.textContent = slot.dataset.message;
    slot.replaceChildren(title, text);
    slot.className = "error-summary";
    slot.setAttribute("role", "alert");
    slot.tabIndex = -1;
    slot.focus();
  }
  document.addEventListener("htmx:sendError", showSendProblem);
  document.addEventListener("htmx:responseError", showSendProblem);

  // A new form arrives after a failed submit: show its count straight away.
  document.addEventListener("htmx:load", function () { updateCount(false); });
  updateCount(false);
})();
