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
