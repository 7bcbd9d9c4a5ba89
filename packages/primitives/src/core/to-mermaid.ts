import type { AnyPrimitive } from './workflow-primitive.js';
import type { PrimitiveDescription } from './primitive-description.js';
import { requireOneOf, requireOptionsObject } from './options.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue } from './describe-value.js';
import { maxDescribedDepth } from './describe.js';

/** Options of {@link toMermaid}. */
export interface ToMermaidOptions {
  /**
   * Which way the graph flows: top-down or left-to-right.
   * @default 'TD'
   */
  readonly direction?: 'TD' | 'LR';
}

/**
 * Draws a workflow as a Mermaid `flowchart`: steps are boxes, a composite is a box around its
 * children (titled by its name), a sequence is a chain, `parallel` forks and joins with its keys on
 * the edges, a router or conditional is a decision with its routes (`then`/`else`) on the edges, a
 * fallback's alternatives and a saga's undos hang off dashed edges. Node ids are generated (`n0`,
 * `n1`...) and every label is written with Mermaid's entity codes except letters, digits and plain
 * punctuation, so any step name (quotes, brackets, `-->`, `end`, HTML, new lines, emoji) is shown
 * as text and never read as syntax. Takes a primitive or a description made by `describe()`.
 *
 * @example
 * ```ts
 * const research = step('search', async (query: string) => [query]).pipe(
 *   parallel({ summary: step('summarise', async (hits: string[]) => hits.join(' ')), count: step('count', async (hits: string[]) => hits.length) }),
 * );
 * console.log(toMermaid(research, { direction: 'LR' }));
 * // flowchart LR
 * //   subgraph n0["sequential"]
 * //     n1["search"]
 * //   ...
 * ```
 */
export function toMermaid(workflow: AnyPrimitive | PrimitiveDescription, options: ToMermaidOptions = {}): string {
  requireOptionsObject('toMermaid', options, { known: ['direction'] });
  const direction = options.direction ?? 'TD';
  requireOneOf('toMermaid', 'direction', direction, ['TD', 'LR']);
  const description = descriptionOf(workflow);
  const drawing = new Drawing();
  drawing.line(0, `flowchart ${direction}`);
  drawing.draw(description, 1);
  return drawing.lines.join('\n');
}

function descriptionOf(workflow: AnyPrimitive | PrimitiveDescription): PrimitiveDescription {
  if (typeof (workflow as Partial<AnyPrimitive> | null)?.describe === 'function') return (workflow as AnyPrimitive).describe();
  // A description may come from elsewhere (a page drawing what a server sent): checked whole, so a
  // malformed one is refused by where it is wrong instead of failing halfway through the drawing.
  checkDescription(workflow, 'workflow', 0);
  return workflow as PrimitiveDescription;
}

function checkDescription(value: unknown, where: string, depth: number): void {
  const problem = (what: string): never => {
    throw new InvalidOptionsError('toMermaid', where, `must be a primitive or a description made by describe(): ${what} (got ${describeValue(value)})`);
  };
  if (depth > maxDescribedDepth) problem(`it nests deeper than ${maxDescribedDepth} levels`);
  if (typeof value !== 'object' || value === null) problem('not an object');
  const candidate = value as { readonly [field: string]: unknown };
  if (typeof candidate['kind'] !== 'string' || typeof candidate['name'] !== 'string') problem('kind and name must be strings');
  if (candidate['label'] !== undefined && typeof candidate['label'] !== 'string') problem('label must be a string');
  const options = candidate['options'];
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) problem('options must be an object');
  const children = candidate['children'];
  if (children === undefined) return;
  if (!Array.isArray(children)) problem('children must be an array');
  (children as unknown[]).forEach((child, index) => checkDescription(child, `${where}.children[${index}]`, depth + 1));
}

/** Where a drawn fragment is entered and left, for the edges around it. */
interface Fragment {
  readonly entry: string;
  readonly exit: string;
}

class Drawing {
  readonly lines: string[] = [];
  private nextId = 0;

  line(depth: number, text: string): void {
    this.lines.push(`${'  '.repeat(depth)}${text}`);
  }

  draw(node: PrimitiveDescription, depth: number): Fragment {
    const children = node.children ?? [];
    if (children.length === 0) {
      const id = this.id();
      this.line(depth, `${id}["${escapeLabel(title(node))}"]`);
      return { entry: id, exit: id };
    }
    this.line(depth, `subgraph ${this.id()}["${escapeLabel(title(node))}"]`);
    const fragment = this.drawInside(node, children, depth + 1);
    this.line(depth, 'end');
    return fragment;
  }

  private drawInside(node: PrimitiveDescription, children: readonly PrimitiveDescription[], depth: number): Fragment {
    switch (node.kind) {
      case 'router':
      case 'conditional':
        return this.decision(node, children, depth);
      case 'compensation':
        return this.saga(children, depth);
      default:
        break;
    }
    if (children.some((child) => isAlternative(child.label))) return this.alternatives(children, depth);
    if (children.every((child) => child.label === undefined)) return this.chain(children, depth);
    return this.fork(children, depth);
  }

