/**
 * The repository's import graph, read with the TypeScript parser (no type checker, so it takes
 * about a second): every static import / export-from, `import x = require(...)`, `import('...')`
 * call and `import('...')` type of every TypeScript file, resolved to repository files where the
 * specifier is relative.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export type ImportKind = 'static' | 'dynamic';

export interface ImportEdge {
  /** Importing file, relative to the root, with '/' separators. */
  from: string;
  /** 1-based line of the import in `from`. */
  line: number;
  /** The specifier as written; null for an `import(expr)` whose argument is not a string literal. */
  specifier: string | null;
  /** The imported repository file (relative to the root), or null for a package, a built-in or an unresolved path. */
  target: string | null;
  kind: ImportKind;
  /** Erased by TypeScript: `import type`, `export type`, every named binding marked `type`, or an `import('...')` type. */
  typeOnly: boolean;
}

/** Folders holding TypeScript source; `packages/` holds only build output and package metadata. */
const SOURCE_ROOTS = ['compiler', 'targets', 'runtime', 'driver', 'plugins', 'examples', 'test', 'bench', 'scripts'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage']);
const TS_FILE = /\.(m|c)?tsx?$/;

function walk(root: string, rel: string, out: string[]): void {
  const dir = path.join(root, rel);
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
    const child = `${rel}/${entry.name}`;
    if (entry.isDirectory()) walk(root, child, out);
    else if (entry.isFile() && TS_FILE.test(entry.name)) out.push(child);
  }
}

/** Every TypeScript file under the source folders, relative to `root`, sorted. */
export function listSourceFiles(root: string): string[] {
  const files: string[] = [];
  for (const dir of SOURCE_ROOTS) walk(root, dir, files);
  return files.sort();
}

/**
 * The source file a relative specifier names: `./a.js` is `./a.ts` under NodeNext resolution; a
 * bundler query or hash (`./classifier.model.ts?tfc`) is not part of the file name.
 */
function resolveRelative(root: string, from: string, specifier: string): string | null {
  const abs = path.resolve(root, path.dirname(from), specifier.replace(/[?#].*$/, ''));
  const candidates = [abs];
  const ext = path.extname(abs);
  const stem = abs.slice(0, abs.length - ext.length);
  if (ext === '.js') candidates.push(`${stem}.ts`, `${stem}.tsx`);
  if (ext === '.mjs') candidates.push(`${stem}.mts`);
  if (ext === '.cjs') candidates.push(`${stem}.cts`);
  const found = candidates.find((c) => existsSync(c));
  return found === undefined ? null : path.relative(root, found).split(path.sep).join('/');
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

function literalText(node: ts.Node | undefined): string | null {
  return node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : null;
}

/** The imports of one file. */
export function fileImports(root: string, file: string): ImportEdge[] {
  const source = ts.createSourceFile(file, readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, specifier: string | null, kind: ImportKind, typeOnly: boolean): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const target = specifier !== null && specifier.startsWith('.') ? resolveRelative(root, file, specifier) : null;
    edges.push({ from: file, line, specifier, target, kind, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node, literalText(node.moduleSpecifier), 'static', isTypeOnlyImport(node));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      add(node, literalText(node.moduleSpecifier), 'static', isTypeOnlyExport(node));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, literalText(node.moduleReference.expression), 'static', node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, literalText(node.arguments[0]), 'dynamic', false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, literalText(node.argument.literal), 'static', true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The imports of every source file under `root`. */
export function importGraph(root: string): ImportEdge[] {
  return listSourceFiles(root).flatMap((file) => fileImports(root, file));
}

/** The top-level folder a repository path lies in ('compiler', 'runtime', ...). */
export function topFolder(file: string): string {
  return file.split('/')[0];
}
