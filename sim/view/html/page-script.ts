// The viewer page's script: plain JavaScript inlined into every file, run by the browser on the
// data the generator embedded (model.ts). It draws on one canvas (so that 100,000 events stay
// responsive: only what is in view is drawn, in one path per style) and keeps a virtual step
// list (only the rows in view exist). It knows nothing of Raft: roles, marks and message kinds
// come as names, and a name it has no colour for gets one from a palette.
//
// Written as a string here (not a separate asset) so that the compiled CLI in dist/ carries it.
// String.raw keeps the script's own backslashes; the script uses no template literals.

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('raftsim-data').textContent);
  var MSG = D.msgFlags;
  var F = D.msgFields;
  var BAND_H = 16, AXIS_H = 24, CLIENT_H = 16, ROW_H = 18;
  var ROLE_COLORS = { follower: '#d9dde3', candidate: '#f4c542', leader: '#3bb273' };
  var KIND_COLORS = { RequestVote: '#8e44ad', RequestVoteReply: '#c39bd3', AppendEntries: '#1f6fb4', AppendEntriesReply: '#7fb3e0' };
  var PALETTE = ['#e67e22', '#16a085', '#c0392b', '#2c3e50', '#d35400', '#27ae60', '#7f8c8d', '#f39c12'];
  var MARK_GLYPHS = { crash: ['\u2716', '#c0392b'], restart: ['\u21bb', '#1e7d45'], pause: ['\u2016', '#1f6fb4'], resume: ['\u25b7', '#1f6fb4'], campaign: ['\u2605', '#b7950b'] };
  function paletteColor(name, table) {
    var i = table.indexOf(name);
    return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
  }
  function roleColor(k) { var name = D.roles[k]; return ROLE_COLORS[name] || paletteColor(name, D.roles); }
  function kindColor(k) { var name = D.kinds[k]; return KIND_COLORS[name] || paletteColor(name, D.kinds); }

  var steps = unpackSteps(D.steps);
  var nSteps = steps.t.length;

  // The step list arrives packed (render.ts, packSteps): differences, and texts as templates.
  function unpackSteps(p) {
    var n = p.t.length, step = new Array(n), t = new Array(n), numAt = new Array(n);
    var holes = p.templates.map(function (s) { return s.split('').length - 1; });
    var s = 0, tt = 0, at = 0;
    for (var i = 0; i < n; i++) {
      s += p.step[i]; tt += p.t[i];
      step[i] = s; t[i] = tt; numAt[i] = at;
      at += holes[p.tpl[i]];
    }
    return {
      step: step, t: t, node: p.node,
      text: function (i) {
        var k = numAt[i];
        return p.templates[p.tpl[i]].replace(//g, function () { return String(p.nums[k++]); });
      },
    };
  }
  var lanes = D.lanes;
  var laneIndex = {};
  lanes.forEach(function (l, i) { laneIndex[l.node] = i; });
  var clientIndex = {};
  D.clients.forEach(function (c, i) { clientIndex[c] = i; });

  var plot = document.getElementById('plot');
  var canvas = document.getElementById('timeline');
  var ctx = canvas.getContext('2d');
  var labels = document.getElementById('labels');
  var marker = document.getElementById('violation-marker');
  var list = document.getElementById('steps');
  var spacer = document.getElementById('steps-spacer');
  var tip = document.getElementById('tip');

  // Lanes share the height there is (few nodes get tall lanes), within bounds.
  var wrapH = document.getElementById('timeline-wrap').clientHeight;
  var LANE_H = Math.round(Math.min(110, Math.max(46, (wrapH - AXIS_H - D.clients.length * CLIENT_H - 24) / Math.max(1, lanes.length))));
  var lanesH = lanes.length * LANE_H;
  var clientsTop = AXIS_H + lanesH + (D.clients.length > 0 ? 10 : 0);
  var totalH = clientsTop + D.clients.length * CLIENT_H + 8;
  var span = Math.max(1, D.endMs - D.startMs);
  var view = { start: D.startMs, msPerPx: 1 };
  var width = 0;
  var selected = -1;
  var hiddenKinds = {};
  var showHeartbeats = true;

  function laneY(i) { return AXIS_H + i * LANE_H + LANE_H / 2; }
  function xOf(t) { return (t - view.start) / view.msPerPx; }
  function tOf(x) { return view.start + x * view.msPerPx; }

  // --- Labels (DOM, so that tests and screen readers find one per lane) --------------------------
  labels.style.height = totalH + 'px';
  plot.style.height = totalH + 'px';
  lanes.forEach(function (l, i) {
    var el = document.createElement('div');
    el.className = 'lane-label';
    el.dataset.node = String(l.node);
    el.textContent = 'S' + l.node;
    el.style.top = (AXIS_H + i * LANE_H) + 'px';
    el.style.height = LANE_H + 'px';
    labels.appendChild(el);
  });
  D.clients.forEach(function (c, i) {
    var el = document.createElement('div');
    el.className = 'client-label';
    el.dataset.client = String(c);
    el.textContent = c === 0 ? 'probe' : 'client ' + c;
    el.style.top = (clientsTop + i * CLIENT_H) + 'px';
    el.style.height = CLIENT_H + 'px';
    labels.appendChild(el);
  });

  // --- Filters and legend ---------------------------------------------------------------------
  var filters = document.getElementById('filters');
  D.kinds.forEach(function (name, k) {
    var label = document.createElement('label');
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.dataset.kind = name;
    box.addEventListener('change', function () { hiddenKinds[k] = !box.checked; draw(); });
    var sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = kindColor(k);
    label.appendChild(box);
    label.appendChild(sw);
    label.appendChild(document.createTextNode(name));
    filters.appendChild(label);
  });
  document.getElementById('heartbeats').addEventListener('change', function (e) { showHeartbeats = e.target.checked; draw(); });

  // --- Drawing --------------------------------------------------------------------------------
  function resize() {
    width = Math.max(100, plot.clientWidth);
    var dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(totalH * dpr);
    canvas.style.width = width + 'px';
    canvas.style.height = totalH + 'px';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  function fit() {
    view.msPerPx = span / Math.max(1, width - 50);
    view.start = D.startMs - 10 * view.msPerPx;
  }

  function niceStep(raw) {
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  function drawAxis() {
    var step = niceStep(view.msPerPx * 90);
    var t0 = Math.ceil(view.start / step) * step;
    ctx.fillStyle = '#5b6575';
    ctx.strokeStyle = '#eceef2';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.beginPath();
    for (var t = t0; xOf(t) <= width; t += step) {
      var x = Math.round(xOf(t)) + 0.5;
      ctx.moveTo(x, AXIS_H - 4);
      ctx.lineTo(x, totalH);
      ctx.fillText(t >= 1000 && step >= 100 ? (t / 1000) + ' s' : t + ' ms', x + 3, AXIS_H / 2);
    }
    ctx.stroke();
  }

  function drawCuts() {
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    D.cuts.forEach(function (c) {
      var x0 = xOf(c[0]), x1 = xOf(c[1]);
      if (x1 < 0 || x0 > width) return;
      ctx.fillStyle = 'rgba(230, 126, 34, 0.10)';
      ctx.fillRect(x0, AXIS_H, Math.max(1, x1 - x0), lanesH);
      ctx.fillStyle = 'rgba(230, 126, 34, 0.9)';
      ctx.fillRect(x0, AXIS_H, Math.max(1, x1 - x0), 2);
      if (x1 - x0 > 40) {
        ctx.fillStyle = '#a04000';
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, AXIS_H, x1 - x0, 14);
        ctx.clip();
        ctx.fillText(c[2], Math.max(x0, 0) + 3, AXIS_H + 3);
        ctx.restore();
      }
    });
  }

  function drawLanes() {
    ctx.textBaseline = 'middle';
    lanes.forEach(function (l, i) {
      var y = laneY(i);
      ctx.strokeStyle = '#eceef2';
      ctx.beginPath();
      ctx.moveTo(0, AXIS_H + (i + 1) * LANE_H - 0.5);
      ctx.lineTo(width, AXIS_H + (i + 1) * LANE_H - 0.5);
      ctx.stroke();
      var b = l.bands, k, x0, x1;
      ctx.font = '10px system-ui, sans-serif';
      for (k = 0; k < b.length; k += 4) {
        x0 = xOf(b[k]); x1 = xOf(b[k + 1]);
        if (x1 < 0 || x0 > width) continue;
        ctx.fillStyle = roleColor(b[k + 2]);
        ctx.fillRect(x0, y - BAND_H / 2, Math.max(1, x1 - x0), BAND_H);
        if (x1 - x0 > 26) {
          ctx.fillStyle = '#1d2430';
          ctx.fillText((x1 - x0 > 90 ? D.roles[b[k + 2]] + ' ' : '') + 't' + b[k + 3], Math.max(x0, 0) + 3, y);
        }
      }
      ctx.fillStyle = 'rgba(40, 44, 52, 0.55)';
      for (k = 0; k < l.down.length; k += 2) {
        x0 = xOf(l.down[k]); x1 = xOf(l.down[k + 1]);
        if (x1 < 0 || x0 > width) continue;
        ctx.fillRect(x0, y - BAND_H / 2, Math.max(1, x1 - x0), BAND_H);
      }
      ctx.fillStyle = 'rgba(31, 111, 180, 0.35)';
      for (k = 0; k < l.paused.length; k += 2) {
        x0 = xOf(l.paused[k]); x1 = xOf(l.paused[k + 1]);
        if (x1 < 0 || x0 > width) continue;
        ctx.fillRect(x0, y - BAND_H / 2 - 3, Math.max(1, x1 - x0), BAND_H + 6);
      }
      // Commit index: the value under the band wherever it changes, when there is room.
      // Ticks in one path, one per pixel column (thousands of commits share a pixel zoomed out).
      var c = l.commits, lastEnd = -1e9, lastPx = -1e9;
      ctx.fillStyle = '#5b6575';
      ctx.font = '9px system-ui, sans-serif';
      ctx.beginPath();
      for (k = 0; k < c.length; k += 2) {
        x0 = xOf(c[k]);
        if (x0 < -40 || x0 > width) continue;
        var px = Math.round(x0);
        if (px !== lastPx) { ctx.rect(px, y + BAND_H / 2, 1, 3); lastPx = px; }
        if (x0 > lastEnd + 3) {
          var text = 'c' + c[k + 1];
          ctx.fillText(text, x0 + 2, y + BAND_H / 2 + 7);
          lastEnd = x0 + 2 + ctx.measureText(text).width;
        }
      }
      ctx.fill();
      ctx.font = '14px system-ui, sans-serif';
      ctx.textAlign = 'center';
      for (k = 0; k < l.marks.length; k += 3) {
        x0 = xOf(l.marks[k]);
        if (x0 < -10 || x0 > width + 10) continue;
        var name = D.markKinds[l.marks[k + 1]];
        var g = MARK_GLYPHS[name] || [name.charAt(0).toUpperCase(), '#2c3e50'];
        ctx.fillStyle = g[1];
        ctx.fillText(g[0], x0, y - BAND_H / 2 - 8);
      }
      ctx.textAlign = 'left';
    });
  }

  // Message styles: one path each, so that many arrows cost few strokes.
  var STYLE_NORMAL = 0, STYLE_DUP = 1, STYLE_DROP = 2, STYLE_REORDER = 3, STYLE_HELD = 4, STYLE_HEARTBEAT = 5;
  function styleOf(flags) {
    if (flags & (MSG.droppedRandom | MSG.droppedCut | MSG.blocked | MSG.lost)) return STYLE_DROP;
    if (flags & MSG.duplicate) return STYLE_DUP;
    if (flags & MSG.reordered) return STYLE_REORDER;
    if (flags & MSG.held) return STYLE_HELD;
    if (flags & MSG.heartbeat) return STYLE_HEARTBEAT;
    return STYLE_NORMAL;
  }

  function drawMessages() {
    var m = D.msgs;
    var paths = {};
    var crosses = [];
    var heads = [];
    var count = 0;
    for (var k = 0; k < m.length; k += F) {
      var flags = m[k + 5];
      if (hiddenKinds[m[k + 4]]) continue;
      if (!showHeartbeats && (flags & MSG.heartbeat)) continue;
      var fi = laneIndex[m[k + 1]], ti = laneIndex[m[k + 3]];
      if (fi === undefined || ti === undefined) continue;
      var x0 = xOf(m[k]);
      var dropped = m[k + 2] < 0;
      var y0 = laneY(fi), y1 = laneY(ti);
      var x1, yEnd;
      if (dropped) {
        // Never arrived: a short stub toward its destination, ended by a cross.
        x1 = x0 + 12;
        yEnd = y0 + (y1 - y0) * 0.3;
      } else {
        x1 = xOf(m[k + 2]);
        yEnd = y1;
      }
      if ((x0 < 0 && x1 < 0) || (x0 > width && x1 > width)) continue;
      var style = styleOf(flags);
      var key = style === STYLE_NORMAL || style === STYLE_HEARTBEAT ? style + ':' + m[k + 4] : String(style);
      var p = paths[key];
      if (p === undefined) { p = paths[key] = { style: style, kind: m[k + 4], xy: [], seen: new Set() }; }
      // Zoomed out, thousands of arrows fall on the same pixels: each is stroked once per style.
      var px = Math.round(x0), dpx = Math.max(-1000, Math.min(1000, Math.round(x1 - x0)));
      var cell = ((px + 4096) * 2048 + dpx + 1024) * 4096 + fi * 64 + ti;
      if (p.seen.has(cell)) { count++; continue; }
      p.seen.add(cell);
      p.xy.push(x0, y0, x1, yEnd);
      if (dropped || (flags & (MSG.blocked | MSG.lost))) crosses.push(x1, yEnd);
      else heads.push(x0, y0, x1, yEnd);
      count++;
    }
    Object.keys(paths).sort().forEach(function (key) {
      var p = paths[key];
      ctx.setLineDash([]);
      ctx.lineWidth = 1.2;
      switch (p.style) {
        case STYLE_NORMAL: ctx.strokeStyle = kindColor(p.kind); break;
        case STYLE_HEARTBEAT: ctx.strokeStyle = kindColor(p.kind); ctx.globalAlpha = 0.35; break;
        case STYLE_DUP: ctx.strokeStyle = '#16a085'; ctx.setLineDash([5, 3]); ctx.lineWidth = 1.6; break;
        case STYLE_DROP: ctx.strokeStyle = '#d93025'; ctx.setLineDash([2, 2]); break;
        case STYLE_REORDER: ctx.strokeStyle = '#e67e22'; ctx.lineWidth = 1.8; break;
        case STYLE_HELD: ctx.strokeStyle = '#5d6d7e'; ctx.setLineDash([8, 3, 2, 3]); break;
      }
      ctx.beginPath();
      for (var i = 0; i < p.xy.length; i += 4) {
        ctx.moveTo(p.xy[i], p.xy[i + 1]);
        ctx.lineTo(p.xy[i + 2], p.xy[i + 3]);
      }
      ctx.stroke();
      ctx.globalAlpha = 1;
    });
    ctx.setLineDash([]);
    ctx.strokeStyle = '#d93025';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (var c = 0; c < crosses.length; c += 2) {
      ctx.moveTo(crosses[c] - 3, crosses[c + 1] - 3); ctx.lineTo(crosses[c] + 3, crosses[c + 1] + 3);
      ctx.moveTo(crosses[c] - 3, crosses[c + 1] + 3); ctx.lineTo(crosses[c] + 3, crosses[c + 1] - 3);
    }
    ctx.stroke();
    // Arrowheads only when few enough arrows are in view to tell them apart.
    if (count < 4000) {
      ctx.fillStyle = 'rgba(29, 36, 48, 0.7)';
      ctx.beginPath();
      for (var h = 0; h < heads.length; h += 4) {
        var dx = heads[h + 2] - heads[h], dy = heads[h + 3] - heads[h + 1];
        var len = Math.sqrt(dx * dx + dy * dy);
        if (len < 14) continue;
        var ux = dx / len, uy = dy / len;
        var ex = heads[h + 2] - ux * (BAND_H / 2), ey = heads[h + 3] - uy * (BAND_H / 2);
        ctx.moveTo(ex, ey);
        ctx.lineTo(ex - ux * 6 - uy * 3, ey - uy * 6 + ux * 3);
        ctx.lineTo(ex - ux * 6 + uy * 3, ey - uy * 6 - ux * 3);
        ctx.closePath();
      }
      ctx.fill();
    }
    ctx.lineWidth = 1;
  }

  function drawClients() {
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    D.ops.forEach(function (op) {
      var row = clientIndex[op.client];
      if (row === undefined) return;
      var y = clientsTop + row * CLIENT_H + 2;
      var end = op.returnMs === null ? D.endMs : op.returnMs;
      var x0 = xOf(op.invokeMs), x1 = xOf(end);
      if (x1 < 0 || x0 > width) return;
      var w = Math.max(2, x1 - x0);
      var fill = op.status === 'ok' ? '#cfe0fb' : op.status === 'fail' ? '#f4d6d3' : '#eceef2';
      if (op.witness === 'op') fill = '#d93025';
      ctx.fillStyle = fill;
      ctx.fillRect(x0, y, w, CLIENT_H - 4);
      if (op.witness !== '' || op.status === 'info') {
        ctx.strokeStyle = op.witness === 'op' ? '#7b1a14' : op.witness === 'prefix' ? '#1d2430' : '#9aa3b0';
        ctx.setLineDash(op.status === 'info' ? [3, 2] : []);
        ctx.lineWidth = op.witness === '' ? 1 : 1.6;
        ctx.strokeRect(x0 + 0.5, y + 0.5, w - 1, CLIENT_H - 5);
        ctx.setLineDash([]);
        ctx.lineWidth = 1;
      }
      if (w > 40) {
        ctx.fillStyle = op.witness === 'op' ? '#fff' : '#1d2430';
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, y, w, CLIENT_H - 4);
        ctx.clip();
        ctx.fillText((op.witness === 'op' ? 'cannot be placed: ' : '') + op.label, Math.max(0, x0) + 3, y + (CLIENT_H - 4) / 2);
        ctx.restore();
      }
    });
  }

  function drawCursor() {
    if (selected < 0) return;
    var x = Math.round(xOf(steps.t[selected])) + 0.5;
    ctx.strokeStyle = '#1a73e8';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(x, AXIS_H - 6);
    ctx.lineTo(x, totalH);
    ctx.stroke();
    var li = laneIndex[steps.node[selected]];
    if (li !== undefined) {
      ctx.beginPath();
      ctx.arc(x, laneY(li), 5, 0, Math.PI * 2);
      ctx.stroke();
    }
    ctx.lineWidth = 1;
  }

  function placeMarker() {
    if (D.violation === null) return;
    var x = xOf(D.violation.t);
    marker.style.left = (x - 1) + 'px';
    marker.style.height = totalH + 'px';
    marker.style.display = x < -2 || x > width + 2 ? 'none' : 'block';
    // Its label turns to the left near the right edge, so that it stays in view.
    marker.classList.toggle('flip', x > width - 180);
  }

  // Wheel and drag events come faster than frames: they ask for one draw per frame.
  var pending = false;
  function requestDraw() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; draw(); });
  }

  var frame = 0;
  function draw() {
    ctx.clearRect(0, 0, width, totalH);
    drawAxis();
    drawCuts();
    // Lanes over the arrows: where thousands of arrows are in view, the roles stay readable.
    drawMessages();
    drawLanes();
    drawClients();
    drawCursor();
    placeMarker();
    frame++;
  }

  // --- Step list (virtual: only the rows in view exist) ---------------------------------------
  spacer.style.height = nSteps * ROW_H + 'px';
  var violationIndex = -1;
  if (D.violation !== null) violationIndex = lowerBound(steps.step, D.violation.step);
  if (violationIndex >= nSteps || (violationIndex >= 0 && steps.step[violationIndex] !== D.violation.step)) violationIndex = -1;

  function lowerBound(arr, v) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] < v) lo = mid + 1; else hi = mid; }
    return lo;
  }

  function rowText(i) {
    var node = steps.node[i] === 0 ? '-' : 'S' + steps.node[i];
    return '#' + steps.step[i] + '  ' + steps.t[i] + 'ms  ' + node + '  ' + steps.text(i);
  }

  function renderRows() {
    var first = Math.max(0, Math.floor(list.scrollTop / ROW_H) - 5);
    var last = Math.min(nSteps, Math.ceil((list.scrollTop + list.clientHeight) / ROW_H) + 5);
    var frag = document.createDocumentFragment();
    for (var i = first; i < last; i++) {
      var row = document.createElement('div');
      row.className = 'step-row' + (i === selected ? ' selected' : '') + (i === violationIndex ? ' violation' : '');
      row.style.top = i * ROW_H + 'px';
      row.dataset.index = String(i);
      row.dataset.step = String(steps.step[i]);
      row.textContent = rowText(i);
      row.title = row.textContent;
      frag.appendChild(row);
    }
    spacer.replaceChildren(frag);
  }
  list.addEventListener('scroll', renderRows);
  spacer.addEventListener('click', function (e) {
    var row = e.target.closest('.step-row');
    if (row !== null) select(Number(row.dataset.index), { scrollList: false, follow: true });
  });

  function select(i, how) {
    if (i < 0 || i >= nSteps) return;
    selected = i;
    var t = steps.t[i];
    if (how.follow) {
      var x = xOf(t);
      if (x < 20 || x > width - 20) view.start = t - (width / 2) * view.msPerPx;
    }
    if (how.scrollList) {
      var top = i * ROW_H - list.clientHeight / 2 + ROW_H / 2;
      list.scrollTop = Math.max(0, top);
    }
    document.getElementById('steps-head').textContent = 'step ' + steps.step[i] + ' of the run, ' + (i + 1) + ' of ' + nSteps + ' shown';
    renderRows();
    draw();
  }

  /** The step nearest to (x, y): on the lane under the pointer when there is one. */
  function stepAt(x, y) {
    if (nSteps === 0) return -1;
    var t = tOf(x);
    var li = Math.floor((y - AXIS_H) / LANE_H);
    var node = li >= 0 && li < lanes.length ? lanes[li].node : -1;
    var at = lowerBound(steps.t, t);
    var best = -1, bestD = Infinity;
    var limit = 20 * view.msPerPx + 1;
    for (var dir = -1; dir <= 1; dir += 2) {
      for (var i = dir < 0 ? at - 1 : at; i >= 0 && i < nSteps; i += dir) {
        var d = Math.abs(steps.t[i] - t);
        if (d > limit && best >= 0) break;
        if (d > limit * 50) break;
        if (node >= 0 && steps.node[i] !== node) continue;
        if (d < bestD) { bestD = d; best = i; }
      }
    }
    return best;
  }

  // --- Pointer: click selects, drag pans, wheel zooms -----------------------------------------
  var drag = null;
  plot.addEventListener('mousedown', function (e) { drag = { x: e.clientX, start: view.start, moved: false }; });
  window.addEventListener('mousemove', function (e) {
    if (drag !== null) {
      var dx = e.clientX - drag.x;
      if (Math.abs(dx) > 3) drag.moved = true;
      if (drag.moved) { view.start = drag.start - dx * view.msPerPx; requestDraw(); }
      return;
    }
    var r = plot.getBoundingClientRect();
    if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) { tip.style.display = 'none'; return; }
    var i = stepAt(e.clientX - r.left, e.clientY - r.top);
    if (i < 0) { tip.style.display = 'none'; return; }
    tip.textContent = rowText(i);
    tip.style.display = 'block';
    tip.style.left = (e.clientX + 12) + 'px';
    tip.style.top = (e.clientY + 14) + 'px';
  });
  window.addEventListener('mouseup', function (e) {
    if (drag === null) return;
    var moved = drag.moved;
    drag = null;
    if (moved) return;
    var r = plot.getBoundingClientRect();
    var i = stepAt(e.clientX - r.left, e.clientY - r.top);
    if (i >= 0) select(i, { scrollList: true, follow: false });
  });
  plot.addEventListener('wheel', function (e) {
    e.preventDefault();
    var r = plot.getBoundingClientRect();
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      view.start += (e.deltaX || e.deltaY) * view.msPerPx;
    } else {
      zoomAt(e.clientX - r.left, e.deltaY < 0 ? 1 / 1.25 : 1.25);
    }
    requestDraw();
  }, { passive: false });

  function zoomAt(x, factor) {
    var t = tOf(x);
    view.msPerPx = Math.min(Math.max(view.msPerPx * factor, 0.002), (span * 4) / Math.max(1, width));
    view.start = t - x * view.msPerPx;
  }
  document.getElementById('zoom-in').addEventListener('click', function () { zoomAt(width / 2, 1 / 2); draw(); });
  document.getElementById('zoom-out').addEventListener('click', function () { zoomAt(width / 2, 2); draw(); });
  document.getElementById('zoom-fit').addEventListener('click', function () { fit(); draw(); });
  window.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown' || e.key === 'j') { select(Math.min(nSteps - 1, selected + 1), { scrollList: true, follow: true }); e.preventDefault(); }
    if (e.key === 'ArrowUp' || e.key === 'k') { select(Math.max(0, selected - 1), { scrollList: true, follow: true }); e.preventDefault(); }
  });
  var goto = document.getElementById('goto-violation');
  if (goto !== null) goto.addEventListener('click', function () {
    if (violationIndex >= 0) select(violationIndex, { scrollList: true, follow: true });
  });
  window.addEventListener('resize', function () { var keep = view.msPerPx * width; resize(); view.msPerPx = keep / width; draw(); });

  resize();
  fit();
  renderRows();
  draw();

  // For tests and for anyone scripting the page: where things are drawn, and the selection.
  window.raftsimViewer = {
    xOf: xOf,
    laneY: function (node) { var i = laneIndex[node]; return i === undefined ? null : laneY(i); },
    select: function (i) { select(i, { scrollList: true, follow: true }); },
    selectedStep: function () { return selected < 0 ? null : steps.step[selected]; },
    stepCount: nSteps,
    messageCount: D.msgs.length / F,
    frames: function () { return frame; },
  };
  document.body.dataset.ready = 'true';
})();
`;
