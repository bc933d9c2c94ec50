/* Behaviour every page shares. Small on purpose: pages work without it; it makes them smoother.
 *
 * - remembers the browser's time zone in a cookie, so pages show times in the viewer's zone;
 * - live updates: one EventSource per page on `data-live-url`; each event updates the badges and is
 *   re-dispatched on <body> as `live:<type>` (htmx elements listen with
 *   `hx-trigger="live:message.created from:body"`); without live updates it polls `/live/counts/`
 *   and dispatches `live:poll` instead;
 * - progress for slow things: forms with `data-progress` show an upload progress bar, and htmx
 *   requests mark their indicator busy.
 */
(function () {
  "use strict";

  // --- time zone --------------------------------------------------------------------------------
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* an old browser: the marketplace's zone is used */ }

  // --- live updates -----------------------------------------------------------------------------
  function setCount(name, value) {
    document.querySelectorAll('[data-live-count="' + name + '"]').forEach(function (badge) {
      badge.textContent = String(value);
      badge.hidden = !value;
    });
  }
  function bump(name) {
    var badge = document.querySelector('[data-live-count="' + name + '"]');
    if (badge) setCount(name, (parseInt(badge.textContent, 10) || 0) + 1);
  }
  function announce(type, detail) {
    document.body.dispatchEvent(new CustomEvent("live:" + type, { detail: detail || {}, bubbles: true }));
  }

  var pollTimer = null;
  function poll() {
    fetch("/live/counts/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        setCount("messages", data.messages);
        setCount("notifications", data.notifications);
        announce("poll", data);
      })
      .catch(function () {});
  }
  function startPolling() {
    if (pollTimer) return;
    document.documentElement.dataset.live = "polling";
    pollTimer = setInterval(poll, 20000);
  }

  function startLive() {
    var url = document.body.dataset.liveUrl;
    if (!url) return;
    if (!window.EventSource) { startPolling(); return; }
    var failures = 0;
    var source = new EventSource(url);
    source.addEventListener("open", function () {
      failures = 0;
      document.documentElement.dataset.live = "connected";
    });
    source.addEventListener("error", function () {
      failures += 1;
      if (failures >= 3) { source.close(); startPolling(); }
    });
    ["message.created", "notification.created", "booking.changed", "dispute.changed"].forEach(function (type) {
      source.addEventListener(type, function (event) {
        var data = {};
        try { data = JSON.parse(event.data); } catch (e) {}
        if (type === "message.created") bump("messages");
        if (type === "notification.created") bump("notifications");
        announce(type, data);
      });
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  // --- progress for uploads -----------------------------------------------------------------------
  function withUploadProgress(form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return;
      var files = form.querySelectorAll('input[type="file"]');
      var hasFile = Array.prototype.some.call(files, function (input) { return input.files && input.files.length; });
      if (!hasFile) return;
      event.preventDefault();
      var bar = form.querySelector("progress") || document.createElement("progress");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", form.dataset.progress || "Uploading");
      if (!bar.parentNode) form.appendChild(bar);
      form.setAttribute("aria-busy", "true");
      var xhr = new XMLHttpRequest();
      xhr.open(form.method || "POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener("load", function () {
        // Follow the server's answer like a normal submission would.
        if (xhr.responseURL && xhr.responseURL !== window.location.href) {
          window.location.assign(xhr.responseURL);
        } else {
          document.open(); document.write(xhr.responseText); document.close();
        }
      });
      xhr.addEventListener("error", function () { form.removeAttribute("aria-busy"); form.submit(); });
      xhr.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startLive();
    document.querySelectorAll("form[data-progress]").forEach(withUploadProgress);
    // The main menu on small screens.
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        nav.classList.toggle("open", open);
      });
    }
    // Close an open account menu when clicking elsewhere.
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        if (!menu.contains(event.target)) menu.removeAttribute("open");
      });
    });
  });
})();
