// Live screen: server push (Server-Sent Events), the alarm sound, the cuadrante filter.
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
  }

  function show(data) {
    const old = document.getElementById("incidente-" + data.pk);
    if (old) {
      old.outerHTML = data.html;
    } else {
      const empty = rows.querySelector("tr.empty");
      if (empty) empty.remove();
      rows.insertAdjacentHTML("afterbegin", data.html);
    }
    const row = document.getElementById("incidente-" + data.pk);
    if (data.new && row) row.classList.add("fresh");
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
