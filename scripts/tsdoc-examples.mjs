// The TSDoc `@example` blocks of every package's source, turned into modules that compile the way a
// consumer's code does: against the BUILT packages, importing what they use from '@tta/...'.
//
// An example is written without imports (it sits next to the declaration it shows), so each module gets
// one generated first line:
// - an import of every name the example uses that an entry point of its own package exports (then of
//   the @tta packages it depends on, @tta/primitives first), as a value or a type, as a consumer writes it;
// - the declarations it assumes and does not make itself, from two places, both invisible to a reader:
//   a `<!-- snippet-prelude: ... -->` line right before the fence, in the comment (a name only this
//   example uses), and the package's shared prelude, scripts/tsdoc-preludes/<package folder>.ts (names
//   many examples use, such as `context` or `llm`), whose top-level statements are taken one by one,
//   only for the names an example uses.
// The example's lines follow from line 2 on, so a diagnostic maps back to the line of the source file.
// A fence marked ```ts fragment is not compiled (kept for @internal helpers and option fragments).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const fencePattern = /^(`{3,}|~{3,})\s*([\w-]*)(.*)$/;
const preludePattern = /^<!--\s*snippet-prelude:([\s\S]*?)-->\s*$/;

/** Source files of a package that can carry a published example (tests and their helpers cannot). */
function sourceFiles(dir) {
  const files = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && /\.ts$/.test(entry.name) && !/\.(test|test-d|bench)\.ts$/.test(entry.name)) files.push(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return files.sort();
}

/**
 * The examples of one source file: { line (1-based line of the example's first code line), code,
 * fragment, prelude, fenceLine } plus problems (an `@example` without a ts fence).
 */
