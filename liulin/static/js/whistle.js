// 雷锋哨 intake pages: small progressive enhancements. Every form works without this file.
(function () {
  "use strict";

  // "在哪里": show only the place fields the chosen option needs.
  function wherePlaces(form) {
    const radios = form.querySelectorAll('input[name="where"]');
    if (!radios.length) return;
    const groups = {
      building: ["building", "room"],
      point: ["lat", "lon"],
    };
    function fieldBox(name) {
      const input = form.querySelector('[name="' + name + '"]');
      return input ? input.closest("div") : null;
    }
    function update() {
      const chosen = form.querySelector('input[name="where"]:checked');
      const value = chosen ? chosen.value : "home";
      Object.keys(groups).forEach(function (key) {
        groups[key].forEach(function (name) {
          const box = fieldBox(name);
          if (box) box.hidden = key !== value;
        });
      });
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }

  // "使用当前位置": fill latitude and longitude from the phone's location, if allowed.
  function locateButton(form) {
    const lat = form.querySelector('[name="lat"]');
    const lon = form.querySelector('[name="lon"]');
    if (!lat || !lon || !("geolocation" in navigator)) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-secondary locate";
    button.textContent = document.documentElement.lang === "en" ? "Use my location" : "使用当前位置";
    const status = document.createElement("p");
    status.className = "helptext";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      status.textContent = document.documentElement.lang === "en" ? "Locating…" : "正在定位…";
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          lat.value = pos.coords.latitude.toFixed(6);
          lon.value = pos.coords.longitude.toFixed(6);
          status.textContent = document.documentElement.lang === "en" ? "Location filled in." : "已填入当前位置。";
        },
        function () {
          status.textContent = document.documentElement.lang === "en" ? "Location unavailable; choose a building instead." : "无法定位，请改选楼栋。";
        },
        { enableHighAccuracy: true, timeout: 10000 }
      );
    });
    const box = lat.closest("div");
    box.appendChild(button);
    box.appendChild(status);
  }

  function init() {
    document.querySelectorAll('form[data-testid="resident-form"], form[data-testid="patrol-form"]').forEach(function (form) {
      wherePlaces(form);
      locateButton(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
