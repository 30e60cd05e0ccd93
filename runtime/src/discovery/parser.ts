// Loads web-tree-sitter and the Python grammar once per process. Files are found by
// walking up from this module: the bundles live in dist/ (one level below the repo
// root, with web-tree-sitter.wasm copied beside them), the sources under runtime/src/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';
import { Wasm, type WasmImports, type WasmInstance, type WasmModule } from '../sandbox/wasm';
import { compileWithFlags, wasmTieringBudget } from '../sandbox/wasm-compile-flags';

export type { Language, Node, Parser, Tree, Edit, Point } from 'web-tree-sitter';

export const GRAMMAR_FILE = 'tree-sitter-python.wasm';

let loading: Promise<Parser> | undefined;
let loaded: Parser | undefined;

/** The parser if initParser() has already resolved, for synchronous callers. */
export function loadedParser(): Parser | undefined {
  return loaded;
}

/**
 * Parses Python source as Python reads it: a lone "\r" ends a line (universal newlines),
 * while tree-sitter only counts "\n". Each lone "\r" becomes "\n", one UTF-16 unit for
 * one, so indices stay those of the text and rows become the editor's lines.
 */
export function parseSource(parser: Parser, text: string, old: Tree | null = null): Tree {
  const tree = parser.parse(text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text, old);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** Where tree-sitter first stopped making sense of a tree with errors (0-based row and column). */
export function firstSyntaxError(root: Node): { line: number; column: number } {
  let n = root;
  for (;;) {
    const next = n.children.find((c) => c !== null && (c.hasError || c.isMissing || c.type === 'ERROR'));
    if (!next || next.type === 'ERROR' || next.isMissing) {
      const at = (next ?? n).startPosition;
      return { line: at.row, column: at.column };
    }
    n = next;
  }
}

/** The shared Python parser. Parsing is synchronous, so one parser serves every caller. */
export function initParser(grammarsDir?: string): Promise<Parser> {
  loading ??= load(grammarsDir).catch((e: unknown) => {
    loading = undefined; // let a later call retry instead of caching the failure
    throw e;
  });
  return loading;
}

async function load(grammarsDir?: string): Promise<Parser> {
  const grammar = join(grammarsDir ?? findUp('grammars'), GRAMMAR_FILE);
  if (!existsSync(grammar)) throw new Error(`tree-sitter grammar not found at ${grammar}`);
  const runtimeWasm = findRuntimeWasm();
  const parser = wasmTieringBudget() === undefined || !runtimeWasm ? await loadDefault(runtimeWasm, grammar) : await loadUnderBudget(runtimeWasm, grammar);
  loaded = parser;
  return parser;
}

async function loadDefault(runtimeWasm: string | undefined, grammar: string): Promise<Parser> {
  await Parser.init(runtimeWasm ? { locateFile: () => runtimeWasm } : {});
  const parser = new Parser();
  parser.setLanguage(await Language.load(readFileSync(grammar))); // bytes: a path makes web-tree-sitter import() fs, which fails in code run from a V8 code cache (cli/launcher.ts)
  return parser;
}

/**
 * The CLI's tiering budget (sandbox/wasm-compile-flags.ts) applies to a
 * compile, so both modules are compiled here, synchronously (a few ms):
 * otherwise V8 optimises the parser's hot functions in the background, which
 * the one-off process's exit then waits for.
 */
async function loadUnderBudget(runtimeWasm: string, grammar: string): Promise<Parser> {
  const runtimeBytes = readFileSync(runtimeWasm);
  await Parser.init({
    instantiateWasm(imports: WasmImports, receive: (instance: WasmInstance, module: WasmModule) => void) {
      const module = compileWithFlags(() => new Wasm.Module(runtimeBytes));
      const instance = new Wasm.Instance(module, imports);
      receive(instance, module);
      return instance.exports;
    },
  });
  const parser = new Parser();
  const grammarBytes = readFileSync(grammar);
  parser.setLanguage(Language.loadSync(compileWithFlags(() => new Wasm.Module(grammarBytes)) as unknown as WebAssembly.Module));
  return parser;
}

function findRuntimeWasm(): string | undefined {
  const candidates = [join(__dirname, 'web-tree-sitter.wasm')];
  try {
    const root = dirname(findUp('grammars'));
    candidates.push(join(root, 'dist', 'web-tree-sitter.wasm'), join(root, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.wasm'));
  } catch {
    /* no repo root: rely on the bundle's neighbour or web-tree-sitter's own lookup */
  }
  return candidates.find((c) => existsSync(c));
}

/** The nearest `<ancestor>/<name>` directory above this module. */
function findUp(name: string): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, name);
    if (existsSync(join(candidate, GRAMMAR_FILE)) || (name !== 'grammars' && existsSync(candidate))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find ${name}/ above ${__dirname}`);
    dir = up;
  }
}
