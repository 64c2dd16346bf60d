// The HTML viewer's data and file, without a browser (test/viewer-browser.test.ts opens them):
// the same trace gives the same bytes, every message is drawn from its send to its arrival with
// what happened to it, the linearizability witness is the op the checker could not place, and
// windows cut the text, Mermaid and HTML views alike. Also `raftsim view` and `--format html`
// end to end, in process.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayForView } from '../sim/cli/view-command.ts';
import { generateSchedule } from '../sim/explore/generate.ts';
import { configFor } from '../sim/explore/profile.ts';
import { readTraceFile } from '../sim/model/trace-file.ts';
import { buildViewerModel, MSG, MSG_FIELDS } from '../sim/view/html/model.ts';
import { packSteps, renderHtml, scriptSafeJson } from '../sim/view/html/render.ts';
import { parseTraceLines, renderMermaid, renderText } from '../sim/view/views.ts';
import { WHOLE_RUN } from '../sim/view/window.ts';
import { simInProcess } from './support/cli-in-process.ts';

const ROOT = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'raftsim-viewer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function scenario(file: string, bugs: readonly string[]) {
  return replayForView(readTraceFile(join(ROOT, file)).schedule, bugs, WHOLE_RUN);
}

/** A short run of `seed` with lossy, duplicating links and every fault kind. */
function lossyRun(seed: number) {
  const config = configFor(seed, 'fixed', {
    timeMs: 30_000,
    dropRate: 0.1,
    dupRate: 0.1,
    partitionsPerMin: 20,
    crashesPerMin: 10,
    pausesPerMin: 10,
  });
  return replayForView(generateSchedule(seed, config), [], WHOLE_RUN);
}

/** The messages of a model as objects. */
function messages(m: ReturnType<typeof buildViewerModel>) {
  const out: { sendMs: number; from: number; arrMs: number; to: number; kind: string; flags: number }[] = [];
  for (let k = 0; k < m.msgs.length; k += MSG_FIELDS) {
    const [sendMs, from, arrMs, to, kind, flags] = m.msgs.slice(k, k + 6) as number[];
    out.push({ sendMs: sendMs!, from: from!, arrMs: arrMs!, to: to!, kind: m.kinds[kind!]!, flags: flags! });
  }
  return out;
}

