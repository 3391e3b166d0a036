// 三率 bar chart on the KPI dashboard, drawn as plain SVG (no chart library: the smallest
// ECharts build that draws bars weighs 155 KB gzipped, more than a page's whole budget;
// docs/decisions.md, "KPI chart"). Progressive: the table below is the content; this only
// draws the same figures. Data comes from the json_script tag "kpi-data": labels, and
// series of {name, data} with percentages (null where a rate has no denominator).
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = ["#b3001b", "#0b6b2e", "#005fcc", "#8a4b00"];
  var TICKS = [0, 25, 50, 75, 100];
  var FONT = 12;

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function short(label, max) {
    return label.length > max ? label.slice(0, max - 1) + "…" : label;
  }

  // Legend items left to right, wrapping; returns the height it took.
  function legend(svg, series, width) {
    var x = 0, y = 0, row = FONT + 8;
    series.forEach(function (s, i) {
      var w = 18 + s.name.length * FONT + 12;
      if (x > 0 && x + w > width) { x = 0; y += row; }
      svg.appendChild(el("rect", { x: x, y: y + 2, width: 12, height: 12, fill: COLORS[i % COLORS.length] }));
      svg.appendChild(el("text", { x: x + 16, y: y + FONT + 1, "font-size": FONT, fill: "currentColor" }, s.name));
      x += w;
    });
    return y + row + 8;
  }

  function draw(holder, data) {
    var width = Math.max(holder.clientWidth, 280);
    var height = Math.max(holder.clientHeight, 240);
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, "aria-hidden": "true", focusable: "false" });
    var top = legend(svg, data.series, width);
    var rotate = data.labels.length > 4;
    var left = 40, bottom = rotate ? 64 : 24;
    var plotW = width - left - 4, plotH = height - top - bottom;
    var y = function (v) { return top + plotH - (plotH * v) / 100; };

    TICKS.forEach(function (t) {
      svg.appendChild(el("line", { x1: left, x2: width - 4, y1: y(t), y2: y(t), stroke: "#d0d0d0", "stroke-width": 1 }));
      svg.appendChild(el("text", { x: left - 4, y: y(t) + 4, "font-size": FONT, "text-anchor": "end", fill: "currentColor" }, t + "%"));
    });

    var group = plotW / data.labels.length;
    var bar = (group * 0.8) / data.series.length;
    data.labels.forEach(function (label, i) {
      var x0 = left + i * group + group * 0.1;
      data.series.forEach(function (s, j) {
        var v = s.data[i];
        if (v === null || v === undefined) { return; }
        var clamped = Math.max(0, Math.min(100, v));
        var rect = el("rect", { x: x0 + j * bar, y: y(clamped), width: Math.max(bar - 1, 1), height: y(0) - y(clamped), fill: COLORS[j % COLORS.length] });
        rect.appendChild(el("title", {}, label + " · " + s.name + "：" + v.toFixed(1) + "%"));  // as the table
        svg.appendChild(rect);
      });
      var cx = left + i * group + group / 2;
      var text = el("text", { x: cx, y: y(0) + FONT + 4, "font-size": FONT, "text-anchor": rotate ? "end" : "middle", fill: "currentColor" }, short(label, rotate ? 10 : 8));
      if (rotate) { text.setAttribute("transform", "rotate(-30 " + cx + " " + (y(0) + FONT + 4) + ")"); }
      text.appendChild(el("title", {}, label));
      svg.appendChild(text);
    });
    holder.replaceChildren(svg);
  }

  function start() {
    var holder = document.getElementById("kpi-chart");
    var source = document.getElementById("kpi-data");
    if (!holder || !source) {
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
    draw(holder, data);
    var pending;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { draw(holder, data); }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
