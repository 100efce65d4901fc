// Incident page: refresh the answers' delivery states when the console pushes a change.
"use strict";
(function () {
  const page = document.getElementById("incidente");
  const answers = document.getElementById("answers");
  const pk = Number(page.dataset.pk);

  async function refresh() {
    const answer = await fetch(answers.dataset.src, { credentials: "same-origin" });
    if (answer.ok) answers.innerHTML = await answer.text();
  }

  const events = new EventSource("/en-vivo/eventos");
  events.addEventListener("incident", function (event) {
    if (JSON.parse(event.data).pk === pk) refresh();
  });
  events.addEventListener("hello", refresh);
})();

// The map: the front's area and each located sender (mapa.js draws the tiles or the grid).
(function () {
  const box = document.getElementById("map");
  if (!box || !window.L || !window.consolaMap) return;
  const data = JSON.parse(box.dataset.map);
  const map = window.consolaMap(box, document.getElementById("map-note"));
  const label = window.consolaLabel;
  const points = [];
  let markers = 0;
  let area = null;
  if (data.front) {
    const center = [data.front.lat, data.front.lon];
    map.setView(center, 16); // a view first: a circle's bounds need the map's projection
    area = L.circle(center, { radius: data.front.radius_m, color: "#0b2545", weight: 2, fillOpacity: 0.08 }).addTo(map);
    L.circleMarker(center, { radius: 7, color: "#0b2545", fillOpacity: 1 })
      .bindTooltip(label(data.front.label), { permanent: true, direction: "left", offset: [-8, 0] }).addTo(map);
    points.push(center);
    markers += 1;
  }
  for (const sender of data.senders) {
    const where = [sender.lat, sender.lon];
    if (sender.accuracy_m) L.circle(where, { radius: sender.accuracy_m, color: "#c00", weight: 1, fillOpacity: 0.1 }).addTo(map);
    L.circleMarker(where, { radius: 6, color: "#c00", fillOpacity: 1 })
      .bindTooltip(label(sender.label), { direction: "bottom" }).addTo(map);
    points.push(where);
    markers += 1;
  }
  const bounds = area && data.front.radius_m ? area.getBounds() : L.latLngBounds(points);
  for (const point of points) bounds.extend(point);
  if (points.length) map.fitBounds(bounds.pad(0.1), { maxZoom: 18 });
  else map.setView(window.CARTAGENA, 12);
  box.dataset.markers = String(markers);
})();
