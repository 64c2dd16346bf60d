// The viewer page's stylesheet, inlined into every file (no network: the file is all there is).

export const PAGE_STYLE = `
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 13px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2430; background: #fff; }
body { display: flex; flex-direction: column; }
header { padding: 8px 12px 6px; border-bottom: 1px solid #d6dae0; }
header h1 { font-size: 15px; margin: 0; }
header .sub { color: #5b6575; }
#verdict { margin-top: 3px; }
#verdict.bad { color: #b3261e; font-weight: 600; }
#verdict.good { color: #1e7d45; }
#toolbar { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; padding: 5px 12px; border-bottom: 1px solid #d6dae0; background: #f6f7f9; }
#toolbar button { font: inherit; padding: 1px 8px; }
#toolbar label { white-space: nowrap; cursor: pointer; }
.swatch { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 3px; }
.legend { color: #5b6575; }
#main { flex: 1; display: flex; min-height: 0; }
#timeline-wrap { flex: 1; min-width: 0; display: flex; overflow-y: auto; overflow-x: hidden; }
#labels { flex: none; width: 92px; position: relative; border-right: 1px solid #d6dae0; background: #fafbfc; }
.lane-label, .client-label { position: absolute; left: 0; right: 0; padding-left: 8px; font-weight: 600; display: flex; align-items: center; }
.client-label { font-weight: 400; color: #5b6575; font-size: 11px; }
#plot { flex: 1; position: relative; min-width: 0; cursor: crosshair; }
#timeline { display: block; position: absolute; left: 0; top: 0; }
#violation-marker { position: absolute; top: 0; width: 0; border-left: 2px solid #d93025; pointer-events: none; }
#violation-marker span { position: absolute; top: 2px; left: 3px; background: #d93025; color: #fff; font-size: 11px; padding: 0 4px; border-radius: 2px; white-space: nowrap; }
#violation-marker.flip span { left: auto; right: 3px; }
#tip { position: fixed; pointer-events: none; background: #1d2430; color: #fff; font-size: 11px; padding: 2px 6px; border-radius: 3px; display: none; max-width: 520px; z-index: 5; }
#side { flex: none; width: 430px; display: flex; flex-direction: column; border-left: 1px solid #d6dae0; min-height: 0; }
#steps-head { padding: 4px 8px; border-bottom: 1px solid #d6dae0; background: #f6f7f9; color: #5b6575; }
#steps { flex: 1; overflow-y: auto; position: relative; font: 11.5px/18px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; min-height: 120px; }
#steps-spacer { position: relative; }
.step-row { position: absolute; left: 0; right: 0; height: 18px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: 0 6px; cursor: pointer; }
.step-row:hover { background: #eef2f8; }
.step-row.selected { background: #cfe0fb; }
.step-row.violation { color: #b3261e; font-weight: 600; }
#violation-panel { border-top: 1px solid #d6dae0; padding: 6px 8px; max-height: 42%; overflow: auto; background: #fff6f5; }
#violation-panel h2 { font-size: 13px; margin: 0 0 3px; color: #b3261e; }
#violation-panel pre { margin: 4px 0 0; font-size: 11.5px; }
#violation-panel button { font: inherit; }
`;
