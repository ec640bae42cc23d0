// Shortens the names of the functions the wasm imports from its wasm-bindgen glue, in both files.
//
//   node .ci/minify-imports.mjs pkg/oxidc_bg.wasm pkg/oxidc.js
//
// wasm-bindgen names every import `__wbg_<name>_<16 hex digits>` and writes each name twice: in the
// wasm import section and as a key of the glue's import object. The hex digits do not compress, so
// they cost about 2 KB of gzip. Each import of the glue module is renamed to a short key (a, b, ...,
// aa, ...), and the module itself to "m". Nothing is renamed unless every name occurs exactly once
// as a key in the glue: otherwise the files are left as they were and the script fails. The exports
// of the closure shims (`wasm_bindgen_<hash>___convert__closures...`, mangled type paths hundreds of
// characters long) become __c0, __c1, ... the same way, where the glue calls them as wasm.<name>.

import { readFileSync, writeFileSync } from 'node:fs';

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) {
  console.error('usage: minify-imports.mjs module.wasm glue.js');
  process.exit(2);
}
const GLUE_MODULE = './oxidc_bg.js';
const NEW_MODULE = 'm';

const wasm = readFileSync(wasmPath);
let js = readFileSync(jsPath, 'utf8');
const fail = (msg) => {
  console.error(`minify-imports: ${msg}; files left unchanged`);
  process.exit(1);
};

function leb(buf, pos) {
  let result = 0; let shift = 0; let byte;
  do {
    byte = buf[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [result, pos];
}

function encodeLeb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

const str = (s) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([encodeLeb(b.length), b]); };

function shortName(i) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let s = '';
  let n = i;
  do {
    s = letters[n % letters.length] + s;
    n = Math.floor(n / letters.length) - 1;
  } while (n >= 0);
  return s;
}

if (wasm.readUInt32LE(0) !== 0x6d736100) fail('not a wasm module');
let pos = 8;
let importSection = null;
while (pos < wasm.length) {
  const id = wasm[pos];
  const [size, body] = leb(wasm, pos + 1);
  if (id === 2) importSection = { start: pos, body, end: body + size };
  pos = body + size;
}
if (!importSection) fail('no import section');

// Re-encode the import section with the new names; the descriptors are copied byte for byte.
let p = importSection.body;
let count;
[count, p] = leb(wasm, p);
const parts = [encodeLeb(count)];
const renames = [];
const keyCount = (name) => js.split(`${name}:`).length - 1;
for (let i = 0; i < count; i += 1) {
  let len;
  [len, p] = leb(wasm, p);
  const module = wasm.toString('utf8', p, p + len);
  p += len;
  [len, p] = leb(wasm, p);
  const field = wasm.toString('utf8', p, p + len);
  p += len;
  const descStart = p;
  const kind = wasm[p++];
  if (kind === 0) [, p] = leb(wasm, p);
  else if (kind === 1) { p += 1; const flags = wasm[p++]; [, p] = leb(wasm, p); if (flags & 1) [, p] = leb(wasm, p); } else if (kind === 2) { const flags = wasm[p++]; [, p] = leb(wasm, p); if (flags & 1) [, p] = leb(wasm, p); } else if (kind === 3) p += 2;
  else fail(`unknown import kind ${kind}`);
  let newModule = module;
  let newField = field;
  if (module === GLUE_MODULE) {
    if (keyCount(field) !== 1) fail(`import ${field} is not exactly one key of the glue`);
    newModule = NEW_MODULE;
    newField = shortName(renames.length);
    renames.push([field, newField]);
  }
  parts.push(str(newModule), str(newField), wasm.subarray(descStart, p));
}
if (p !== importSection.end) fail('import section not fully read');
if (!renames.length) fail('no glue imports found');
if (js.split(`"${GLUE_MODULE}":`).length !== 2) fail(`the glue does not name "${GLUE_MODULE}" exactly once`);

const body = Buffer.concat(parts);
let out = Buffer.concat([
  wasm.subarray(0, importSection.start), Buffer.from([2]), encodeLeb(body.length), body,
  wasm.subarray(importSection.end),
]);
for (const [from, to] of renames) js = js.replace(`${from}:`, `${to}:`);
js = js.replace(`"${GLUE_MODULE}":`, `"${NEW_MODULE}":`);

// The exports of wasm-bindgen's closure shims carry the mangled path of their types (hundreds of
// characters each, with crate hashes): renamed to short names too, here and in the glue, which
// reaches them only as `wasm.<name>`.
pos = 8;
let exportSection = null;
while (pos < out.length) {
  const id = out[pos];
  const [size, sectionBody] = leb(out, pos + 1);
  if (id === 7) exportSection = { start: pos, body: sectionBody, end: sectionBody + size };
  pos = sectionBody + size;
}
if (!exportSection) fail('no export section');
p = exportSection.body;
[count, p] = leb(out, p);
const exportParts = [encodeLeb(count)];
const exportRenames = [];
for (let i = 0; i < count; i += 1) {
  let len;
  [len, p] = leb(out, p);
  const name = out.toString('utf8', p, p + len);
  p += len;
  const descStart = p;
  p += 1;
  [, p] = leb(out, p);
  let newName = name;
  if (/^__c\d+$/.test(name)) fail(`an export is already named ${name}`);
  if (/^wasm_bindgen_[0-9a-f]+___convert__closures/.test(name)) {
    newName = `__c${exportRenames.length}`;
    exportRenames.push([name, newName]);
  }
  exportParts.push(str(newName), out.subarray(descStart, p));
}
if (p !== exportSection.end) fail('export section not fully read');
if (exportRenames.length) {
  const exportBody = Buffer.concat(exportParts);
  out = Buffer.concat([
    out.subarray(0, exportSection.start), Buffer.from([7]), encodeLeb(exportBody.length), exportBody,
    out.subarray(exportSection.end),
  ]);
  for (const [from, to] of exportRenames) {
    if (!js.includes(`wasm.${from}`)) fail(`export ${from} is not used as wasm.${from} in the glue`);
    js = js.split(`wasm.${from}(`).join(`wasm.${to}(`);
    if (js.includes(`wasm.${from}`) || js.includes(`"${from}"`) || js.includes(`'${from}'`)) {
      fail(`export ${from} is used otherwise than called as wasm.${from}`);
    }
  }
}
if (!WebAssembly.validate(out)) fail('the rewritten module does not validate');
writeFileSync(wasmPath, out);
writeFileSync(jsPath, js);
console.log(`minify-imports: ${renames.length} imports and ${exportRenames.length} exports renamed; wasm ${wasm.length} -> ${out.length} bytes`);
