import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { Group } from './registry';

export interface Bar {
  server: string;
  group: Group;
  ratio: number;
  min: number;
  max: number;
}

const GROUP_LABEL: Record<Group, string> = {
  floor: 'floor / reference',
  authmount: 'authmount',
  peer: 'peer',
  extra: 'extra reference',
};

/** One bar of the second panel: a server's added CPU as a multiple of its floor's (issue 18). */
export interface FloorBar {
  server: string;
  floor: string;
  multiple: number;
  min: number;
  max: number;
}

/**
 * The ratio chart (median req/s relative to bare Express in the same round, with the min–max of the
 * rounds as a whisker), rendered to SVG by vega-lite + vega in Node (no browser, no canvas).
 */
export async function ratioChart(bars: Bar[], title: string, subtitle: string, floors: FloorBar[] = [], target = 1.5): Promise<string> {
  const values = bars.map((b) => ({ ...b, group: GROUP_LABEL[b.group], label: b.ratio.toFixed(2) }));
  const order = bars.map((b) => b.server);
  const y = { field: 'server', type: 'nominal' as const, sort: order, title: null, axis: { labelLimit: 300 } };
  const spec: vl.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle },
    width: 520,
    height: { step: 22 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          y,
          x: {
            field: 'ratio',
            type: 'quantitative',
            title: 'req/s relative to bare Express (same round, median)',
            scale: { domain: [0, 1.1] },
          },
          color: {
            field: 'group',
            type: 'nominal',
            title: null,
            scale: { domain: Object.values(GROUP_LABEL), range: ['#9e9e9e', '#1f77b4', '#ff7f0e', '#c7c7c7'] },
            legend: { orient: 'bottom' },
          },
        },
      },
      {
        mark: { type: 'rule', color: '#333' },
        encoding: { y, x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: { y, x: { field: 'max', type: 'quantitative' }, text: { field: 'label' } },
      },
      {
        // The bare-Express line at 1.0.
        data: { values: [{ x: 1 }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#555' },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
    ],
  };
  // Second panel: added server CPU per request (over bare, same round) as a multiple of the floor's.
  const fy = { field: 'server', type: 'nominal' as const, sort: floors.map((f) => f.server), title: null, axis: { labelLimit: 300 } };
  const top = Math.max(target * 1.2, ...floors.map((f) => f.max).filter(Number.isFinite)) * 1.1;
  const floorPanel = {
    title: { text: `Added CPU per request as a multiple of its floor's (target ≤ ${target}×)`, fontSize: 13 },
    width: 520,
    height: { step: 22 },
    data: { values: floors.map((f) => ({ ...f, label: `${f.multiple.toFixed(2)}× ${f.floor}` })) },
    layer: [
      {
        mark: { type: 'bar' as const, height: { band: 0.7 }, color: '#1f77b4' },
        encoding: {
          y: fy,
          x: {
            field: 'multiple',
            type: 'quantitative' as const,
            title: '(server − bare) / (floor − bare), server CPU µs per request, median of the rounds',
            scale: { domain: [0, top] },
          },
        },
      },
      {
        mark: { type: 'rule' as const, color: '#333' },
        encoding: { y: fy, x: { field: 'min', type: 'quantitative' as const }, x2: { field: 'max' } },
      },
      {
        mark: { type: 'text' as const, align: 'left' as const, dx: 4, fontSize: 11 },
        encoding: { y: fy, x: { field: 'max', type: 'quantitative' as const }, text: { field: 'label' } },
      },
      {
        data: { values: [{ x: target }] },
        mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#d62728' },
        encoding: { x: { field: 'x', type: 'quantitative' as const } },
      },
    ],
  };
  const full = (
    floors.length ? { $schema: spec.$schema, vconcat: [{ ...spec, $schema: undefined }, floorPanel] } : spec
  ) as vl.TopLevelSpec;
  const compiled = vl.compile(full).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
