/*
 * Session Broker live push (SPEC §3.4): shows a notice the moment this tab's session is revoked,
 * then goes to the signed-out page. No dependencies. Include it in signed-in pages:
 *
 *   <script src="/session-broker/session-events.js" defer
 *           data-events-url="/session-broker/events"
 *           data-signed-out-url="/signed-out"
 *           data-status-selector="#status"
 *           data-redirect-after-ms="5000"></script>
 *
 * data-events-url       the server-sent-events endpoint (default /session-broker/events)
 * data-signed-out-url   where to go afterwards; reason, at and delayMillis are added as query
 *                       parameters (default /signed-out)
 * data-status-selector  optional: an element whose text becomes "Signed out"
 * data-redirect-after-ms how long the notice stays before the page changes (default 5000; -1: stay)
 *
 * The document also receives a "session-broker:revoked" CustomEvent whose detail is the event
 * (null when the session had already ended), so a page can react in its own way.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  function option(name, fallback) {
    var value = script && script.getAttribute('data-' + name);
    return value === null || value === undefined || value === '' ? fallback : value;
  }
  var eventsUrl = option('events-url', '/session-broker/events');
  var signedOutUrl = option('signed-out-url', '/signed-out');
  var statusSelector = option('status-selector', null);
  var redirectAfter = parseInt(option('redirect-after-ms', '5000'), 10);

  var REASONS = {
    backchannel_logout: 'You signed out at Keycloak (in this or another app): back-channel logout.',
    admin: 'An administrator revoked this session.',
    keycloak_admin: 'Keycloak ended every session of this app ("logout all" or a not-before push).',
    expired: 'Your Keycloak session expired.'
  };

  function pad(number) {
    return (number < 10 ? '0' : '') + number;
  }

  function timeOf(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return '';
    }
    return pad(date.getUTCHours()) + ':' + pad(date.getUTCMinutes()) + ':' +
        pad(date.getUTCSeconds()) + ' UTC';
  }

  function describe(event) {
    if (!event) {
      return 'Your session has ended.';
    }
    var why = REASONS[event.reason] || 'Your session was revoked.';
    var when = timeOf(event.at);
    var delay = typeof event.delayMillis === 'number' ? event.delayMillis : null;
    return why + (when ? ' At ' + when : '') +
        (delay !== null ? ', pushed ' + delay + ' ms after the broker\u2019s event.' : '.');
  }

  function show(event) {
    var notice = document.createElement('div');
    notice.id = 'session-broker-notice';
    notice.setAttribute('role', 'alert');
    notice.setAttribute('data-reason', event ? event.reason : 'ended');
    notice.style.cssText = 'position:fixed;top:0;left:0;right:0;z-index:2147483647;' +
        'padding:1rem 1.5rem;background:#7f1d1d;color:#fff;font:1rem system-ui,sans-serif;' +
        'box-shadow:0 2px 12px rgba(0,0,0,.3)';
    var title = document.createElement('strong');
    title.textContent = 'Signed out. ';
    var text = document.createElement('span');
    text.id = 'session-broker-notice-text';
    text.textContent = describe(event);
    notice.appendChild(title);
    notice.appendChild(text);
    document.body.appendChild(notice);
    if (statusSelector) {
      var status = document.querySelector(statusSelector);
      if (status) {
        status.textContent = 'Signed out';
        status.className = status.className.replace(/\bin\b/, 'out');
      }
    }
    document.dispatchEvent(new CustomEvent('session-broker:revoked', {detail: event}));
    if (redirectAfter >= 0) {
      var query = event
          ? '?reason=' + encodeURIComponent(event.reason) + '&at=' + encodeURIComponent(event.at) +
            '&delayMillis=' + encodeURIComponent(event.delayMillis)
          : '';
      window.setTimeout(function () {
        window.location.assign(signedOutUrl + query);
      }, redirectAfter);
    }
  }

  if (!window.EventSource) {
    return;
  }
  var done = false;
  var source = new EventSource(eventsUrl, {withCredentials: true});
  source.addEventListener('open', function () {
    // Lets a page (and its tests) see that live push is in place.
    document.documentElement.setAttribute('data-session-broker', 'connected');
  });
  function finish(event) {
    if (done) {
      return;
    }
    done = true;
    source.close();
    show(event);
  }
  source.addEventListener('revoked', function (message) {
    var event = null;
    try {
      event = JSON.parse(message.data);
    } catch (ignored) {
      event = null;
    }
    finish(event);
  });
  source.addEventListener('signed-out', function () {
    finish(null);
  });
})();