  /** A sequence, a wrapper (one child) or any composite whose children are plain steps. */
  private chain(children: readonly PrimitiveDescription[], depth: number): Fragment {
    const fragments = children.map((child) => this.draw(child, depth));
    for (let index = 1; index < fragments.length; index++) this.edge(depth, fragments[index - 1]!.exit, '-->', undefined, fragments[index]!.entry);
    return { entry: fragments[0]!.entry, exit: fragments.at(-1)!.exit };
  }

  /** Branches that all run: parallel keys, coordinated agents, any labelled children. */
  private fork(children: readonly PrimitiveDescription[], depth: number): Fragment {
    const fork = this.junction(depth);
    const fragments = children.map((child) => this.draw(child, depth));
    const join = this.junction(depth);
    children.forEach((child, index) => {
      this.edge(depth, fork, '-->', child.label, fragments[index]!.entry);
      this.edge(depth, fragments[index]!.exit, '-->', undefined, join);
    });
    return { entry: fork, exit: join };
  }

  /** One branch of several: a router's routes or a conditional's `then`/`else`. */
  private decision(node: PrimitiveDescription, children: readonly PrimitiveDescription[], depth: number): Fragment {
    const decide = this.id();
    this.line(depth, `${decide}{"${escapeLabel(node.kind === 'router' ? 'route' : 'condition')}"}`);
    const fragments = children.map((child) => this.draw(child, depth));
    const join = this.junction(depth);
    const defaultRoute = node.options?.['defaultRoute'];
    children.forEach((child, index) => {
      const label = child.label !== undefined && child.label === defaultRoute ? `${child.label} (default)` : child.label;
      this.edge(depth, decide, '-->', label, fragments[index]!.entry);
      this.edge(depth, fragments[index]!.exit, '-->', undefined, join);
    });
    // A conditional without `else` passes its input through.
    if (node.kind === 'conditional' && !children.some((child) => child.label === 'else')) this.edge(depth, decide, '-->', 'else', join);
    return { entry: decide, exit: join };
  }

  /** A primary and the alternatives tried after it fails (fallback, a timeout's fallback). */
  private alternatives(children: readonly PrimitiveDescription[], depth: number): Fragment {
    const fragments = children.map((child) => this.draw(child, depth));
    const join = this.junction(depth);
    children.forEach((child, index) => {
      if (index > 0) this.edge(depth, fragments[index - 1]!.entry, '-.->', child.label ?? 'fallback', fragments[index]!.entry);
      this.edge(depth, fragments[index]!.exit, '-->', undefined, join);
    });
    return { entry: fragments[0]!.entry, exit: join };
  }

  /** Saga steps in a chain, each undo hanging off its step on a dashed edge. */
  private saga(children: readonly PrimitiveDescription[], depth: number): Fragment {
    let first: Fragment | undefined;
    let previousStep: Fragment | undefined;
    for (const child of children) {
      const fragment = this.draw(child, depth);
      if (child.label?.startsWith('undo') === true && previousStep !== undefined) {
        this.edge(depth, previousStep.exit, '-.->', 'undo', fragment.entry);
        continue;
      }
      if (previousStep !== undefined) this.edge(depth, previousStep.exit, '-->', undefined, fragment.entry);
      first ??= fragment;
      previousStep = fragment;
    }
    return { entry: first!.entry, exit: previousStep!.exit };
  }

  private junction(depth: number): string {
    const id = this.id();
    this.line(depth, `${id}(("#8203;"))`);
    return id;
  }

  private edge(depth: number, from: string, arrow: '-->' | '-.->', label: string | undefined, to: string): void {
    this.line(depth, label === undefined ? `${from} ${arrow} ${to}` : `${from} ${arrow}|"${escapeLabel(label)}"| ${to}`);
  }

  private id(): string {
    return `n${this.nextId++}`;
  }
}

function isAlternative(label: string | undefined): boolean {
  return label !== undefined && /^(?:primary|fallback(?: \d+)?)$/.test(label);
}

/** A node's text: its name, and its kind when the name does not already say it (`search (parallel)`). */
function title(node: PrimitiveDescription): string {
  if (node.kind === 'step' || node.name === node.kind || node.name.startsWith(`${node.kind}(`)) return node.name;
  return `${node.name} (${node.kind})`;
}

// Kept as they are: letters, digits, space and punctuation that means nothing inside a quoted
// Mermaid string. Everything else (quotes, brackets, `<`, `#`, `;`, backticks, new lines, any
// non-ASCII character) becomes an entity code, which Mermaid shows as the character itself.
const plain = /[A-Za-z0-9 ,.:_\-/()+=*@!?']/;

/** @internal `text` as the inside of a quoted Mermaid label. */
export function escapeLabel(text: string): string {
  let escaped = '';
  for (const character of text) escaped += plain.test(character) ? character : `#${character.codePointAt(0)!};`;
  // Mermaid trims a label: a space at either end is written as a code so that it stays.
  return escaped.replace(/^ +| +$/g, (spaces) => '#32;'.repeat(spaces.length));
}
