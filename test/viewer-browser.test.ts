// The HTML viewer in a real browser: Debian's chromium, driven headless by playwright-core. Every
// saved trace (each of its expectations) is opened: the page must load without a console error or
// page error, show one lane per node, and put the violation marker at the violation's time. On
// the Figure 8 story, a click on the timeline must move the step list to the step under the
// pointer, and a click in the step list must move the timeline's cursor.
//
// One browser for the whole file keeps it to seconds. Without /usr/bin/chromium (a machine where
// `apt-get install chromium` was not run) the tests are skipped with a message saying so; CI
// installs it (.ci/run), so there they always run.

import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayForView } from '../sim/cli/view-command.ts';
import { serverCount } from '../sim/model/config.ts';
import { readTraceFile } from '../sim/model/trace-file.ts';
import { renderHtml } from '../sim/view/html/render.ts';
import { describeStep, parseTraceLines } from '../sim/view/views.ts';
import { WHOLE_RUN } from '../sim/view/window.ts';

const ROOT = resolve(import.meta.dirname, '..');
const CHROMIUM = process.env.RAFTSIM_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_BROWSER = existsSync(CHROMIUM);
const SKIPPED = `SKIPPED: no browser at ${CHROMIUM} (install it: apt-get install -y chromium; .ci/run does)`;
if (!HAVE_BROWSER) process.stderr.write(`viewer-browser.test.ts: ${SKIPPED}\n`);

const dir = mkdtempSync(join(tmpdir(), 'raftsim-viewer-'));
let browser: Browser | null = null;

