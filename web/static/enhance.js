// wirewatch web view: small enhancements. Every page works without this file (the
// Content-Security-Policy allows scripts from /static only, so there is no inline script anywhere).
(function () {
  "use strict";

  // Diff page: open the collapsed group that holds the paragraph a link points at.
  function revealTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var group = target.closest("details.unchanged");
    if (group && !group.open) {
      group.open = true;
      target.scrollIntoView();
    }
  }

  // Diff page: "Expand all" / "Collapse all" for the unchanged paragraphs.
  function addDiffTools() {
    var groups = document.querySelectorAll("details.unchanged");
    var body = document.querySelector("section.body .paragraphs");
    if (!groups.length || !body) return;
    var tools = document.createElement("div");
    tools.className = "diff-tools";
    [["Expand all unchanged paragraphs", true], ["Collapse them", false]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = spec[0];
      button.addEventListener("click", function () {
        groups.forEach(function (g) { g.open = spec[1]; });
      });
      tools.appendChild(button);
    });
    var header = document.querySelector("section.body .cols") || body;
    header.parentNode.insertBefore(tools, header);
  }

  // Diff page: "p" and "n" step to the previous and next change, as the links do.
  function addKeys() {
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select") return;
      var link = document.querySelector('nav.versions a[data-key="' + event.key + '"]');
      if (link) location.href = link.getAttribute("href");
    });
  }

  // SQL page: Ctrl+Enter (Cmd+Enter) runs the query.
  function addSqlShortcut() {
    var box = document.querySelector("form.sql-form textarea");
    if (!box) return;
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        box.form.requestSubmit();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    addDiffTools();
    addKeys();
    addSqlShortcut();
    revealTarget();
    window.addEventListener("hashchange", revealTarget);
  });
})();
