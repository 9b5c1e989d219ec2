/* ptce — behaviour shared by every page (no inline script: CSP script-src 'self'). */
(function () {
  "use strict";

  // htmx requests carry the CSRF token Django expects (read from <meta name="csrf-token">).
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  // The user menu (<details>) closes on Escape and on a click elsewhere.
  function closeMenus(except) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest ? event.target.closest("details.user-menu") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector("details.user-menu[open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
    }
  });

  // A new API token is selected on focus, ready to be copied.
  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("token-key")) {
      event.target.select();
    }
  });
})();
