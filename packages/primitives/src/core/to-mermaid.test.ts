import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JSDOM } from 'jsdom';
import {
  compensation,
  conditional,
  fallback,
  InvalidOptionsError,
  parallel,
  retry,
  router,
  step,
  timeout,
  toMermaid,
  type AnyPrimitive,
} from '@tta/primitives';

// Mermaid's own parser, on a jsdom window: what the devtools page and any Markdown renderer run.
interface ParsedDiagram {
  readonly db: {
    getVertices(): Map<string, { readonly id: string; readonly text: string; readonly type: string }>;
    getEdges(): { readonly start: string; readonly end: string; readonly text: string; readonly stroke: string }[];
    getSubGraphs(): { readonly id: string; readonly title: string; readonly nodes: string[] }[];
  };
}
let mermaid: { parse(text: string): Promise<unknown>; mermaidAPI: { getDiagramFromText(text: string): Promise<ParsedDiagram> } };
let dom: JSDOM;
const saved = { window: globalThis.window, document: globalThis.document };

beforeAll(async () => {
  dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  mermaid = (await import('mermaid')).default as unknown as typeof mermaid;
}, 60_000);

afterAll(() => {
  Object.assign(globalThis, saved);
  dom.window.close();
});

/** Text as a browser shows it: Mermaid keeps entity codes as placeholders until it renders them as HTML. */
function shown(text: string): string {
  const html = text.replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
  const element = dom.window.document.createElement('textarea');
  element.innerHTML = html;
  return element.value;
}

/** The parsed diagram; rejects with Mermaid's parse error when the text is not valid Mermaid. */
async function parse(workflow: AnyPrimitive, direction?: 'TD' | 'LR'): Promise<ParsedDiagram> {
  return mermaid.mermaidAPI.getDiagramFromText(toMermaid(workflow, direction === undefined ? {} : { direction }));
}

const search = step('search', (query: string) => [query]);
const summarise = step('summarise', (hits: string[]) => hits.join(' '));
const count = step('count', (hits: string[]) => hits.length);

