// Copies the tree-sitter-python grammar wasm from node_modules into grammars/
// and rewrites its provenance note. Run after bumping the package.
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkgJson = require.resolve('tree-sitter-python/package.json');
const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));
const wtsVersion = JSON.parse(readFileSync('node_modules/web-tree-sitter/package.json', 'utf8')).version;
const src = pkgJson.replace(/package\.json$/, 'tree-sitter-python.wasm');
copyFileSync(src, 'grammars/tree-sitter-python.wasm');
const sha = createHash('sha256').update(readFileSync(src)).digest('hex');
writeFileSync('grammars/tree-sitter-python.info', [
  'grammar: tree-sitter-python',
  `version: ${version} (npm package tree-sitter-python@${version}, file tree-sitter-python.wasm)`,
  `abi: loaded with web-tree-sitter ${wtsVersion}`,
  `sha256: ${sha}`,
  'upgrade: npm install --save-dev tree-sitter-python@<version> && node scripts/update-grammar.mjs',
  '',
].join('\n'));
console.log(`grammars/tree-sitter-python.wasm <- tree-sitter-python@${version} (${sha.slice(0, 12)})`);
