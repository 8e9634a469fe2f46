/* Departamento → provincia → distrito without reloading the page (the form works without it too).
 * One script for both screens that ask for an address (C1): the registration form
 * (cuenta/registro.html) and section 1 of the Ficha (portal/seccion.html). The element with
 * data-ubigeo holds the URL of the children lists; each select names its child in data-hijo. */
(function () {
  "use strict";
  var box = document.querySelector("[data-ubigeo]");
  if (!box || !window.fetch) { return; }
  var base = box.getAttribute("data-ubigeo");
  function fill(select, items) {
    select.length = 1;  // keep "Seleccione…"
    items.forEach(function (it) { select.add(new Option(it[1], it[0])); });
  }
  box.querySelectorAll("select[data-hijo]").forEach(function (select) {
    select.addEventListener("change", function () {
      var hijo = document.getElementById(select.getAttribute("data-hijo"));
      var nieto = hijo.getAttribute("data-hijo") && document.getElementById(hijo.getAttribute("data-hijo"));
      fill(hijo, []);
      if (nieto) { fill(nieto, []); }
      if (!select.value) { return; }
      fetch(base + encodeURIComponent(select.value), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) { fill(hijo, items); });
    });
  });
})();
