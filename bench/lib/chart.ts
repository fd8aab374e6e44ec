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

/**
 * The ratio chart (median req/s relative to bare Express in the same round, with the min–max of the
 * rounds as a whisker), rendered to SVG by vega-lite + vega in Node (no browser, no canvas).
 */
export async function ratioChart(bars: Bar[], title: string, subtitle: string): Promise<string> {
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
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
