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

  // <form data-once>: the first submit disables its buttons, so a double tap files one report.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-once]")) { return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
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
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();