describe('the viewer model', () => {
  it('the same trace gives a byte-identical page; another run gives another', () => {
    const a = renderHtml(scenario('scenarios/figure8.json', ['figure8']));
    const b = renderHtml(scenario('scenarios/figure8.json', ['figure8']));
    expect(a).toBe(b);
    expect(renderHtml(scenario('scenarios/figure8.json', []))).not.toBe(a);
  });

  it('draws every delivery from its send, and marks drops, duplicates, reordering and link cuts', () => {
    const input = lossyRun(11);
    const records = parseTraceLines(input.lines);
    const m = buildViewerModel(input);
    const msgs = messages(m);
    const delivered = records.filter((r) => r.ev === 'deliver' && r.outcome !== 'held').length;
    const droppedAtSend = records.reduce((n, r) => n + (r.net ?? []).filter((s) => s.length === 2).length, 0);
    // In flight at the end: sent, arriving after the run's last step.
    const lastMs = records[records.length - 1]!.t;
    const inFlight = msgs.filter((x) => x.arrMs > lastMs).length;
    expect(msgs.length).toBe(delivered + droppedAtSend + inFlight);
    expect(msgs.filter((x) => x.flags & MSG.unknownSend)).toEqual([]);
    for (const x of msgs) {
      if (x.arrMs >= 0) expect(x.arrMs).toBeGreaterThanOrEqual(x.sendMs);
    }
    const count = (bit: number) => msgs.filter((x) => x.flags & bit).length;
    expect(count(MSG.droppedRandom)).toBeGreaterThan(0);
    expect(count(MSG.duplicate)).toBeGreaterThan(0);
    expect(count(MSG.reordered)).toBeGreaterThan(0);
    expect(count(MSG.droppedCut) + count(MSG.blocked)).toBeGreaterThan(0);
    expect(count(MSG.held)).toBeGreaterThan(0);
    expect(count(MSG.lost)).toBeGreaterThan(0);
    expect(m.cuts.length).toBeGreaterThan(0);
    for (const [from, to, label] of m.cuts) {
      expect(to).toBeGreaterThan(from);
      expect(label).toMatch(/^(partition \{|cut S\d→S\d)/);
    }
  });

  it('lanes follow roles, terms, crashes and pauses', () => {
    const input = lossyRun(11);
    const m = buildViewerModel(input);
    expect(m.lanes.map((l) => l.node)).toEqual([1, 2, 3, 4, 5]);
    const leader = m.roles.indexOf('leader');
    expect(m.lanes.some((l) => l.bands.some((v, k) => k % 4 === 2 && v === leader))).toBe(true);
    expect(m.lanes.some((l) => l.down.length > 0)).toBe(true);
    expect(m.lanes.some((l) => l.paused.length > 0)).toBe(true);
    for (const l of m.lanes) {
      // Bands never overlap and stay inside the run.
      for (let k = 0; k < l.bands.length; k += 4) {
        expect(l.bands[k + 1]!).toBeGreaterThan(l.bands[k]!);
        if (k > 0) expect(l.bands[k]!).toBeGreaterThanOrEqual(l.bands[k - 3]!);
      }
    }
    // A crashed node's lane has no role band while it is down.
    for (const l of m.lanes) {
      for (let d = 0; d < l.down.length; d += 2) {
        for (let k = 0; k < l.bands.length; k += 4) {
          expect(l.bands[k + 1]! <= l.down[d]! || l.bands[k]! >= l.down[d + 1]!).toBe(true);
        }
      }
    }
  });

  it('highlights the op the linearizability check could not place, and only when it failed', () => {
    const bad = buildViewerModel(scenario('scenarios/stale-leader-reads-unsafe-local.json', []));
    expect(bad.violation?.property).toBe('linearizability');
    const witness = bad.ops.filter((op) => op.witness === 'op');
    expect(witness).toHaveLength(1);
    expect(witness[0]!.label).toMatch(/get/);
    const good = buildViewerModel(scenario('scenarios/stale-leader-reads-read-index.json', []));
    expect(good.violation).toBeNull();
    expect(good.ops.length).toBeGreaterThan(0);
    expect(good.ops.filter((op) => op.witness !== '')).toEqual([]);
  });

  it('the violation carries its step, time and the logs side by side', () => {
    const input = scenario('scenarios/bugs/figure8.json', ['figure8']);
    const m = buildViewerModel(input);
    expect(input.outcome.status).toBe('violation');
    if (input.outcome.status !== 'violation') return;
    expect(m.violation).toMatchObject({ step: input.outcome.step, t: input.outcome.timeMs });
    expect(m.violation!.logs.join('\n')).toMatch(/index/);
    expect(m.steps.step[m.steps.step.length - 1]).toBe(input.outcome.step);
  });

  it('packs the step list losslessly: templates and numbers give back every text', () => {
    const m = buildViewerModel(lossyRun(11));
    const p = packSteps(m.steps);
    expect(p.templates.length).toBeLessThan(m.steps.text.length / 10);
    let at = 0;
    let step = 0;
    let t = 0;
    for (let i = 0; i < m.steps.text.length; i++) {
      step += p.step[i]!;
      t += p.t[i]!;
      expect(step).toBe(m.steps.step[i]);
      expect(t).toBe(m.steps.t[i]);
      const text = p.templates[p.tpl[i]!]!.split('\u0001').reduce(
        (acc, part, k) => (k === 0 ? part : acc + String(p.nums[at++]) + part),
        '',
      );
      expect(text).toBe(m.steps.text[i]);
    }
    expect(at).toBe(p.nums.length);
  });

  it('embeds data that cannot close its script element', () => {
    const json = scriptSafeJson({ comment: '</script><script>alert(1)</script> <!-- \u2028' });
    expect(json).not.toMatch(/<|\u2028/);
    expect(JSON.parse(json).comment).toBe('</script><script>alert(1)</script> <!-- \u2028');
  });
});

describe('windows cut every view alike', () => {
  const input = scenario('scenarios/figure8.json', ['figure8']);
  const window = { fromMs: 500, toMs: 900, nodes: [1, 5] };

  it('text: only steps in the time span that name only the chosen nodes', () => {
    const all = renderText(input).split('\n');
    const cut = renderText({ ...input, window }).split('\n');
    expect(cut.length).toBeLessThan(all.length);
    expect(cut[1]).toMatch(/^window 500–900 ms, nodes S1 S5 \(\d+ steps\)$/);
    const stepLines = cut.filter((l) => /^ *#\d+ /.test(l));
    expect(stepLines.length).toBeGreaterThan(0);
    for (const l of stepLines) {
      const t = Number(/ (\d+)ms /.exec(l)![1]);
      expect(t).toBeGreaterThanOrEqual(500);
      expect(t).toBeLessThanOrEqual(900);
      // Partitions and heals concern every node: they stay, naming all of them.
      if (!/ (partition|heal)/.test(l)) expect(l).not.toMatch(/S[234]/);
    }
  });

  it('Mermaid: only the chosen participants', () => {
    const cut = renderMermaid({ ...input, window });
    expect(cut.match(/^ {2}participant S\d+$/gm)).toEqual(['  participant S1', '  participant S5']);
    for (const l of cut.split('\n')) if (!/ (partition|heal)/.test(l)) expect(l).not.toMatch(/S[234]/);
    expect(cut.length).toBeLessThan(renderMermaid(input).length);
  });

  it('HTML: lanes, messages and steps inside the window only', () => {
    const m = buildViewerModel({ ...input, window });
    expect(m.lanes.map((l) => l.node)).toEqual([1, 5]);
    expect(m.startMs).toBe(500);
    expect(m.endMs).toBe(900);
    for (const x of messages(m)) {
      expect([1, 5]).toContain(x.from);
      expect([1, 5]).toContain(x.to);
    }
    for (const t of m.steps.t) expect(t >= 500 && t <= 900).toBe(true);
    // The lanes start as the nodes were at 500 ms: S1 was already down (it crashed at 400 ms).
    expect(m.lanes[0]!.down[0]).toBe(500);
  });
});

describe('raftsim view and --format html', () => {
  it('view FILE writes one page beside the user and says where', async () => {
    const r = await simInProcess(['view', join(ROOT, 'scenarios/bugs/figure8.json')], work);
    expect(r.thrown).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote figure8\.html \(\d+ KB, open it in a browser\): \d+ steps, leader-completeness violated at step \d+/,
    );
    const html = readFileSync(join(work, 'figure8.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // Self-contained: nothing is fetched.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('view --format text with a window prints the cut step list', async () => {
    const r = await simInProcess(
      [
        'view',
        join(ROOT, 'scenarios/figure8.json'),
        '--bug',
        'figure8',
        '--format',
        'text',
        '--from',
        '0.5',
        '--to',
        '900ms',
        '--nodes',
        'S1,S5',
      ],
      work,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      renderText({
        ...scenario('scenarios/figure8.json', ['figure8']),
        window: { fromMs: 500, toMs: 900, nodes: [1, 5] },
      }),
    );
  });

  it('view of a trace that no longer replays as recorded shows the replay, and says so', async () => {
    const trace = JSON.parse(readFileSync(join(ROOT, 'scenarios/bugs/figure8.json'), 'utf8'));
    trace.expectations[0].outcome.step += 1;
    writeFileSync(join(work, 'edited.json'), JSON.stringify(trace));
    const r = await simInProcess(['view', 'edited.json'], work);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^raftsim: note: edited\.json no longer replays as recorded: .*step/);
    expect(r.stdout).toMatch(/^wrote edited\.html /);
    const plain = await simInProcess(
      ['view', join(ROOT, 'scenarios/bugs/figure8.json'), '--out', 'plain.html'],
      work,
    );
    expect(plain.stderr).toBe('');
  });

  it('--seed … --format html writes raftsim-seed<N>.html and names it in the summary', async () => {
    const r = await simInProcess(['--seed', '5', '--time', '2s', '--format', 'html'], work);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^view +raftsim-seed5\.html \(\d+ KB, open it in a browser\)$/m);
    expect(existsSync(join(work, 'raftsim-seed5.html'))).toBe(true);
  });
});
