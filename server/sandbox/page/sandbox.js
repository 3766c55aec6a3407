// The sandbox host page: plays GHL's part for the panel iframe and shows what reached the (simulated) GHL contact.
(function () {
  var boot = JSON.parse(document.getElementById('sandbox-boot').textContent);
  var frame = document.getElementById('panel-frame');
  var lang = new URLSearchParams(location.search).get('lang');
  frame.src = '/app/contacts/' + encodeURIComponent(boot.contactId) + (lang ? '?lang=' + encodeURIComponent(lang) : '');
  document.getElementById('webhook-url').textContent = boot.webhookUrl;

  // GHL answers REQUEST_USER_DATA with the user context encrypted under the app's Shared Secret.
  window.addEventListener('message', function (event) {
    if (event.source !== frame.contentWindow) return;
    if (!event.data || event.data.message !== 'REQUEST_USER_DATA') return;
    frame.contentWindow.postMessage({ message: 'REQUEST_USER_DATA_RESPONSE', payload: boot.ssoPayload }, location.origin);
  });

  function text(el, value) { el.textContent = value == null || value === '' ? '—' : String(value); }
  function fillList(id, items, render) {
    var list = document.getElementById(id);
    list.replaceChildren();
    items.forEach(function (item) {
      var li = document.createElement('li');
      li.setAttribute('dir', 'auto');
      li.textContent = render(item);
      list.appendChild(li);
    });
  }

  function refresh() {
    fetch('/sandbox/contact.json', { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        var c = body.data;
        if (!c) return;
        var dl = document.getElementById('contact-details');
        dl.replaceChildren();
        [['Name', c.name], ['Email', c.email], ['Phone', c.phone]].forEach(function (pair) {
          var dt = document.createElement('dt'); dt.textContent = pair[0];
          var dd = document.createElement('dd'); dd.setAttribute('dir', 'auto'); text(dd, pair[1]);
          dl.append(dt, dd);
        });
        fillList('contact-tags', c.tags, function (t) { return t; });
        fillList('contact-notes', c.notes, function (n) { return n.body; });
        fillList('contact-tasks', c.tasks, function (t) { return (t.completed ? '✓ ' : '') + t.title + (t.dueDate ? ' · ' + t.dueDate : ''); });
        document.getElementById('notes-count').textContent = '(' + c.notes.length + ')';
        document.getElementById('tasks-count').textContent = '(' + c.tasks.length + ')';
      })
      .catch(function () { /* the next tick retries */ });
  }

  document.getElementById('send-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = new FormData(e.target);
    var event = form.get('event');
    form.delete('event');
    var body = new URLSearchParams();
    form.forEach(function (value, key) { body.append(key, value); });
    var out = document.getElementById('send-result');
    out.textContent = 'Sending…';
    fetch(boot.webhookUrl + '?event=' + encodeURIComponent(event), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: body.toString(),
    })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        out.textContent = answer.ok ? 'Stored as ' + answer.eventId + (answer.duplicate ? ' (duplicate)' : '') : 'Refused: ' + JSON.stringify(answer.error || answer);
      })
      .catch(function (err) { out.textContent = 'Failed: ' + err; });
  });

  refresh();
  setInterval(refresh, 1500);
})();