beforeAll(async () => {
  if (!HAVE_BROWSER) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-gpu'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  readonly page: Page;
  /** Console errors and warnings, and uncaught page errors, in order. */
  readonly problems: string[];
}

let fileCounter = 0;

/** Writes `html` to a file and opens it (file://, as a user would), waiting until the page says it is drawn. */
async function open(
  html: string,
  viewport = { width: 1400, height: 800 },
  readyTimeoutMs = 20_000,
): Promise<Opened> {
  const file = join(dir, `view-${++fileCounter}.html`);
  writeFileSync(file, html);
  const page = await browser!.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(pathToFileURL(file).href);
  await page
    .waitForSelector('body[data-ready="true"]', { timeout: readyTimeoutMs })
    .catch(() => problems.push('the page never became ready'));
  return { page, problems };
}

/** Every saved trace and each bug set it has an expectation for. */
function savedTraces(): { file: string; bugs: readonly string[]; violation: boolean }[] {
  const out: { file: string; bugs: readonly string[]; violation: boolean }[] = [];
  for (const sub of ['scenarios', 'scenarios/bugs']) {
    for (const name of readdirSync(join(ROOT, sub)).sort()) {
      if (!name.endsWith('.json')) continue;
      const file = `${sub}/${name}`;
      const trace = readTraceFile(join(ROOT, file));
      for (const e of trace.expectations) {
        out.push({ file, bugs: e.bugs, violation: e.outcome.status === 'violation' });
      }
    }
  }
  return out;
}

function htmlOf(file: string, bugs: readonly string[]) {
  const trace = readTraceFile(join(ROOT, file));
  const input = replayForView(trace.schedule, bugs, WHOLE_RUN);
  // Spare servers have lanes too.
  return { input, html: renderHtml(input), nodes: serverCount(trace.schedule.config) };
}

// CI installs the browser (.ci/run) and says so: there, a missing browser is a failure, not a skip.
describe.runIf(!HAVE_BROWSER && process.env.RAFTSIM_REQUIRE_BROWSER === '1')(
  'the browser is required here',
  () => {
    it(`chromium is at ${CHROMIUM} (RAFTSIM_REQUIRE_BROWSER=1)`, () => {
      expect(HAVE_BROWSER).toBe(true);
    });
  },
);

describe.skipIf(!HAVE_BROWSER)(`the HTML viewer in chromium${HAVE_BROWSER ? '' : ` — ${SKIPPED}`}`, () => {
  const traces = savedTraces();

  it('finds the saved traces (and some with violations) to open', () => {
    expect(traces.length).toBeGreaterThanOrEqual(25);
    expect(traces.filter((t) => t.violation).length).toBeGreaterThanOrEqual(20);
  });

  it.each(traces)(
    '$file with bugs [$bugs]: no console errors, a lane per node, the violation marker at its time',
    async ({ file, bugs, violation }) => {
      const { input, html, nodes } = htmlOf(file, bugs);
      const { page, problems } = await open(html);
      try {
        expect(problems).toEqual([]);
        const lanes = await page.locator('.lane-label').evaluateAll((els) => els.map((e) => e.textContent));
        expect(lanes).toEqual(Array.from({ length: nodes }, (_, k) => `S${k + 1}`));
        const marker = page.locator('#violation-marker');
        expect(await marker.count()).toBe(violation ? 1 : 0);
        expect(input.outcome.status === 'violation').toBe(violation);
        if (input.outcome.status === 'violation') {
          expect(await marker.getAttribute('data-t')).toBe(String(input.outcome.timeMs));
          expect(await marker.isVisible()).toBe(true);
          // Drawn where the time axis puts the violation's instant.
          const left = Number.parseFloat(
            (await marker.getAttribute('style'))?.match(/left:\s*([-\d.]+)px/)?.[1] ?? 'NaN',
          );
          const x = await page.evaluate(`window.raftsimViewer.xOf(${input.outcome.timeMs})`);
          expect(Math.abs(left + 1 - Number(x))).toBeLessThan(1);
          expect(await page.locator('#violation-panel h2').textContent()).toContain(input.outcome.property);
        }
      } finally {
        await page.close();
      }
    },
  );

  it('Figure 8: a click on the timeline selects the step under the pointer and scrolls the step list to it', async () => {
    const { input, html } = htmlOf('scenarios/figure8.json', ['figure8']);
    const { page, problems } = await open(html, { width: 1200, height: 500 });
    try {
      const records = parseTraceLines(input.lines);
      // A step late in the run, on S5: the step list must scroll to reach it.
      const target = [...records].reverse().find((r) => r.node === 5 && r.t < 1000)!;
      const viewer = (await page.evaluateHandle('window.raftsimViewer')) as unknown as {
        evaluate<R, A>(fn: (v: ViewerApi, a: A) => R, a: A): Promise<R>;
      };
      // Let layout settle (two frames) before reading positions: on a loaded machine the first
      // frames can still move the plot.
      await page.evaluate(
        'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(null))))',
      );
      const at = await viewer.evaluate((v, t) => ({ x: v.xOf(t), y: v.laneY(5)! }), target.t);
      const box = (await page.locator('#plot').boundingBox())!;
      expect(await page.locator('#steps').evaluate((el) => el.scrollTop)).toBe(0);
      expect(await viewer.evaluate((v) => v.selectedStep(), null)).toBeNull();
      await page.mouse.click(box.x + at.x, box.y + at.y);
      const selected = await viewer.evaluate((v) => v.selectedStep(), null);
      expect(selected).not.toBeNull();
      // The step chosen is on S5's lane and at the instant clicked (several steps may share it).
      const chosen = records.find((r) => r.step === selected)!;
      expect(chosen.node).toBe(5);
      expect(chosen.t).toBe(target.t);
      expect(await page.locator('#steps').evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
      const row = page.locator('.step-row.selected');
      expect(await row.getAttribute('data-step')).toBe(String(selected));
      // The row reads as the text view does (the packed step list unpacks to the same words).
      expect(await row.textContent()).toBe(`#${chosen.step}  ${chosen.t}ms  S5  ${describeStep(chosen)}`);

      // And back: a click on another row moves the selection (and the timeline's cursor) there.
      // The row after the selected one: in view already, so the click does not scroll the virtual
      // list (which would recycle the row under the pointer, and click another step).
      const other = page.locator('.step-row.selected + .step-row');
      const otherStep = Number(await other.getAttribute('data-step'));
      await other.click();
      expect(await viewer.evaluate((v) => v.selectedStep(), null)).toBe(otherStep);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a window of nodes shows only their lanes', async () => {
    const trace = readTraceFile(join(ROOT, 'scenarios/figure8.json'));
    const input = replayForView(trace.schedule, ['figure8'], { fromMs: 200, toMs: 900, nodes: [1, 5] });
    const { page, problems } = await open(renderHtml(input));
    try {
      expect(problems).toEqual([]);
      const lanes = await page.locator('.lane-label').evaluateAll((els) => els.map((e) => e.textContent));
      expect(lanes).toEqual(['S1', 'S5']);
      // The violation (t=1020) lies outside the window: no marker in view.
      expect(await page.locator('#violation-marker').isVisible()).toBe(false);
    } finally {
      await page.close();
    }
  });

  it('the console check catches a page that breaks (the test can fail)', async () => {
    const { html } = htmlOf('scenarios/bugs/figure8.json', ['figure8']);
    const broken = html.replace('var D = JSON.parse(', 'var D = JSON.parse("{" + ');
    expect(broken).not.toBe(html);
    const { page, problems } = await open(broken, undefined, 2000);
    try {
      expect(problems.some((p) => p.startsWith('page error'))).toBe(true);
      expect(problems).toContain('the page never became ready');
    } finally {
      await page.close();
    }
  });
});

interface ViewerApi {
  xOf(t: number): number;
  laneY(node: number): number | null;
  selectedStep(): number | null;
}