describe('toMermaid', () => {
  it('draws a sequence as a chain and parallel as a fork and join with its keys on the edges', () => {
    expect(toMermaid(search.pipe(parallel({ summary: summarise, total: count })))).toBe(
      [
        'flowchart TD',
        '  subgraph n0["sequential"]',
        '    n1["search"]',
        '    subgraph n2["parallel"]',
        '      n3(("#8203;"))',
        '      n4["summarise"]',
        '      n5["count"]',
        '      n6(("#8203;"))',
        '      n3 -->|"summary"| n4',
        '      n4 --> n6',
        '      n3 -->|"total"| n5',
        '      n5 --> n6',
        '    end',
        '    n1 --> n3',
        '  end',
      ].join('\n'),
    );
  });

  it('is accepted by Mermaid, in both directions, for every kind of composite', async () => {
    const release = step('release', () => undefined);
    const workflow = retry(search, { maxAttempts: 3 })
      .pipe(fallback(timeout(summarise, { timeoutMs: 1_000, fallback: step('short', () => '') }), [step('canned', () => 'sorry')]))
      .pipe(router({ routes: { brief: step('brief', (text: string) => text), full: step('full', (text: string) => text) }, selector: () => 'brief', defaultRoute: 'full' }))
      .pipe(conditional({ condition: (text: string) => text.length > 0, then: step('shout', (text: string) => text.toUpperCase()) }))
      .pipe(compensation({ steps: [{ step: step('reserve', (text: string) => text), undo: release }] }));
    for (const direction of ['TD', 'LR'] as const) {
      await expect(mermaid.parse(toMermaid(workflow, { direction }))).resolves.toEqual(expect.objectContaining({ diagramType: 'flowchart-v2' }));
      const diagram = await parse(workflow, direction);
      const texts = [...diagram.db.getVertices().values()].map((vertex) => shown(vertex.text));
      expect(texts).toEqual(expect.arrayContaining(['search', 'summarise', 'short', 'canned', 'brief', 'full', 'shout', 'reserve', 'release', 'route', 'condition']));
      const edges = diagram.db.getEdges().map((edge) => ({ label: shown(edge.text), dashed: edge.stroke === 'dotted' }));
      expect(edges).toEqual(
        expect.arrayContaining([
          { label: 'fallback 1', dashed: true },
          { label: 'fallback', dashed: true },
          { label: 'undo', dashed: true },
          { label: 'brief', dashed: false },
          { label: 'full (default)', dashed: false },
          { label: 'then', dashed: false },
          { label: 'else', dashed: false },
        ]),
      );
      expect(diagram.db.getSubGraphs().map((subgraph) => shown(subgraph.title))).toEqual(
        expect.arrayContaining(['sequential', 'retry(search)', 'fallback(timeout(summarise))', 'timeout(summarise)', 'router', 'conditional', 'compensation']),
      );
    }
    expect(toMermaid(search, { direction: 'LR' }).split('\n')[0]).toBe('flowchart LR');
  });

  it('shows any step name as text, never as syntax (fuzzed)', async () => {
    const hostile = ['<img src=x onerror=alert(1)>', 'a --> b', 'end', 'x"]; click n0 call alert() ;["y', '`**md**`', '#quot;', 'line\nbreak', 'naïve 😀 名前', '[(){}]|', 'subgraph', '%%{init: {}}%%', '&amp;', '\\"'];
    const nasty = fc.string({ unit: fc.constantFrom(...'"[](){}<>|-.#;`&\\%:=\n\t endsubgraphé😀名'), minLength: 1, maxLength: 24 });
    const name = fc.oneof(fc.constantFrom(...hostile), nasty, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }));
    await fc.assert(
      fc.asyncProperty(fc.tuple(name, name, name, name), async ([first, second, key, alternative]) => {
        const workflow = step(first, (input: string) => input).pipe(
          parallel({ [key]: step(second, (input: string) => input), other: fallback(step(alternative, (input: string) => input), [step('x', (input: string) => input)], { name: alternative }) }),
        );
        const diagram = await parse(workflow);
        const texts = [...diagram.db.getVertices().values()].map((vertex) => shown(vertex.text));
        expect(texts).toEqual(expect.arrayContaining([first, second, alternative]));
        expect(diagram.db.getEdges().map((edge) => shown(edge.text))).toContain(key);
        expect(diagram.db.getSubGraphs().map((subgraph) => shown(subgraph.title))).toContain(`${alternative} (fallback)`);
        // One vertex per drawn node: no name split a node in two or merged two.
        expect(diagram.db.getVertices().size).toBe(toMermaid(workflow).match(/^\s*n\d+[[(]/gm)!.length);
      }),
      { numRuns: 80 },
    );
  }, 60_000);

  it('gives each node its own generated id, also when names repeat', () => {
    const text = toMermaid(parallel(search, search, search));
    const ids = [...text.matchAll(/^\s*(n\d+)\[/gm)].map((match) => match[1]);
    expect(ids).toEqual(['n2', 'n3', 'n4']);
  });

  it('draws a description made by describe(), so a page can draw what a server sent', () => {
    const workflow = retry(search);
    expect(toMermaid(JSON.parse(JSON.stringify(workflow.describe())) as ReturnType<typeof workflow.describe>)).toBe(toMermaid(workflow));
  });

  it('refuses bad options and a value that is not a workflow', () => {
    expect(() => toMermaid(search, { direction: 'BT' as 'TD' })).toThrow(InvalidOptionsError);
    expect(() => toMermaid(search, { direction: 'BT' as 'TD' })).toThrow(/direction/);
    expect(() => toMermaid(search, { colour: 'red' } as never)).toThrow(/colour/);
    expect(() => toMermaid({ kind: 'step' } as never)).toThrow(/must be a primitive or a description/);
    expect(() => toMermaid({ kind: 'sequential', name: 's', children: 'fetch' } as never)).toThrow(/"workflow" .*children must be an array/);
    expect(() => toMermaid({ kind: 'sequential', name: 's', children: [{ kind: 'step', name: 'a' }, { kind: 'step', name: 7 }] } as never)).toThrow(/workflow\.children\[1\]/);
    expect(() => toMermaid({ kind: 'step', name: 'a', label: 1 } as never)).toThrow(InvalidOptionsError);
    let deep: object = { kind: 'step', name: 'leaf' };
    for (let level = 0; level < 10_000; level++) deep = { kind: 'retry', name: 'retry', children: [deep] };
    expect(() => toMermaid(deep as never)).toThrow(/nests deeper than 256 levels/);
  });
});
