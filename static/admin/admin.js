// Flask-Admin writes a few inline handlers (onclick="return faHelpers.safeConfirm('…')",
// onclick="return false;"). The back office's Content-Security-Policy blocks inline
// scripts, so the server renames them to data-onclick (services/security.py) and the
// same behaviour is attached here from the attribute's text.
(function () {
  "use strict";
  var CONFIRM = /(?:safeConfirm|confirm)\('((?:\\'|[^'])*)'\)/;
  document.querySelectorAll("[data-onclick]").forEach(function (element) {
    var code = element.getAttribute("data-onclick");
    var match = CONFIRM.exec(code);
    element.addEventListener("click", function (event) {
      if (match) {
        if (!window.confirm(match[1].replace(/\\'/g, "'"))) { event.preventDefault(); }
      } else if (/return false/.test(code)) {
        event.preventDefault();
      }
    });
  });
})();
