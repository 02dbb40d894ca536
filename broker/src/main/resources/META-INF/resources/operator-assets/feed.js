// Live feed of the operator page: each server-sent event is one revocation event (JSON, event
// format v1); it becomes the table's first row. The browser's EventSource reconnects by itself.
(function () {
  "use strict";
  var table = document.getElementById("feed");
  var state = document.getElementById("feed-state");
  if (!table || !window.EventSource) {
    return;
  }
  var body = table.tBodies[0];
  var source = new EventSource(table.getAttribute("data-feed"));
  source.onopen = function () {
    state.textContent = "live";
  };
  source.onerror = function () {
    state.textContent = "reconnecting ...";
  };
  source.onmessage = function (message) {
    var event;
    try {
      event = JSON.parse(message.data);
    } catch (e) {
      return;
    }
    var cells = [
      event.at,
      event.clientId,
      event.type,
      event.reason,
      event.sid || "",
      event.sub || "",
      String((event.sessionIds || []).length),
      event.id
    ];
    var row = body.insertRow(0);
    row.className = "new";
    cells.forEach(function (text) {
      row.insertCell(-1).textContent = text;
    });
  };
})();
