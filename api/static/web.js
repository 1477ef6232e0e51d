// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function ready() {
    // After a form comes back with problems, move focus to the list of them (screen readers read it).
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
    // The print view's button (hidden without JavaScript, where the browser's own Print command works).
    var buttons = document.querySelectorAll(".js-print");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
