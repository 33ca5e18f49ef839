// dgl_nb course site: search over window.SEARCH_INDEX (written by .ci/docs_build.py), and a folded contents list
// on narrow windows. No network: everything it needs is in _static/.
(function () {
  'use strict';
  var narrow = window.matchMedia('(max-width: 60rem)');
  var toc = document.querySelector('details.toc');
  if (toc && narrow.matches) toc.open = false;

  var input = document.getElementById('search'), box = document.getElementById('search-results');
  if (!input || !box) return;
  var entries = (window.SEARCH_INDEX || []).map(function (e) {
    return {e: e, title: (e.t + ' ' + e.s).toLowerCase(), text: e.x.toLowerCase()};
  });
  function esc(s) { return s.replace(/[&<>"]/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; }); }
  function mark(s, terms) {
    var out = esc(s);
    terms.forEach(function (t) {
      out = out.replace(new RegExp('(' + t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ')', 'gi'), '<mark>$1</mark>');
    });
    return out;
  }
  function count(hay, t) { var n = 0, i = hay.indexOf(t); while (i >= 0 && n < 50) { n++; i = hay.indexOf(t, i + t.length); } return n; }
  function search(q) {
    var terms = q.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 1; });
    if (!terms.length) return [];
    var hits = [];
    entries.forEach(function (r) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var inTitle = r.title.indexOf(terms[i]) >= 0, n = count(r.text, terms[i]);
        if (!inTitle && !n) return;           // every term must occur
        score += (inTitle ? 10 : 0) + Math.min(n, 10);
      }
      hits.push({r: r, score: score});
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return hits.slice(0, 25).map(function (h) { return h.r; });
  }
  function snippet(text, terms) {
    var low = text.toLowerCase(), at = -1;
    terms.some(function (t) { at = low.indexOf(t); return at >= 0; });
    var from = Math.max(0, at - 60), s = text.slice(from, from + 180);
    return (from ? '… ' : '') + s + (from + 180 < text.length ? ' …' : '');
  }
  function show() {
    var q = input.value.trim(), terms = q.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 1; });
    if (!terms.length) { box.hidden = true; box.innerHTML = ''; return; }
    var res = search(q);
    box.innerHTML = res.length ? res.map(function (r, i) {
      var e = r.e, href = e.p + (e.a ? '#' + e.a : '');
      return '<a href="' + esc(href) + '"' + (i === 0 ? ' class="active"' : '') + '><div class="r-page">' + esc(e.t) +
        '</div><div class="r-sec">' + mark(e.s, terms) + '</div><div class="r-snip">' + mark(snippet(e.x, terms), terms) + '</div></a>';
    }).join('') : '<div class="none">No section contains every word.</div>';
    box.hidden = false;
  }
  input.addEventListener('input', show);
  input.addEventListener('keydown', function (ev) {
    var links = box.querySelectorAll('a'), cur = box.querySelector('a.active'), i = Array.prototype.indexOf.call(links, cur);
    if (ev.key === 'Enter' && cur) { window.location.href = cur.getAttribute('href'); }
    else if (ev.key === 'Escape') { box.hidden = true; input.blur(); }
    else if ((ev.key === 'ArrowDown' || ev.key === 'ArrowUp') && links.length) {
      ev.preventDefault();
      if (cur) cur.classList.remove('active');
      i = (i + (ev.key === 'ArrowDown' ? 1 : links.length - 1)) % links.length;
      links[i].classList.add('active'); links[i].scrollIntoView({block: 'nearest'});
    }
  });
  document.addEventListener('click', function (ev) { if (!box.contains(ev.target) && ev.target !== input) box.hidden = true; });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === '/' && document.activeElement !== input) { ev.preventDefault(); input.focus(); }
  });
})();
