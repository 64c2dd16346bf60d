// The HTML viewer on a 100,000-event run: how long the page takes to generate, how big the file
// is, and how long chromium takes to show it (load, parse, first draw) and to redraw it (a zoom
// with every arrow in view). Needs Debian's chromium at /usr/bin/chromium; without it only the
// generation and the size are measured.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { replayForView } from '../sim/cli/view-command.ts';
import { generateSchedule } from '../sim/explore/generate.ts';
import { configFor } from '../sim/explore/profile.ts';
import { renderHtml } from '../sim/view/html/render.ts';
import { WHOLE_RUN } from '../sim/view/window.ts';
import { fmtInt, type GroupResult, median, round, timed } from './lib.ts';

export interface ViewerBenchOptions {
  readonly seed: number;
  /** Virtual time of the run: with the default profile, 70 s of seed 3 is just over 100,000 events. */
  readonly timeMs: number;
  readonly rounds: number;
}

export const DEFAULT_VIEWER: ViewerBenchOptions = { seed: 3, timeMs: 70_000, rounds: 3 };

const CHROMIUM = process.env.RAFTSIM_CHROMIUM ?? '/usr/bin/chromium';
const TARGET_MB = 10;
const TARGET_FIRST_RENDER_MS = 3000;

export async function benchViewer(o: ViewerBenchOptions): Promise<GroupResult> {
  const schedule = generateSchedule(o.seed, configFor(o.seed, 'fixed', { timeMs: o.timeMs }));
  const input = replayForView(schedule, [], WHOLE_RUN);
  const events = input.lines.length;
  const gen = timed(() => renderHtml(input));
  const html = gen.value;
  const bytes = Buffer.byteLength(html);
  const mb = bytes / (1024 * 1024);
  const rows: (string | number)[][] = [
    ['events in the trace', fmtInt(events)],
    ['page generation (node)', `${round(gen.wallMs)} ms`],
    ['file size', `${mb.toFixed(2)} MiB`],
  ];
  const notes: string[] = [];
  let firstRenderMs: number | null = null;
  let redrawMs: number | null = null;
  if (existsSync(CHROMIUM)) {
    const dir = mkdtempSync(join(tmpdir(), 'raftsim-bench-viewer-'));
    const file = join(dir, 'view.html');
    writeFileSync(file, html);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-gpu'] });
    try {
      const loads: number[] = [];
      const inPage: number[] = [];
      const redraws: number[] = [];
      for (let r = 0; r < o.rounds; r++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
        const t0 = performance.now();
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
        loads.push(performance.now() - t0);
        // Navigation start to the end of the first draw, as the page's own clock tells it.
        inPage.push(Number(await page.evaluate('performance.now()')));
        // A zoom at full view: every arrow of the run is in view and drawn again.
        redraws.push(
          Number(
            await page.evaluate(
              "(() => { const t0 = performance.now(); document.getElementById('zoom-fit').click(); return performance.now() - t0; })()",
            ),
          ),
        );
        await page.close();
      }
      firstRenderMs = median(loads);
      redrawMs = median(redraws);
      rows.push(
        [`first render in chromium (goto to drawn, median of ${o.rounds})`, `${round(firstRenderMs)} ms`],
        ['first render, page clock (navigation start to drawn)', `${round(median(inPage))} ms`],
        ['redraw of the whole run (fit)', `${round(redrawMs)} ms`],
      );
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    notes.push(`no browser at ${CHROMIUM}: first render not measured (apt-get install -y chromium)`);
  }
  return {
    group: 'viewer',
    title: 'HTML viewer on a 100,000-event run',
    workload:
      `bench/viewer.ts: seed ${o.seed}, default profile, ${o.timeMs / 1000} s virtual (${fmtInt(events)} events), ` +
      'renderHtml, then the file opened headless in chromium 1400×800 (playwright-core).',
    tables: [{ columns: ['measure', 'value'], rows }],
    targets: [
      {
        name: 'file size',
        target: `≤ ${TARGET_MB} MiB`,
        measured: `${mb.toFixed(2)} MiB`,
        met: mb <= TARGET_MB,
      },
      {
        name: 'first render in chromium',
        target: `< ${TARGET_FIRST_RENDER_MS / 1000} s`,
        measured: firstRenderMs === null ? 'not measured' : `${round(firstRenderMs)} ms`,
        met: firstRenderMs === null ? null : firstRenderMs < TARGET_FIRST_RENDER_MS,
      },
    ],
    notes,
    data: { events, bytes, generationMs: gen.wallMs, firstRenderMs, redrawMs },
  };
}
