/* Anxin behaviours, all by data attributes (no inline scripts: CSP script-src 'self'). */
(function () {
  "use strict";

  // <button data-confirm="确定删除？"> asks before submitting; also for htmx requests.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !el.hasAttribute("hx-confirm") && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Every form that writes (method="post", hx-post) is sent once: the first submit disables its
  // buttons and the one pressed shows "提交中…", so a double click sends one request. The server
  // refuses a repeat anyway (anxin.core.once: the form's one-time token). <form data-repeat> opts
  // out. An htmx form gets its buttons back when its request ends; a page shown again from the
  // back/forward cache is reset; a native form whose page never changes (a download) after 15 s.
  var BUSY = '<span class="spinner-border spinner-border-sm me-2" role="status" aria-hidden="true"></span>提交中…';

  function writes(form) {
    if (!form || form.tagName !== "FORM" || form.hasAttribute("data-repeat")) { return false; }
    return form.method === "post" || form.hasAttribute("hx-post") || form.hasAttribute("data-once");
  }

  function busy(form, pressed) {
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
      if (b.disabled) { return; }
      b.disabled = true;
      b.dataset.busy = "1";
      if (b === pressed && b.tagName === "BUTTON" && !b.dataset.label) {
        b.dataset.label = b.innerHTML;
        b.innerHTML = BUSY;
      }
    });
  }

  function ready(form) {
    delete form.dataset.sent;
    form.querySelectorAll("[data-busy]").forEach(function (b) {
      if (b.dataset.label !== undefined) { b.innerHTML = b.dataset.label; delete b.dataset.label; }
      b.disabled = false;
      delete b.dataset.busy;
    });
  }

  // Capture phase: before htmx's own listener on the form, so a second submit never reaches it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!writes(form)) { return; }
    if (form.dataset.sent) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (form.hasAttribute("hx-post")) { return; }  // htmx forms: see htmx:beforeRequest
    var pressed = event.submitter;
    form.dataset.sent = "1";
    // After the event: the pressed button's name and value are already in the request, and a
    // handler that cancelled the submit leaves the form as it was.
    window.setTimeout(function () {
      if (event.defaultPrevented) { delete form.dataset.sent; return; }
      busy(form, pressed);
      window.setTimeout(function () { ready(form); }, 15000);
    }, 0);
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (writes(form) && form.hasAttribute("hx-post")) { busy(form, form.querySelector("button[type=submit], button:not([type])")); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (writes(form) && form.hasAttribute("hx-post")) { ready(form); }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { document.querySelectorAll("form[data-sent]").forEach(ready); }
  });

  // <form data-autosubmit> submits (through htmx if the form has hx-get) when a select changes.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (!form || event.target.tagName === "INPUT" && event.target.type === "text") { return; }
    if (window.htmx && form.hasAttribute("hx-get")) { window.htmx.trigger(form, "submit"); } else { form.submit(); }
  });

  // <div class="chart" data-chart='{"type": "bar", "labels": [...], "values": [...]}'> draws with ECharts.
  function drawCharts(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var spec = JSON.parse(el.getAttribute("data-chart"));
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      var option;
      if (spec.type === "stacked") {
        option = {
          tooltip: { trigger: "axis" },
          legend: { top: 0 },
          grid: { left: 40, right: 10, top: 30, bottom: 40 },
          xAxis: { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: spec.labels.length > 6 ? 30 : 0 } },
          yAxis: { type: "value", minInterval: 1 },
          series: spec.series.map(function (s) { return { name: s.name, type: "bar", stack: "all", data: s.values, itemStyle: { color: s.color } }; })
        };
      } else if (spec.type === "line") {
        option = {
          tooltip: { trigger: "axis" },
          grid: { left: 40, right: 10, top: 20, bottom: 30 },
          xAxis: { type: "category", data: spec.labels },
          yAxis: { type: "value", minInterval: 1 },
          series: [{ type: "line", data: spec.values, smooth: true, areaStyle: {}, itemStyle: { color: "#d63939" } }]
        };
      } else if (spec.type === "pie") {
        option = {
          tooltip: { trigger: "item" },
          legend: { bottom: 0, type: "scroll" },
          series: [{ type: "pie", radius: ["40%", "70%"], data: spec.labels.map(function (l, i) { return { name: l, value: spec.values[i] }; }) }]
        };
      } else {
        option = {
          tooltip: { trigger: "axis" },
          grid: { left: 40, right: 10, top: 20, bottom: 40 },
          xAxis: { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: spec.labels.length > 6 ? 30 : 0 } },
          yAxis: { type: "value", minInterval: 1 },
          series: [{ type: "bar", data: spec.values, itemStyle: { color: "#206bc4" } }]
        };
      }
      chart.setOption(option);
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  // A refused form comes back with its first wrong field (or its error block) marked
  // data-error-focus (and autofocus, which works without JavaScript): open the <details> it sits
  // in, focus it and bring it to the middle of the screen, wherever on the page the form is.
  function focusError() {
    var el = document.querySelector("[data-error-focus]");
    if (!el) { return; }
    for (var p = el.parentElement; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") { p.open = true; }
    }
    try { el.focus({ preventScroll: true }); } catch (e) { el.focus(); }
    el.scrollIntoView({ block: "center" });
  }

  document.addEventListener("DOMContentLoaded", function () { focusError(); drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();
