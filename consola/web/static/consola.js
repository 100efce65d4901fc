// Live screen: server push (Server-Sent Events), the alarm sound, the cuadrante filter, and
// the map of the listed alarms (one marker per front place; a click opens the incident).
"use strict";
(function () {
  const rows = document.getElementById("rows");
  const link = document.getElementById("link");
  const soundButton = document.getElementById("sound");
  const filter = document.getElementById("cuadrante");
  const cuadrante = rows.dataset.cuadrante || "";
  const query = cuadrante ? "?cuadrante=" + encodeURIComponent(cuadrante) : "";
  let audio = null;
  let sounds = 0;
  let dropped = false;
  document.body.dataset.sounds = "0";

  const mapBox = document.getElementById("live-map");
  const map = mapBox && window.L && window.consolaMap
    ? window.consolaMap(mapBox, document.getElementById("map-note")) : null;
  const markers = map ? L.layerGroup().addTo(map) : null;
  if (map) map.setView(window.CARTAGENA, 12);

  function colour(row) {
    if (row.dataset.ended) return "#777"; // closed by the police or cancelled by the front
    if (row.classList.contains("drill")) return "#1565c0";
    if (row.classList.contains("duress")) return "#6a1b9a";
    return "#c00";
  }

  function drawMap(fit) {
    if (!map) return;
    markers.clearLayers();
    const points = [];
    const order = ["#777", "#1565c0", "#6a1b9a", "#c00"]; // real alarms drawn last: on top
    const listed = Array.from(rows.querySelectorAll("tr.incident[data-lat]"));
    listed.sort(function (a, b) { return order.indexOf(colour(a)) - order.indexOf(colour(b)); });
    for (const row of listed) {
      const where = [Number(row.dataset.lat), Number(row.dataset.lon)];
      if (!Number.isFinite(where[0]) || !Number.isFinite(where[1])) continue;
      const marker = L.circleMarker(where, { radius: 8, color: colour(row), fillOpacity: 0.9 });
      marker.bindTooltip(window.consolaLabel(row.dataset.name || ""), { direction: "top" });
      const page = row.querySelector("a[href^='/incidentes/']");
      if (page) marker.on("click", function () { window.location.href = page.getAttribute("href"); });
      marker.addTo(markers);
      points.push(where);
    }
    mapBox.dataset.markers = String(points.length);
    if (fit && points.length) map.fitBounds(L.latLngBounds(points).pad(0.2), { maxZoom: 16, animate: false });
  }
  drawMap(true);

  function beep() {
    if (!audio) return;
    const start = audio.currentTime;
    for (let i = 0; i < 3; i++) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = i % 2 ? 660 : 880;
      gain.gain.value = 0.3;
      tone.connect(gain).connect(audio.destination);
      tone.start(start + i * 0.35);
      tone.stop(start + i * 0.35 + 0.3);
    }
  }

  soundButton.addEventListener("click", function () {
    // Browsers play sound only after a gesture: this click unlocks it for the shift.
    if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
    audio.resume();
    soundButton.textContent = soundButton.dataset.on;
    soundButton.classList.add("on");
  });

  filter.addEventListener("change", function () {
    window.location.search = filter.value ? "?cuadrante=" + encodeURIComponent(filter.value) : "";
  });

  async function reloadRows() {
    const answer = await fetch("/en-vivo/filas" + query, { credentials: "same-origin" });
    if (answer.ok) rows.innerHTML = await answer.text();
    drawMap(true);
  }

  function show(data) {
    const old = document.getElementById("incidente-" + data.pk);
    if (old) {
      // Keep the pictures already shown: a new <img> would fetch (and audit) them again.
      const shown = new Map();
      for (const img of old.querySelectorAll("img.thumb")) shown.set(img.getAttribute("src"), img);
      old.outerHTML = data.html;
      const fresh = document.getElementById("incidente-" + data.pk);
      for (const img of fresh ? fresh.querySelectorAll("img.thumb") : []) {
        const kept = shown.get(img.getAttribute("src"));
        if (kept) img.replaceWith(kept);
      }
    } else {
      const empty = rows.querySelector("tr.empty");
      if (empty) empty.remove();
      rows.insertAdjacentHTML("afterbegin", data.html);
    }
    const row = document.getElementById("incidente-" + data.pk);
    if (data.new && row) row.classList.add("fresh");
    drawMap(Boolean(data.new)); // a new alarm brings the map to it; an update keeps the view
    if (data.sound) {
      sounds += 1;
      document.body.dataset.sounds = String(sounds);
      beep();
    }
  }

  const events = new EventSource("/en-vivo/eventos" + query);
  events.addEventListener("hello", function () {
    link.textContent = link.dataset.ok;
    link.className = "link ok";
    if (dropped) reloadRows();
    dropped = false;
  });
  events.addEventListener("incident", function (event) {
    show(JSON.parse(event.data));
  });
  events.addEventListener("reload", reloadRows);
  events.onerror = function () {
    dropped = true;
    link.textContent = link.dataset.down;
    link.className = "link down";
  };
})();
