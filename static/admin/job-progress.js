// The job page of a back-office import: while the job waits or runs, ask the server for its
// progress every second and move the bar; once it has ended, reload the page, which then
// shows the counts and the refused records. Without JavaScript the page refreshes itself.
(function () {
  "use strict";
  var bar = document.getElementById("job-progress");
  if (!bar) { return; }
  var text = document.getElementById("job-progress-text");
  var state = document.getElementById("job-state");
  var url = bar.getAttribute("data-progress-url");

  function show(job) {
    if (job.total) {
      bar.max = job.total;
      bar.value = job.done;
    }
    text.textContent = job.text;
    state.textContent = job.state_label;
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job && job.finished) { window.location.reload(); return; }
        if (job) { show(job); }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
