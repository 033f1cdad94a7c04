// Follows a running move: polls /api/moves/{id} (the console's session authenticates it) until it ends.
(function () {
  var bar = document.getElementById('move-progress');
  if (!bar) { return; }
  var id = bar.getAttribute('data-move');
  var state = document.getElementById('move-state');
  var detail = document.getElementById('move-detail');
  var ended = { DONE: true, FAILED: true };
  function poll() {
    fetch('/api/moves/' + encodeURIComponent(id), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (m) {
        bar.value = m.percent || 0;
        state.textContent = m.state;
        detail.textContent = m.messagesCopied + ' of ' + m.messagesTotal + ' messages'
          + (m.etaSeconds != null ? ', about ' + m.etaSeconds + ' s left' : '')
          + (m.finalPhaseMillis != null ? ', final phase ' + m.finalPhaseMillis + ' ms' : '')
          + (m.error ? ': ' + m.error : '');
        if (!ended[m.state]) { setTimeout(poll, 500); }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
