// Flask-Admin writes a few inline handlers, which the back office's Content-Security-Policy
// (no 'unsafe-inline' scripts) blocks. The server renames them to data-onclick
// (services/security.py) and the same calls are attached here, from a fixed list of the
// forms Flask-Admin uses: nothing in the attribute is ever evaluated.
(function () {
  "use strict";
  var HANDLERS = [
    // return faHelpers.safeConfirm('…') / confirm('…'): ask before deleting
    [/(?:safeConfirm|confirm)\('((?:\\'|[^'])*)'\)/, function (event, element, match) {
      if (!window.confirm(match[1].replace(/\\'/g, "'"))) { event.preventDefault(); }
    }],
    // return modelActions.execute('name'): a list action on the selected rows
    [/modelActions\.execute\('([\w-]+)'\)/, function (event, element, match) {
      if (window.modelActions.execute(match[1]) === false) { event.preventDefault(); }
    }],
    // faForm.addInlineField(this, 'field'): another inline row (e.g. price items)
    [/faForm\.addInlineField\(this, '([\w-]+)'\)/, function (event, element, match) {
      event.preventDefault();
      window.faForm.addInlineField(element, match[1]);
    }],
    // return false;
    [/^\s*return false;?\s*$/, function (event) { event.preventDefault(); }]
  ];
  document.querySelectorAll("[data-onclick]").forEach(function (element) {
    var code = element.getAttribute("data-onclick");
    HANDLERS.some(function (handler) {
      var match = handler[0].exec(code);
      if (match) {
        element.addEventListener("click", function (event) { handler[1](event, element, match); });
      }
      return !!match;
    });
  });
  // Row checkboxes of the lists have only a title: give them an accessible name.
  document.querySelectorAll("input[type=checkbox][title]:not([aria-label])").forEach(function (box) {
    box.setAttribute("aria-label", box.getAttribute("title"));
  });
})();
