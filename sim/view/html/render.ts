// One self-contained HTML file for one run: the data (model.ts) as JSON, the page script and
// stylesheet inlined. No network, no CDN, no clock: the same trace gives the same bytes.

import type { ViewInput } from '../views.ts';
import { buildViewerModel, MSG, MSG_FIELDS, type ViewerModel } from './model.ts';
import { PAGE_SCRIPT } from './page-script.ts';
import { PAGE_STYLE } from './page-style.ts';

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON that can sit inside a <script> element: `<` never appears raw (so no `</script>` or
 * `<!--` in a comment or a key can end the element), nor the two line separators old parsers
 * treat as line ends.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Where numbers sit in a step's text (digit runs without a leading zero, so that they read back the same). */
const NUMBER = /(?<!\d)(?:0|[1-9]\d{0,14})(?!\d)/g;
/** Stands for a number in a text template. */
const HOLE = '\u0001';

/**
 * The step list as it is embedded: step numbers and times as differences from the previous one,
 * texts as templates (numbers cut out) and the numbers apart. A long run's texts repeat a few
 * hundred shapes with different numbers, so this keeps a 100,000-step page to a few MB; the page
 * puts each text back together only for the rows in view.
 */
export function packSteps(steps: ViewerModel['steps']) {
  const templates: string[] = [];
  const templateIndex = new Map<string, number>();
  const tpl: number[] = [];
  const nums: number[] = [];
  const step: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < steps.text.length; i++) {
    step.push(steps.step[i]! - (i > 0 ? steps.step[i - 1]! : 0));
    t.push(steps.t[i]! - (i > 0 ? steps.t[i - 1]! : 0));
    const text = steps.text[i]!;
    const template = text.replace(NUMBER, (digits) => {
      nums.push(Number(digits));
      return HOLE;
    });
    let k = templateIndex.get(template);
    if (k === undefined) {
      k = templates.length;
      templates.push(template);
      templateIndex.set(template, k);
    }
    tpl.push(k);
  }
  return { step, t, node: steps.node, tpl, nums, templates };
}

function violationPanel(m: ViewerModel): string {
  const v = m.violation;
  if (v === null) return '';
  const logs =
    v.logs.length > 0 ? `<div>logs at the violation:</div><pre>${escapeHtml(v.logs.join('\n'))}</pre>` : '';
  return (
    `<div id="violation-panel" data-property="${escapeHtml(v.property)}" data-step="${v.step}" data-t="${v.t}">` +
    `<h2>✗ ${escapeHtml(v.property)} violated at step ${v.step}, t=${v.t} ms</h2>` +
    `<div>${escapeHtml(v.message)}</div>` +
    `<button id="goto-violation" type="button">show the step</button>${logs}</div>`
  );
}

export function renderHtml(input: ViewInput): string {
  const m = buildViewerModel(input);
  const v = m.violation;
  const verdict =
    v === null
      ? '<div id="verdict" class="good">✓ every property held</div>'
      : `<div id="verdict" class="bad">✗ ${escapeHtml(v.property)} violated at step ${v.step}, t=${v.t} ms: ${escapeHtml(v.message)}</div>`;
  const marker =
    v === null
      ? ''
      : `<div id="violation-marker" data-t="${v.t}" data-step="${v.step}"><span>✗ ${escapeHtml(v.property)}</span></div>`;
  const data = { ...m, steps: packSteps(m.steps), msgFlags: MSG, msgFields: MSG_FIELDS };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(m.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(m.title)}</h1>
<div class="sub">${escapeHtml(m.subtitle)}</div>
${verdict}
</header>
<div id="toolbar">
<span><button id="zoom-out" type="button" title="zoom out">−</button> <button id="zoom-in" type="button" title="zoom in">+</button> <button id="zoom-fit" type="button">fit</button></span>
<span id="filters"></span>
<label><input id="heartbeats" type="checkbox" checked> heartbeats</label>
<span class="legend"><span class="swatch" style="background:#16a085"></span>duplicate <span class="swatch" style="background:#e67e22"></span>reordered <span class="swatch" style="background:#d93025"></span>dropped ✕ <span class="swatch" style="background:#5d6d7e"></span>held (paused) · roles: <span class="swatch" style="background:#3bb273;height:8px"></span>leader <span class="swatch" style="background:#f4c542;height:8px"></span>candidate <span class="swatch" style="background:#d9dde3;height:8px"></span>follower <span class="swatch" style="background:rgba(40,44,52,.55);height:8px"></span>down · ✖ crash ↻ restart ‖ pause ★ campaign · wheel: zoom, drag: pan, click: step</span>
</div>
<div id="main">
<div id="timeline-wrap"><div id="labels"></div><div id="plot"><canvas id="timeline" role="img" aria-label="${escapeHtml(`timeline of ${m.lanes.length} nodes: roles, messages, partitions and client operations; the step list beside it reads the same steps as text`)}"></canvas>${marker}</div></div>
<div id="side"><div id="steps-head">${m.steps.t.length} steps · click the timeline or a row</div><div id="steps"><div id="steps-spacer"></div></div>${violationPanel(m)}</div>
</div>
<div id="tip"></div>
<script type="application/json" id="raftsim-data">${scriptSafeJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
