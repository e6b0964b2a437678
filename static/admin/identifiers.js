// Checks a supply point's EAN (electricity, GS1 check digit) or EIC (gas, check
// character) while staff type it; the server checks again when the form is saved.
(function () {
  "use strict";
  var EIC_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-";
  var czech = (document.documentElement.lang || "").indexOf("cs") === 0;
  var MESSAGES = {
    ean: czech ? "EAN má 18 číslic a správnou kontrolní číslici." : "An EAN has 18 digits and a correct check digit.",
    eic: czech ? "EIC má 16 znaků a správný kontrolní znak." : "An EIC has 16 characters and a correct check character.",
    ok: czech ? "Identifikátor je platný." : "The identifier is valid."
  };

  function validEan(value) {
    if (!/^\d{18}$/.test(value)) { return false; }
    var total = 0;
    for (var i = 0; i < 17; i++) {
      total += Number(value[16 - i]) * (i % 2 === 0 ? 3 : 1);
    }
    return (10 - total % 10) % 10 === Number(value[17]);
  }

  function validEic(value) {
    if (!/^[0-9A-Z-]{16}$/.test(value)) { return false; }
    var total = 0;
    for (var i = 0; i < 15; i++) { total += EIC_CHARS.indexOf(value[i]) * (16 - i); }
    return EIC_CHARS[36 - ((total - 1) % 37)] === value[15];
  }

  document.querySelectorAll("[data-identifier='supply-point']").forEach(function (input) {
    var commodity = input.form && input.form.querySelector("[name='commodity']");
    var note = document.createElement("div");
    note.id = input.id + "-check";
    note.className = "small mt-1";
    note.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", note);
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + note.id).trim());

    function check() {
      var value = input.value.trim().toUpperCase();
      if (!value) { note.textContent = ""; input.setCustomValidity(""); return; }
      var gas = commodity && commodity.value === "gas";
      var ok = gas ? validEic(value) : validEan(value);
      note.textContent = ok ? MESSAGES.ok : (gas ? MESSAGES.eic : MESSAGES.ean);
      note.className = "small mt-1 " + (ok ? "text-success" : "text-danger");
      input.classList.toggle("is-invalid", !ok);
      input.setCustomValidity(ok ? "" : note.textContent);
    }
    input.addEventListener("input", check);
    if (commodity) { commodity.addEventListener("change", check); }
    check();
  });
})();
