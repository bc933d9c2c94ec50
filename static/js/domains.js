/* The domains page: copy buttons for the DNS records, and a busy "Check now" while DNS is asked.
 * The page works without it (the values can be selected; the form posts normally). */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "absolute";
      area.style.left = "-9999px";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy") ? resolve() : reject(); } catch (e) { reject(e); }
      document.body.removeChild(area);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var status = document.getElementById("copy-status");
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-copy]");
      if (!button) return;
      copyText(button.dataset.copy).then(function () {
        button.classList.add("copied");
        if (status) status.textContent = button.dataset.copied + ": " + button.dataset.copy;
        setTimeout(function () { button.classList.remove("copied"); }, 2000);
      }).catch(function () {});
    });
    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.classList.contains("is-busy")) { event.preventDefault(); return; }  // one check at a time
        form.classList.add("is-busy");
        form.setAttribute("aria-busy", "true");
        var text = form.querySelector(".busy-text");
        if (text) text.textContent = text.dataset.busy || "";
      });
    });
  });
})();