export function extractTsdocExamples(text) {
  const examples = [];
  const problems = [];
  const lines = text.split('\n');
  let inComment = false;
  // Each line of a doc comment without its ` * ` margin, with its 0-based line in the file.
  let comment = [];
  const flush = () => {
    for (let index = 0; index < comment.length; index += 1) {
      if (!/(^|\s)@example\b/.test(comment[index].text)) continue;
      // The example runs up to the next block tag; its first fence is the code.
      let fenceIndex = -1;
      const preludes = [];
      for (let next = index + 1; next < comment.length; next += 1) {
        const content = comment[next].text.trim();
        if (/^@\w+/.test(content)) break;
        const prelude = preludePattern.exec(content);
        if (prelude !== null) preludes.push(prelude[1].trim());
        if (fencePattern.test(content)) {
          fenceIndex = next;
          break;
        }
      }
      if (fenceIndex < 0) {
        problems.push({ line: comment[index].line + 1, message: 'an @example without a ```ts code block' });
        continue;
      }
      const [, fence, language, rest] = fencePattern.exec(comment[fenceIndex].text.trim());
      if (language !== 'ts' && language !== 'typescript') {
        problems.push({ line: comment[fenceIndex].line + 1, message: `an @example fenced as "${language}", not ts` });
        continue;
      }
      const body = [];
      let end = fenceIndex + 1;
      for (; end < comment.length; end += 1) {
        const content = comment[end].text;
        if (content.trim().startsWith(fence) && content.trim().replace(/[`~]/g, '') === '') break;
        body.push(content);
      }
      if (end === comment.length) {
        problems.push({ line: comment[fenceIndex].line + 1, message: 'an @example whose code block is not closed' });
        continue;
      }
      examples.push({
        fenceLine: comment[fenceIndex].line + 1,
        line: comment[fenceIndex].line + 2,
        code: body.join('\n'),
        fragment: /\bfragment\b/.test(rest),
        prelude: preludes.join('\n'),
      });
      index = end;
    }
    comment = [];
  };
  for (let index = 0; index < lines.length; index += 1) {
    let line = lines[index] ?? '';
    if (!inComment) {
      const start = line.indexOf('/**');
      if (start < 0) continue;
      inComment = true;
      line = line.slice(start + 3);
    } else {
      line = line.replace(/^\s*\*(?!\/) ?/, '');
    }
    const end = line.indexOf('*/');
    if (end >= 0) line = line.slice(0, end);
    comment.push({ text: line.replace(/\s+$/, ''), line: index });
    if (end >= 0) {
      inComment = false;
      flush();
    }
  }
  return { examples, problems };
}

/** The entry points of a built package: [{ specifier, typesPath }], the main entry first. */
function entryPoints(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const entries = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const types = typeof target === 'object' && target !== null ? target.types : undefined;
    if (typeof types !== 'string') continue;
    entries.push({ specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`, typesPath: join(packageDir, types) });
  }
  const siblings = Object.keys({ ...manifest.peerDependencies, ...manifest.dependencies }).filter((name) => name.startsWith('@tta/'));
  return { name: manifest.name, entries, siblings };
}

/** Names declared at the top level of a piece of code, mapped to the statement that declares them. */
function topLevelDeclarations(code) {
  const source = ts.createSourceFile('prelude.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const declared = new Map();
  const add = (name, statement) => {
    if (name !== undefined && !declared.has(name)) declared.set(name, statement);
  };
  const bindingNames = (node, statement) => {
    if (ts.isIdentifier(node)) add(node.text, statement);
    else for (const element of node.elements) if (!ts.isOmittedExpression(element)) bindingNames(element.name, statement);
  };
  for (const statement of source.statements) {
    const text = code.slice(statement.getStart(source), statement.end);
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name !== undefined) add(clause.name.text, text);
      const bindings = clause?.namedBindings;
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) add(bindings.name.text, text);
      if (bindings !== undefined && ts.isNamedImports(bindings)) for (const element of bindings.elements) add(element.name.text, text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bindingNames(declaration.name, text);
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) &&
      statement.name !== undefined && ts.isIdentifier(statement.name)
    ) {
      add(statement.name.text, text);
    }
  }
  return declared;
}

/** Identifiers a piece of code mentions (a superset of the free names it uses, which is all we need). */
function mentionedNames(code) {
  return new Set(code.match(/[A-Za-z_$][\w$]*/g) ?? []);
}

/**
 * Collects every TSDoc example of `packages/* /src` and writes nothing: returns
 * { modules: [{ name, text, file, line, fenceLine }], fragments, problems, exportsProgram }.
 * `exportsProgram` is the program that read the packages' declarations; pass it on as `oldProgram` so
 * the check parses them once.
 */
export function collectTsdocExamples(root, compilerOptions) {
  const packagesDir = join(root, 'packages');
  const packages = [];
  for (const folder of existsSync(packagesDir) ? readdirSync(packagesDir).sort() : []) {
    const dir = join(packagesDir, folder);
    if (!existsSync(join(dir, 'package.json'))) continue;
    packages.push({ folder, dir, ...entryPoints(dir) });
  }
  // What each entry point exports, and whether as a value: one program over the built declarations.
  const allEntries = packages.flatMap((pkg) => pkg.entries.filter((entry) => existsSync(entry.typesPath)));
  const exportsProgram = ts.createProgram(allEntries.map((entry) => entry.typesPath), compilerOptions);
  const checker = exportsProgram.getTypeChecker();
  const exportsOf = new Map();
  for (const entry of allEntries) {
    const names = new Map();
    const source = exportsProgram.getSourceFile(entry.typesPath);
    const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    for (const exported of symbol === undefined ? [] : checker.getExportsOfModule(symbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      names.set(exported.name, (target.flags & ts.SymbolFlags.Value) !== 0);
    }
    exportsOf.set(entry.specifier, names);
  }

  const modules = [];
  const problems = [];
  let fragments = 0;
  for (const pkg of packages) {
    const preludePath = join(root, 'scripts', 'tsdoc-preludes', `${pkg.folder}.ts`);
    const shared = existsSync(preludePath) ? topLevelDeclarations(readFileSync(preludePath, 'utf8')) : new Map();
    // The package's own entries first, then those of the @tta packages it depends on (the core first),
    // so an example of a sibling can use `step` or `retry` as its users do.
    const siblings = packages.filter((other) => other !== pkg && pkg.siblings.includes(other.name));
    siblings.sort((a, b) => Number(b.name === '@tta/primitives') - Number(a.name === '@tta/primitives'));
    const sources = [...pkg.entries, ...siblings.flatMap((other) => other.entries)];
    for (const path of sourceFiles(join(pkg.dir, 'src'))) {
      const file = relative(root, path);
      const extracted = extractTsdocExamples(readFileSync(path, 'utf8'));
      for (const problem of extracted.problems) problems.push(`${file}:${problem.line}: ${problem.message}`);
      for (const example of extracted.examples) {
        if (example.fragment) {
          fragments += 1;
          continue;
        }
        const declared = topLevelDeclarations(`${example.prelude}\n${example.code}`);
        // Shared declarations are pulled in by name, and may themselves mention other shared names.
        const statements = [];
        const pending = [...mentionedNames(`${example.prelude}\n${example.code}`)];
        const seen = new Set();
        const mentioned = new Set();
        while (pending.length > 0) {
          const name = pending.pop();
          if (seen.has(name)) continue;
          seen.add(name);
          mentioned.add(name);
          if (declared.has(name)) continue;
          const statement = shared.get(name);
          if (statement === undefined || statements.includes(statement)) continue;
          statements.push(statement);
          for (const inner of mentionedNames(statement)) pending.push(inner);
          for (const [other, otherStatement] of shared) if (otherStatement === statement) declared.set(other, statement);
        }
        const imports = new Map();
        for (const name of [...mentioned].sort()) {
          if (declared.has(name)) continue;
          const entry = sources.find((candidate) => exportsOf.get(candidate.specifier)?.has(name));
          if (entry === undefined) continue;
          const isValue = exportsOf.get(entry.specifier).get(name);
          const list = imports.get(entry.specifier) ?? [];
          list.push(isValue ? name : `type ${name}`);
          imports.set(entry.specifier, list);
        }
        const header = [
          ...[...imports].map(([specifier, names]) => `import { ${names.join(', ')} } from '${specifier}';`),
          ...statements.map((statement) => statement.replace(/\s*\n\s*/g, ' ')),
          example.prelude.replace(/\s*\n\s*/g, ' '),
        ].join(' ');
        modules.push({
          name: `${file.replace(/[^\w]+/g, '_')}_L${example.fenceLine}.ts`,
          text: `${header}\n${example.code}\nexport {};\n`,
          file,
          line: example.line,
          fenceLine: example.fenceLine,
        });
      }
    }
  }
  return { modules, fragments, problems, exportsProgram };
}
