// piimap map page: draws the PII location map embedded in #piimap-data as
// a layered SVG (one column per store, ordered so that sources sit left of
// their copies and parents left of their children; assets inside stores; one row
// per location), with filters by PII type and store, and a details panel
// with confidence and evidence. State lives in the URL hash:
//   #type=email,phone&store=app,wh&sel=app%2Fmain.users%23email
// Names come from scanned stores: they only ever reach the page through
// textContent and setAttribute, never as markup.
(function () {
  'use strict';
  const SVGNS = 'http://www.w3.org/2000/svg';
  const data = JSON.parse(document.getElementById('piimap-data').textContent);
  const map = data.map;
  const storeInfo = data.stores || {};
  const COL_W = 330, COL_GAP = 150, ROW_H = 20, ASSET_HEAD = 22, STORE_HEAD = 38, PAD = 8, STORE_GAP = 26;

  // ---- model --------------------------------------------------------
  const keyOf = (s, a, f) => s + '/' + a + (f ? '#' + f : '');
  const nodes = [], byKey = new Map(), edges = [];
  function addNode(store, asset, field, loc) {
    const k = keyOf(store, asset, field);
    let n = byKey.get(k);
    if (!n) {
      n = { key: k, store: store, asset: asset, field: field, loc: loc, out: [], in: [] };
      byKey.set(k, n);
      nodes.push(n);
    } else if (loc && !n.loc) {
      n.loc = loc;
    }
    return n;
  }
  for (const l of map.locations) addNode(l.store, l.asset, l.field, l);
  for (const l of map.locations) {
    const from = byKey.get(keyOf(l.store, l.asset, l.field));
    for (const e of l.edges || []) {
      const to = addNode(e.to.store, e.to.asset, e.to.field, null);
      const edge = { from: from, to: to, e: e };
      edges.push(edge);
      from.out.push(edge);
      to.in.push(edge);
    }
  }
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  nodes.sort((a, b) => cmp(a.store, b.store) || cmp(a.asset, b.asset) || cmp(a.field, b.field));
  const allTypes = [...new Set(map.locations.flatMap(l => (l.pii || []).map(p => p.type)))].sort();
  const allStores = [...new Set(nodes.map(n => n.store))].sort();

  function role(n) {
    if (!n.loc) return 'external';
    if (n.loc.subject_key) return 'key';
    if ((n.loc.pii || []).length) return 'pii';
    if (n.loc.derived_copy) return 'copy';
    return 'join';
  }
  const edgeClass = e => (e.transform === 'masked' ? 'masked' : e.kind);
  const fmt = x => Number(x).toFixed(2);
  function edgeText(ed) {
    const e = ed.e;
    return ed.from.key + ' \u2192 ' + e.kind + ' \u2192 ' + ed.to.key + ' (' + e.source + ' ' + fmt(e.confidence) +
      (e.transform ? ', ' + e.transform : '') + ')';
  }

  // ---- state (URL hash) ----------------------------------------------
  function readState() {
    const st = { types: new Set(), stores: new Set(), sel: '' };
    for (const part of location.hash.replace(/^#/, '').split('&')) {
      const i = part.indexOf('=');
      if (i < 0) continue;
      const k = part.slice(0, i), vals = part.slice(i + 1).split(',').filter(Boolean).map(v => {
        try { return decodeURIComponent(v); } catch (_) { return v; }
      });
      if (k === 'type') vals.forEach(v => st.types.add(v));
      if (k === 'store') vals.forEach(v => st.stores.add(v));
      if (k === 'sel' && vals.length) st.sel = vals[0];
    }
    return st;
  }
  function writeState(st) {
    const parts = [];
    const esc = v => encodeURIComponent(v).replace(/,/g, '%2C');
    const enc = s => [...s].sort().map(esc).join(',');
    if (st.types.size) parts.push('type=' + enc(st.types));
    if (st.stores.size) parts.push('store=' + enc(st.stores));
    if (st.sel) parts.push('sel=' + esc(st.sel));
    history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search);
    render();
  }

  // ---- helpers -------------------------------------------------------
  function el(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function h(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const trunc = (s, n) => (s.length > n ? s.slice(0, n - 1) + '\u2026' : s);

  // ---- controls ------------------------------------------------------
  function buildControls(st, visibleCount) {
    const mk = (box, values, chosen, counts, name) => {
      box.replaceChildren();
      for (const v of values) {
        const lab = h('label', 'opt');
        const cb = document.createElement('input');
        cb.type = 'checkbox';
        cb.checked = chosen.has(v);
        cb.dataset[name] = v;
        cb.addEventListener('change', () => {
          const cur = readState();
          const set = name === 'type' ? cur.types : cur.stores;
          cb.checked ? set.add(v) : set.delete(v);
          writeState(cur);
        });
        lab.append(cb, h('span', '', v), h('span', 'count', String(counts(v))));
        box.append(lab);
      }
    };
    mk(document.getElementById('types'), allTypes, st.types,
      t => map.locations.filter(l => (l.pii || []).some(p => p.type === t)).length, 'type');
    mk(document.getElementById('stores'), allStores, st.stores,
      s => map.locations.filter(l => l.store === s).length, 'store');
    document.getElementById('hint').textContent = st.types.size || st.stores.size
      ? 'Filtered: ' + visibleCount + ' of ' + map.locations.length + ' locations.'
      : 'No filter: every location is shown. Tick types or stores to narrow.';
  }

  // ---- layout + drawing ----------------------------------------------
  function visibleModel(st) {
    const typeOK = n => !st.types.size || (n.loc && (n.loc.pii || []).some(p => st.types.has(p.type)));
    const storeOK = n => !st.stores.size || st.stores.has(n.store);
    const vis = new Set(nodes.filter(n => n.loc && storeOK(n) && typeOK(n)));
    for (const n of [...vis]) {
      for (const ed of n.out) if (!ed.to.loc && storeOK(ed.to)) vis.add(ed.to);
    }
    const vedges = edges.filter(ed => vis.has(ed.from) && vis.has(ed.to));
    return { vis: vis, vedges: vedges };
  }

  function layout(vis, vedges) {
    // Store ranks: an edge points from a copy (or child) to its source (or
    // parent), so the target's store goes left of the source's store.
    const stores = [...new Set([...vis].map(n => n.store))].sort();
    const rank = new Map(stores.map(s => [s, 0]));
    for (let i = 0; i < stores.length; i++) {
      let changed = false;
      for (const ed of vedges) {
        const a = ed.from.store, b = ed.to.store;
        if (a !== b && rank.get(a) < rank.get(b) + 1 && rank.get(b) + 1 < stores.length) {
          rank.set(a, rank.get(b) + 1);
          changed = true;
        }
      }
      if (!changed) break;
    }
    // One column per store, sources first; a store with many assets
    // stays one tall column rather than being split.
    const cols = stores.slice().sort((a, b) => rank.get(a) - rank.get(b) || cmp(a, b)).map(s => [s]);
    const pos = new Map(), boxes = [];
    let x = 20, maxY = 0, c = 0;
    for (const col of cols) {
      if (!col) continue;
      let y = 20;
      for (const s of col) {
        const sb = { store: s, x: x, y: y, col: c, assets: [] };
        let ay = y + STORE_HEAD;
        const assets = new Map();
        for (const n of nodes) if (vis.has(n) && n.store === s) {
          if (!assets.has(n.asset)) assets.set(n.asset, []);
          assets.get(n.asset).push(n);
        }
        for (const [a, ns] of assets) {
          const ab = { asset: a, y: ay, h: ASSET_HEAD + ns.length * ROW_H + PAD / 2 };
          ns.forEach((n, i) => pos.set(n, { x: x + PAD * 2, y: ay + ASSET_HEAD + i * ROW_H, w: COL_W - PAD * 4, col: c }));
          sb.assets.push(ab);
          ay += ab.h + PAD;
        }
        sb.h = ay - y;
        boxes.push(sb);
        y = ay + STORE_GAP;
      }
      maxY = Math.max(maxY, y);
      x += COL_W + COL_GAP;
      c++;
    }
    return { pos: pos, boxes: boxes, width: Math.max(x - COL_GAP + 60, 400), height: Math.max(maxY, 120) };
  }

  function draw(st) {
    const svg = document.getElementById('graph');
    const { vis, vedges } = visibleModel(st);
    const L = layout(vis, vedges);
    svg.replaceChildren();
    svg.setAttribute('width', L.width);
    svg.setAttribute('height', L.height);
    svg.setAttribute('viewBox', '0 0 ' + L.width + ' ' + L.height);
    const defs = el('defs');
    for (const k of ['references', 'derived_from', 'copy_of', 'masked']) {
      const m = el('marker', { id: 'arrow-' + k, viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
      m.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'mk ' + k }));
      defs.append(m);
    }
    svg.append(defs);
    const gStores = el('g', { class: 'stores' }), gEdges = el('g', { class: 'edges' }), gNodes = el('g', { class: 'locs' });
    svg.append(gStores, gEdges, gNodes);
    for (const b of L.boxes) {
      const g = el('g', { class: 'store', 'data-store': b.store });
      const info = storeInfo[b.store] || {};
      g.append(el('rect', { x: b.x, y: b.y, width: COL_W, height: b.h, rx: 8 }));
      g.append(el('text', { x: b.x + 10, y: b.y + 17 }, trunc(b.store + (info.kind ? ' (' + info.kind + ')' : ''), 44)));
      g.append(el('text', { x: b.x + 10, y: b.y + 30, class: 'ns' }, trunc(info.namespace || '', 56)));
      g.append(el('title', {}, b.store + (info.namespace ? '\n' + info.namespace : '')));
      for (const a of b.assets) {
        const ag = el('g', { class: 'asset', 'data-asset': a.asset });
        ag.append(el('rect', { x: b.x + PAD, y: a.y, width: COL_W - PAD * 2, height: a.h, rx: 5 }));
        ag.append(el('text', { x: b.x + PAD + 6, y: a.y + 15 }, trunc(a.asset, 46)));
        ag.append(el('title', {}, a.asset));
        g.append(ag);
      }
      gStores.append(g);
    }
    // Edges: from the side of a row facing the other end; within one
    // column, a loop out to the right.
    let loops = 0;
    for (const ed of vedges) {
      const p = L.pos.get(ed.from), q = L.pos.get(ed.to);
      const y1 = p.y + ROW_H / 2 - 1, y2 = q.y + ROW_H / 2 - 1;
      let d;
      if (p.col === q.col) {
        const x1 = p.x + p.w, x2 = q.x + q.w, bulge = 34 + 12 * (loops++ % 5);
        d = 'M' + x1 + ',' + y1 + ' C' + (x1 + bulge) + ',' + y1 + ' ' + (x2 + bulge) + ',' + y2 + ' ' + x2 + ',' + y2;
      } else {
        const fwd = p.col < q.col;
        const x1 = fwd ? p.x + p.w : p.x, x2 = fwd ? q.x : q.x + q.w, dx = (x2 - x1) / 2;
        d = 'M' + x1 + ',' + y1 + ' C' + (x1 + dx) + ',' + y1 + ' ' + (x2 - dx) + ',' + y2 + ' ' + x2 + ',' + y2;
      }
      const cls = edgeClass(ed.e);
      const g = el('g', { class: 'edge-g', 'data-from': ed.from.key, 'data-to': ed.to.key });
      const path = el('path', { d: d, class: 'edge ' + cls, 'marker-end': 'url(#arrow-' + cls + ')' });
      const hit = el('path', { d: d, class: 'edge-hit' });
      hit.append(el('title', {}, edgeText(ed)));
      g.append(path, hit);
      if (cls === 'masked') {
        const mx = (p.col === q.col) ? p.x + p.w + 30 : (p.x + q.x + p.w) / 2, my = (y1 + y2) / 2 - 4;
        g.append(el('text', { x: mx, y: my, class: 'elabel', 'text-anchor': 'middle' }, 'masked'));
      }
      ed.svg = g;
      gEdges.append(g);
    }
    for (const n of nodes) {
      if (!vis.has(n)) continue;
      const p = L.pos.get(n);
      const r = role(n);
      const g = el('g', { class: 'loc ' + r + (st.sel === n.key ? ' selected' : ''), 'data-key': n.key, tabindex: '0' });
      g.append(el('rect', { x: p.x, y: p.y + 1, width: p.w, height: ROW_H - 3, rx: 3 }));
      g.append(el('text', { x: p.x + 6, y: p.y + 14 }, trunc(n.field || '(whole object)', 26)));
      let pii = (n.loc ? n.loc.pii || [] : []).filter(x => !st.types.size || st.types.has(x.type));
      let label = pii.map(x => x.type + ' ' + fmt(x.confidence)).join(', ');
      if (!n.loc) label = 'outside the map';
      else if (!label) label = n.loc.subject_key ? 'key: ' + n.loc.identity : n.loc.join_key ? 'join key' : 'copy';
      g.append(el('text', { x: p.x + p.w - 6, y: p.y + 14, class: 'types', 'text-anchor': 'end' }, trunc(label, 30)));
      g.append(el('title', {}, n.key + (pii.length ? '\n' + pii.map(x => x.type + ' ' + fmt(x.confidence) + ': ' + (x.evidence || []).join('; ')).join('\n') : '')));
      g.addEventListener('click', ev => { ev.stopPropagation(); select(n.key); });
      g.addEventListener('keydown', ev => { if (ev.key === 'Enter') select(n.key); });
      gNodes.append(g);
    }
    const status = document.getElementById('status');
    const shown = [...vis].filter(n => n.loc).length;
    status.textContent = 'Showing ' + shown + ' of ' + map.locations.length + ' locations and ' + vedges.length + ' of ' +
      edges.length + ' edges.';
    status.dataset.shown = String(shown);
    status.dataset.edges = String(vedges.length);
    document.getElementById('empty').hidden = shown > 0;
    return { vis: vis, vedges: vedges, shown: shown };
  }

  function select(key) {
    const st = readState();
    st.sel = st.sel === key ? '' : key;
    writeState(st);
  }

  function highlight(st, model) {
    const n = byKey.get(st.sel);
    const on = n && model.vis.has(n);
    for (const ed of model.vedges) {
      const touch = on && (ed.from === n || ed.to === n);
      ed.svg.classList.toggle('dim', on && !touch);
      ed.svg.querySelector('path.edge').classList.toggle('hl', !!touch);
    }
  }

  // ---- details panel -------------------------------------------------
  function details(st) {
    const box = document.getElementById('details');
    box.replaceChildren(h('h2', '', 'Details'));
    const n = byKey.get(st.sel);
    if (!n) {
      box.append(h('p', 'muted', 'Click a field to see its PII types, confidence, evidence and lineage edges.'));
      return;
    }
    const head = h('h3', '', n.key);
    head.id = 'detail-key';
    box.append(head);
    const dl = h('dl');
    const row = (k, v) => { if (v !== undefined && v !== '' && v !== null) dl.append(h('dt', '', k), h('dd', '', String(v))); };
    const info = storeInfo[n.store] || {};
    row('store', n.store);
    row('kind', (n.loc && n.loc.kind) || info.kind);
    row('namespace', info.namespace);
    row('asset', n.asset);
    row('field', n.field || '(whole object)');
    if (n.loc) {
      row('format', n.loc.format);
      row('rows', n.loc.rows);
      const roles = [];
      if (n.loc.subject_key) roles.push('subject key (' + n.loc.identity + ')');
      if (n.loc.join_key) roles.push('join key');
      if (n.loc.derived_copy) roles.push('derived copy');
      row('role', roles.join(', '));
    } else {
      row('note', 'edge target outside the map (no PII found there)');
    }
    box.append(dl);
    if (n.loc && (n.loc.pii || []).length) {
      box.append(h('h2', '', 'PII'));
      for (const p of n.loc.pii) {
        const d = h('div', 'pii');
        d.dataset.type = p.type;
        const t = h('b', '', p.type);
        const conf = h('span', 'conf', ' confidence ' + fmt(p.confidence));
        const bar = h('span', 'bar');
        bar.style.width = Math.round(60 * p.confidence) + 'px';
        d.append(t, conf, bar);
        const facts = [];
        if (p.sampled) facts.push(p.hits + '/' + p.sampled + ' sampled values');
        else if (p.hits) facts.push(p.hits + ' hits');
        if (p.rule) facts.push('rule ' + p.rule);
        if (p.masked) facts.push('e.g. ' + p.masked);
        if (facts.length) d.append(h('div', 'muted', facts.join(' \u00b7 ')));
        const ul = h('ul', 'evidence');
        for (const ev of p.evidence || []) ul.append(h('li', '', ev));
        d.append(ul);
        box.append(d);
      }
    }
    const list = (title, eds, other) => {
      if (!eds.length) return;
      box.append(h('h2', '', title));
      const ul = h('ul', 'edges');
      for (const ed of eds) {
        const li = h('li');
        const a = h('a', 'node', other(ed).key);
        a.addEventListener('click', () => select(other(ed).key));
        li.append(h('span', '', ed.e.kind + ' '), a,
          h('span', 'muted', ' (' + ed.e.source + ' ' + fmt(ed.e.confidence) + (ed.e.transform ? ', ' + ed.e.transform : '') + ')'));
        ul.append(li);
      }
      box.append(ul);
    };
    list('Outgoing edges', n.out, ed => ed.to);
    list('Incoming edges', n.in, ed => ed.from);
  }

  function render() {
    const st = readState();
    const model = draw(st);
    buildControls(st, model.shown);
    highlight(st, model);
    details(st);
  }

  // ---- static parts --------------------------------------------------
  const gaps = document.getElementById('gaps');
  if ((map.errors || []).length) {
    gaps.append(h('b', '', 'Gaps in this map (units that could not be read): '));
    const ul = h('ul');
    for (const ue of map.errors) ul.append(h('li', '', (ue.unit ? ue.store + '/' + ue.unit : ue.store) + ': ' + ue.error));
    gaps.append(ul);
  }
  if ((map.coverage_gaps || []).length) {
    gaps.append(h('b', '', 'Coverage gaps (PII no subject key reaches): '));
    const ul = h('ul');
    ul.id = 'coverage';
    for (const c of map.coverage_gaps) {
      ul.append(h('li', '', c.store + '/' + c.asset + '#' + c.field + ' (' + (c.types || []).join(', ') + '): ' + c.reason));
    }
    gaps.append(ul);
  }
  document.getElementById('reset').addEventListener('click', () => writeState({ types: new Set(), stores: new Set(), sel: '' }));
  document.getElementById('canvas').addEventListener('click', () => { const st = readState(); if (st.sel) { st.sel = ''; writeState(st); } });
  window.addEventListener('hashchange', render);
  render();
  document.body.dataset.ready = 'true';
})();
