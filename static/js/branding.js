/* The branding page's live preview: the same colour rules as branding/colors.py (WCAG 2 contrast,
 * the readable text colour on the brand colours, muted text and surfaces) applied to the preview as
 * the admin types. The server checks everything again when the draft is saved. */
(function () {
  "use strict";
  var WHITE = "#ffffff", INK = "#111827";

  function parse(value) {
    var text = String(value || "").trim().toLowerCase();
    if (text && text[0] !== "#") text = "#" + text;
    if (/^#[0-9a-f]{3}$/.test(text)) text = "#" + text[1] + text[1] + text[2] + text[2] + text[3] + text[3];
    return /^#[0-9a-f]{6}$/.test(text) ? text : null;
  }
  function rgb(c) { return [1, 3, 5].map(function (i) { return parseInt(c.slice(i, i + 2), 16); }); }
  function luminance(c) {
    var v = rgb(c).map(function (x) { x /= 255; return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function mix(a, b, t) {
    var x = rgb(a), y = rgb(b);
    return "#" + x.map(function (v, i) { return ("0" + Math.round(v + (y[i] - v) * t).toString(16)).slice(-2); }).join("");
  }
  function onColor(c) { return contrast(WHITE, c) >= contrast(INK, c) ? WHITE : INK; }

  function palette(p, a, t, bg) {
    var light = luminance(bg) > 0.5;
    var surface = light ? mix(bg, WHITE, 0.75) : mix(bg, t, 0.07);
    if (contrast(t, surface) < 4.5) surface = bg;
    var muted = t;
    for (var step = 9; step >= 0; step--) {
      var m = mix(t, bg, step * 0.05);
      if (Math.min(contrast(m, bg), contrast(m, surface)) >= 4.5) { muted = m; break; }
    }
    var link = t;
    for (var s = 0; s <= 20; s++) {
      var l = mix(p, t, s / 20);
      if (Math.min(contrast(l, bg), contrast(l, surface)) >= 4.5) { link = l; break; }
    }
    return { primary: p, "primary-text": onColor(p), accent: a, "accent-text": onColor(a), text: t, muted: muted,
      background: bg, surface: surface, border: mix(bg, t, 0.16), link: link };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("branding-form");
    var preview = document.getElementById("brand-preview");
    var readout = document.getElementById("contrast-readout");
    if (!form || !preview) return;
    var fields = {};
    ["primary_color", "accent_color", "text_color", "background_color"].forEach(function (name) {
      fields[name] = form.querySelector('[name="' + name + '"]');
    });
    var stacks = {};
    form.querySelectorAll("select[name$=_font] option").forEach(function (option) {
      stacks[option.value] = option.dataset.stack;
    });

    function update() {
      var v = {};
      for (var name in fields) v[name] = parse(fields[name] && fields[name].value);
      if (v.primary_color && v.accent_color && v.text_color && v.background_color) {
        var colours = palette(v.primary_color, v.accent_color, v.text_color, v.background_color);
        for (var key in colours) preview.style.setProperty("--color-" + key, colours[key]);
        var ratio = contrast(v.text_color, v.background_color);
        var ok = ratio >= 4.5;
        readout.innerHTML = "";
        var span = document.createElement("span");
        if (!ok) span.className = "bad";
        // the ratio written the way the page's language writes numbers (4.5 in English, 4,5 in German)
        var shown = Number(ratio.toFixed(1)).toLocaleString(document.documentElement.lang || undefined,
          { minimumFractionDigits: 1, maximumFractionDigits: 1 });
        span.textContent = (form.dataset.contrastLabel || "Text on background:") + " " + shown + ":1 " +
          (ok ? "✓" : "— " + (form.dataset.contrastTooLow || "too low, needs 4.5:1"));
        readout.appendChild(span);
      }
      ["heading_font", "body_font"].forEach(function (name) {
        var select = form.querySelector('[name="' + name + '"]');
        var stack = select && select.selectedOptions[0] && select.selectedOptions[0].dataset.stack;
        if (stack) preview.style.setProperty(name === "heading_font" ? "--font-heading" : "--font-body", stack);
      });
    }

    form.querySelectorAll(".color-swatch").forEach(function (swatch) {
      var text = document.getElementById(swatch.dataset.for);
      if (!text) return;
      var value = parse(text.value);
      if (value) swatch.value = value;
      swatch.addEventListener("input", function () { text.value = swatch.value; update(); });
      text.addEventListener("input", function () { var c = parse(text.value); if (c) swatch.value = c; update(); });
    });
    form.querySelectorAll("select[name$=_font]").forEach(function (s) { s.addEventListener("change", update); });
    update();
  });
})();
