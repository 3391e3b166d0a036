// 三率 bar chart on the KPI dashboard. Progressive: the table below is the content; this only
// draws the same figures when echarts loaded. Data comes from the json_script tag "kpi-data".
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("kpi-chart");
    var source = document.getElementById("kpi-data");
    if (!holder || !source || typeof window.echarts === "undefined") {
      return;
    }
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    if (!data.labels || data.labels.length === 0) {
      holder.hidden = true;
      return;
    }
    holder.classList.add("kpi-chart-on");
    var chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      aria: { enabled: true },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      color: ["#b3001b", "#0b6b2e", "#005fcc", "#8a4b00"],
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
