/*
 * Session Broker: tells this tab the moment its session is revoked (no dependencies).
 *
 * <script src="{% static 'session_broker/revocation.js' %}"
 *         data-events-url="{% url 'session_broker:events' %}"
 *         data-signed-out-url="/signed-out/" defer></script>
 *
 * Listens to the server-sent events of session_broker.django.views.revocation_events; on a
 * "revoked" event it shows a notice (why, when, and the delay from the broker's event) and
 * goes to the signed-out page.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) {
    return;
  }
  var eventsUrl = script.getAttribute("data-events-url");
  var signedOutUrl = script.getAttribute("data-signed-out-url") || "/";
  var delayMs = Number(script.getAttribute("data-redirect-delay-ms") || 2500);
  var reasons = {
    backchannel_logout: "you signed out in another application",
    admin: "an administrator ended it",
    keycloak_admin: "Keycloak ended all sessions",
    expired: "it expired at Keycloak",
  };
  var source = new EventSource(eventsUrl);
  source.addEventListener("revoked", function (message) {
    source.close();
    var data = {};
    try {
      data = JSON.parse(message.data);
    } catch (ignored) {
      // A notice without details is still a notice.
    }
    var notice = document.createElement("div");
    notice.id = "session-broker-notice";
    notice.setAttribute("role", "alert");
    notice.style.cssText =
      "position:fixed;top:0;left:0;right:0;padding:12px;background:#b00020;color:#fff;" +
      "font:16px sans-serif;z-index:2147483647;text-align:center";
    var text = "Signed out: " + (reasons[data.reason] || "your session was revoked");
    if (data.at) {
      text += " at " + new Date(data.at).toLocaleTimeString();
    }
    if (typeof data.delayMs === "number") {
      text += " (" + data.delayMs + " ms after the broker's event)";
    }
    notice.textContent = text + ".";
    document.body.appendChild(notice);
    setTimeout(function () {
      window.location.assign(signedOutUrl);
    }, delayMs);
  });
})();
