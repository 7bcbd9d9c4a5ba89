/* global document, location, EventSource, fetch, URLSearchParams, setTimeout, dagre */
// The devtools page. Everything user-supplied (step names, payloads, errors) reaches the DOM through
// textContent or attribute setters, never as markup: a step named `<img onerror=...>` stays text.
'use strict';

const token = new URLSearchParams(location.search).get('token') ?? '';
const api = (path) => `${path}?token=${encodeURIComponent(token)}`;
const svgNs = 'http://www.w3.org/2000/svg';

const state = {
  workflows: [],
  selectedWorkflow: undefined,
  runs: new Map(),
  selectedRun: undefined,
  pinnedRun: false,
  droppedTotal: 0,
  runsNotShown: 0,
};

const byId = (id) => document.getElementById(id);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function svg(tag, attributes) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes ?? {})) node.setAttribute(name, String(value));
  return node;
}

function formatMs(ms) {
  if (typeof ms !== 'number') return '';
  return ms < 1 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function formatUsd(usd) {
  return usd > 0 ? `$${usd.toFixed(usd < 0.01 ? 5 : 3)}` : '';
}

// ---- the graph, laid out by dagre ----

/** The graph node a step path belongs to: the path without its `#n` repeat suffixes. */
const nodePathOf = (path) => (typeof path === 'string' ? path.replace(/#\d+(?=\/|$)/g, '') : undefined);

/**
 * Flattens a description into nodes and edges (a sequence chains its children, other composites
 * fan out), then adds the steps a run executed that the description does not list (work a step
 * starts itself, such as agents), under the nearest node of their path.
 */
function flatten(description, run) {
  const nodes = [];
  const edges = [];
  const byPath = new Map();
  const visit = (node, parentKind) => {
    const id = nodes.length;
    const entry = { id, name: node.name, kind: node.kind, label: node.label, options: node.options, path: node.path ?? node.name, parentKind };
    nodes.push(entry);
    byPath.set(entry.path, entry);
    const childIds = (node.children ?? []).map((child) => visit(child, node.kind));
    if (node.kind === 'sequential' && childIds.length > 0) {
      edges.push([id, childIds[0], 'then']);
      for (let index = 1; index < childIds.length; index++) edges.push([childIds[index - 1], childIds[index], 'then']);
    } else {
      for (const childId of childIds) edges.push([id, childId, 'runs']);
    }
    return id;
  };
  if (description) visit(description, undefined);
  for (const step of run?.steps.values() ?? []) {
    const path = nodePathOf(step.path);
    if (path === undefined || byPath.has(path)) continue;
    const parentPath = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : undefined;
    const parent = parentPath === undefined ? undefined : byPath.get(parentPath);
    const entry = { id: nodes.length, name: step.name, kind: step.kind, label: undefined, path, observed: true, parentKind: parent?.kind };
    nodes.push(entry);
    byPath.set(path, entry);
    if (parent) edges.push([parent.id, entry.id, 'runs']);
  }
  return { nodes, edges };
}

let drawnGraphKey = '';

function layout(nodes, edges, rankdir) {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir, nodesep: rankdir === 'TB' ? 24 : 12, ranksep: 36, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    const width = Math.min(280, Math.max(120, 8 * Math.max(node.name.length, (node.label ?? '').length + 4, node.kind.length + 4)));
    graph.setNode(String(node.id), { width, height: 64 });
  }
  for (const [from, to, relation] of edges) graph.setEdge(String(from), String(to), { relation });
  dagre.layout(graph);
  return graph;
}

function drawGraph(workflow) {
  const container = byId('graph');
  const run = state.runs.get(state.selectedRun);
  const { nodes, edges } = flatten(workflow?.graph, run);
  drawnGraphKey = `${workflow?.name}\n${nodes.map((node) => node.path).join('\n')}`;
  container.replaceChildren();
  if (nodes.length === 0) {
    container.append(element('p', 'empty', 'No description for this workflow yet: its steps appear here as a run executes them.'));
    return;
  }
  // Top to bottom reads best; a wide fan-out (a team of agents) is laid out left to right instead
  // when that keeps it legible in the space the page has.
  const available = Math.max(480, container.clientWidth - 16);
  let graph = layout(nodes, edges, 'TB');
  if (graph.graph().width > available) {
    const sideways = layout(nodes, edges, 'LR');
    if (sideways.graph().width < graph.graph().width) graph = sideways;
  }
  const size = graph.graph();
  const root = svg('svg', { width: size.width, height: size.height, viewBox: `0 0 ${size.width} ${size.height}`, role: 'img' });
  for (const edge of graph.edges()) {
    const points = graph.edge(edge).points.map((point) => `${point.x},${point.y}`).join(' ');
    root.append(svg('polyline', { points, class: `edge edge-${graph.edge(edge).relation}` }));
  }
  for (const node of nodes) {
    const box = graph.node(String(node.id));
    const group = svg('g', { class: `node state-idle${node.observed ? ' observed' : ''}`, transform: `translate(${box.x - box.width / 2},${box.y - box.height / 2})` });
    group.dataset.name = node.name;
    group.dataset.path = node.path;
    if (node.parentKind) group.dataset.parentKind = node.parentKind;
    group.append(svg('rect', { width: box.width, height: box.height, rx: 6 }));
    const title = svg('text', { x: 8, y: 18, class: 'node-name' });
    title.textContent = node.name;
    const kind = svg('text', { x: 8, y: 34, class: 'node-kind' });
    kind.textContent = node.label === undefined ? node.kind : `${node.kind} · ${node.label}`;
    const stats = svg('text', { x: 8, y: 52, class: 'node-stats' });
    // The hover text: what the node is, with its options as describe() summarises them.
    const tooltip = svg('title');
    tooltip.textContent = `${node.name} (${node.kind})${node.options ? `\n${JSON.stringify(node.options)}` : ''}\n${node.path}`;
    group.append(tooltip, title, kind, stats);
    root.append(group);
  }
  container.append(root);
  paintGraph();
}

/** Redraws the graph when the selected run executed steps it does not show yet; repaints it otherwise. */
function refreshGraph() {
  const workflow = state.workflows.find((candidate) => candidate.name === state.selectedWorkflow);
  const { nodes } = flatten(workflow?.graph, state.runs.get(state.selectedRun));
  if (`${workflow?.name}\n${nodes.map((node) => node.path).join('\n')}` !== drawnGraphKey) drawGraph(workflow);
  else paintGraph();
}

/** Colours each node by what the selected run did there. */
function paintGraph() {
  const run = state.runs.get(state.selectedRun);
  for (const group of document.querySelectorAll('#graph g.node')) {
    const summary = run ? summarise(run, group.dataset.path, group.dataset.name, group.dataset.parentKind) : undefined;
    group.setAttribute('class', `node state-${summary?.state ?? 'idle'}${group.classList.contains('observed') ? ' observed' : ''}`);
    const parts = [];
    if (summary) {
      if (summary.durationMs !== undefined) parts.push(formatMs(summary.durationMs));
      if (summary.attempts > 1) parts.push(`${summary.attempts} attempts`);
      else if (summary.executions > 1) parts.push(`${summary.executions} runs`);
      if (summary.fallbacks > 0) parts.push(`${summary.fallbacks} fallback${summary.fallbacks > 1 ? 's' : ''}`);
      if (summary.cacheHits > 0) parts.push(`${summary.cacheHits} cache hit${summary.cacheHits > 1 ? 's' : ''}`);
      if (summary.tokens > 0) parts.push(`${summary.tokens} tok`);
      if (summary.costUsd > 0) parts.push(formatUsd(summary.costUsd));
    }
    group.querySelector('.node-stats').textContent = parts.join(' · ');
  }
}

/**
 * The most executions of one node under one execution of its parent: a step under a retry runs as
 * `retry/call`, `retry/call#2`... (its attempts), while the same node under separate calls of the
 * retry (`cache#1/retry/call`, `cache#2/retry/call`) is one attempt each.
 */
function mostAttempts(steps) {
  const perParent = new Map();
  for (const step of steps) {
    const key = typeof step.path === 'string' ? step.path.replace(/#\d+$/, '') : step.name;
    perParent.set(key, (perParent.get(key) ?? 0) + 1);
  }
  return Math.max(1, ...perParent.values());
}

function summarise(run, path, name, parentKind) {
  const matched = [...run.steps.values()].filter((step) => (step.path === undefined ? step.name === name : nodePathOf(step.path) === path));
  const events = run.events.filter((event) => event.name === name);
  if (matched.length === 0 && events.length === 0) return undefined;
  const last = matched[matched.length - 1];
  const stateName = last === undefined ? 'idle' : last.status === 'running' ? 'running' : last.status === 'skipped' ? 'skipped' : last.status;
  return {
    state: stateName,
    durationMs: matched.reduce((total, step) => total + (step.durationMs ?? 0), 0) || undefined,
    // Repeats under a retry are its attempts; repeats elsewhere (a cache every agent calls) are runs.
    attempts: Math.max(parentKind === 'retry' ? mostAttempts(matched) : 1, 1 + events.filter((event) => event.type === 'retry').length),
    executions: matched.length,
    fallbacks: events.filter((event) => event.type === 'fallback').length,
    cacheHits: events.filter((event) => event.type === 'cache-hit').length,
    tokens: matched.reduce((total, step) => total + (step.tokens ?? 0), 0),
    costUsd: matched.reduce((total, step) => total + (step.costUsd ?? 0), 0),
  };
}

// ---- lists and the run's detail ----

function renderWorkflows() {
  const list = byId('workflows');
  list.replaceChildren();
  for (const workflow of state.workflows) {
    const item = element('li', workflow.name === state.selectedWorkflow ? 'selected' : '');
    const button = element('button', 'workflow', workflow.name);
    button.type = 'button';
    button.dataset.workflow = workflow.name;
    button.addEventListener('click', () => selectWorkflow(workflow.name));
    item.append(button);
    if (workflow.durable) item.append(element('span', 'badge', 'durable'));
    list.append(item);
  }
}

function selectWorkflow(name) {
  state.selectedWorkflow = name;
  state.pinnedRun = false;
  const latest = [...state.runs.values()].filter((run) => run.workflow === name).pop();
  state.selectedRun = latest?.id;
  renderWorkflows();
  drawGraph(state.workflows.find((workflow) => workflow.name === name));
  renderRuns();
  renderRunDetail();
}

function renderRuns() {
  const list = byId('runs');
  list.replaceChildren();
  const runs = [...state.runs.values()].filter((run) => run.workflow === state.selectedWorkflow).reverse();
  for (const run of runs) {
    const item = element('li', `run state-${run.status}${run.id === state.selectedRun ? ' selected' : ''}`);
    const button = element('button', 'run-button', `${new Date(run.at).toLocaleTimeString()} · ${run.status}${run.durationMs === undefined ? '' : ` · ${formatMs(run.durationMs)}`}`);
    button.type = 'button';
    button.addEventListener('click', () => {
      state.selectedRun = run.id;
      state.pinnedRun = true;
      renderRuns();
      refreshGraph();
      renderRunDetail();
    });
    item.append(button);
    list.append(item);
  }
}

function renderRunDetail() {
  const detail = byId('run-detail');
  detail.replaceChildren();
  const run = state.runs.get(state.selectedRun);
  if (!run) return;
  detail.append(element('h2', '', `Run ${run.status}`));
  const facts = element('p', 'facts');
  facts.textContent = [run.durationMs === undefined ? 'running' : formatMs(run.durationMs), run.tokens > 0 ? `${run.tokens} tokens` : '', formatUsd(run.costUsd ?? 0)].filter(Boolean).join(' · ');
  detail.append(facts, element('p', 'input', `input: ${run.input ?? ''}`));
  if (run.error?.length) {
    const box = element('div', 'error');
    box.append(element('h3', '', 'Error'));
    const chain = element('ol', 'cause-chain');
    for (const link of run.error) chain.append(element('li', '', `${link.name}${link.code ? ` [${link.code}]` : ''}: ${link.message}`));
    box.append(chain);
    detail.append(box);
  }
  const waterfall = element('div', 'waterfall');
  const total = Math.max(run.durationMs ?? 0, ...[...run.steps.values()].map((step) => step.offsetMs + (step.durationMs ?? 0)), 0.001);
  for (const step of run.steps.values()) {
    const row = element('div', `bar-row state-${step.status}`);
    row.append(element('span', 'bar-name', step.name));
    const track = element('span', 'bar-track');
    const bar = element('span', 'bar');
    bar.style.marginLeft = `${(100 * step.offsetMs) / total}%`;
    bar.style.width = `${Math.max(0.5, (100 * (step.durationMs ?? total - step.offsetMs)) / total)}%`;
    track.append(bar);
    row.append(track, element('span', 'bar-time', step.durationMs === undefined ? 'running' : formatMs(step.durationMs)));
    if (step.error?.length) row.title = step.error.map((link) => `${link.name}: ${link.message}`).join(' ← ');
    waterfall.append(row);
  }
  detail.append(element('h3', '', 'Timeline'), waterfall);
}

// ---- live events ----

function apply(event) {
  switch (event.t) {
    case 'hello':
      state.droppedTotal = event.droppedTotal ?? 0;
      state.runsNotShown = event.runsNotShown ?? 0;
      state.runs.clear();
      break;
    case 'run-start':
      state.runs.set(event.run, { id: event.run, workflow: event.workflow, at: event.at, input: event.input, status: 'running', steps: new Map(), events: [] });
      if (event.workflow === state.selectedWorkflow && !state.pinnedRun) state.selectedRun = event.run;
      break;
    case 'step-start': {
      const run = state.runs.get(event.run);
      run?.steps.set(event.step, { name: event.name, kind: event.kind, path: event.path, offsetMs: event.offsetMs, attempt: event.attempt, status: 'running' });
      break;
    }
    case 'step-end': {
      const step = state.runs.get(event.run)?.steps.get(event.step);
      if (step) Object.assign(step, { status: event.status, durationMs: event.durationMs, tokens: event.tokens, costUsd: event.costUsd, error: event.error });
      break;
    }
    case 'step-event':
      state.runs.get(event.run)?.events.push(event);
      break;
    case 'run-end': {
      const run = state.runs.get(event.run);
      if (run) Object.assign(run, { status: event.status, durationMs: event.durationMs, tokens: event.tokens, costUsd: event.costUsd, error: event.error });
      loadSuspended();
      break;
    }
    case 'dropped':
      state.droppedTotal = event.total;
      break;
    case 'runs-not-shown':
      state.runsNotShown = event.total;
      break;
  }
}

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => {
    renderQueued = false;
    const dropped = byId('dropped');
    dropped.hidden = state.droppedTotal === 0 && state.runsNotShown === 0;
    dropped.textContent = [
      state.droppedTotal > 0 ? `${state.droppedTotal} events dropped (the page could not keep up)` : '',
      state.runsNotShown > 0 ? `${state.runsNotShown} runs not shown (over the runs-per-second limit)` : '',
    ].filter(Boolean).join(' · ');
    renderRuns();
    refreshGraph();
    renderRunDetail();
  }, 50);
}

function connect() {
  const source = new EventSource(api('/api/events'));
  source.onopen = () => {
    byId('status').textContent = 'live';
    byId('status').className = 'status live';
  };
  source.onerror = () => {
    byId('status').textContent = 'reconnecting…';
    byId('status').className = 'status';
  };
  source.onmessage = (message) => {
    apply(JSON.parse(message.data));
    scheduleRender();
  };
}

// ---- suspended durable runs ----

async function loadSuspended() {
  if (!state.workflows.some((workflow) => workflow.durable)) return;
  const response = await fetch(api('/api/suspended'));
  if (!response.ok) return;
  renderSuspended(await response.json());
}

// A form stays as it is while its run is still suspended, so a value being typed and an inline
// error survive the list being refreshed by other runs' events.
const resumeForms = new Map();
let resumeNotice;

function renderSuspended(runs) {
  const box = byId('suspended');
  const heading = element('h2', '', 'Suspended runs');
  const notice = element('p', `resume-notice${resumeNotice?.ok === false ? ' error' : ''}`, resumeNotice?.text ?? '');
  const key = (run) => `${run.workflow}\n${run.runId}`;
  const keep = new Set(runs.map(key));
  for (const formKey of [...resumeForms.keys()]) if (!keep.has(formKey)) resumeForms.delete(formKey);
  const forms = runs.map((run) => {
    let form = resumeForms.get(key(run));
    if (!form) {
      form = resumeForm(run);
      resumeForms.set(key(run), form);
    }
    return form;
  });
  box.replaceChildren(heading, notice, ...(forms.length === 0 ? [element('p', 'empty', 'None.')] : forms));
}

function resumeForm(run) {
  const form = element('form', 'resume');
  form.dataset.runId = run.runId;
  form.dataset.workflow = run.workflow;
  form.append(element('p', 'suspended-title', `${run.workflow} · ${run.runId}${run.waitingFor ? ` · waiting for ${run.waitingFor}` : ''}`));
  form.append(element('pre', 'payload', run.payload));
  const input = element('textarea', 'resume-value');
  input.name = 'value';
  input.rows = 3;
  input.placeholder = 'a JSON value, for example {"approved": true}';
  const submit = element('button', 'resume-button', 'Resume');
  submit.type = 'submit';
  const message = element('p', 'resume-message');
  form.append(input, submit, message);
  form.addEventListener('submit', (submitEvent) => {
    submitEvent.preventDefault();
    void resume(run, input.value, message);
  });
  return form;
}

async function resume(run, text, message) {
  let value;
  try {
    value = text.trim() === '' ? null : JSON.parse(text);
  } catch (error) {
    message.className = 'resume-message error';
    message.textContent = `Not valid JSON: ${error.message}`;
    return;
  }
  message.className = 'resume-message';
  message.textContent = 'resuming…';
  const response = await fetch(api('/api/resume'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ workflow: run.workflow, runId: run.runId, value }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    message.className = 'resume-message error';
    message.textContent = `Resume failed: ${body.error ?? response.status}`;
    return;
  }
  // The run leaves the list once resumed: its outcome is shown above the list instead.
  resumeNotice = { ok: true, text: `Resumed ${run.runId}: ${body.status}` };
  message.className = 'resume-message ok';
  message.textContent = `Resumed: ${body.status}`;
  await loadSuspended();
}

// ---- start ----

async function start() {
  const response = await fetch(api('/api/workflows'));
  state.workflows = await response.json();
  if (state.workflows.length > 0) selectWorkflow(state.workflows[0].name);
  else renderWorkflows();
  connect();
  await loadSuspended();
}

void start();
