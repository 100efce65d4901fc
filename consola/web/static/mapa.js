// The console's maps (incident page, live screen): bundled Leaflet; tiles only when
// configured, else (or when none loads: no internet) a plain grid with a scale.
"use strict";
window.consolaMap = function (box, note) {
  const map = L.map(box, { attributionControl: Boolean(box.dataset.tiles) });
  L.control.scale({ imperial: false }).addTo(map);
  function offline() {
    box.classList.add("offline");
    if (note) note.hidden = false;
  }
  if (box.dataset.tiles) {
    let loaded = 0;
    const attribution = document.createElement("span");
    attribution.textContent = box.dataset.attribution || "";
    const layer = L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: attribution.innerHTML });
    layer.on("tileload", function () {
      loaded += 1;
      box.classList.remove("offline");
      if (note) note.hidden = true;
    });
    layer.on("tileerror", function () { if (!loaded) offline(); });
    layer.addTo(map);
  } else {
    offline();
  }
  return map;
};

// A tooltip's content as text, never HTML: names come from the fronts.
window.consolaLabel = function (text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span;
};

window.CARTAGENA = [10.4, -75.5];
