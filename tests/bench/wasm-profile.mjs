// A small size profiler for a .wasm module (in the spirit of twiggy's `top`), with no dependency:
// section sizes, the biggest functions by body size (names from the `name` section, so profile a
// module built with names kept, e.g. wasm-opt -g) and the code bytes per crate.
//
//   node tests/bench/wasm-profile.mjs module.wasm [top-n] [--json out.json]

import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const SECTION = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export',
  'start', 'element', 'code', 'data', 'datacount', 'tag'];

class Reader {
  constructor(buf, pos = 0, end = buf.length) { Object.assign(this, { buf, pos, end }); }
  u8() { return this.buf[this.pos++]; }
  leb() {
    let result = 0; let shift = 0; let byte;
    do {
      byte = this.buf[this.pos++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  }
  name() {
    const len = this.leb();
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  skip(n) { this.pos += n; }
}

/** Legacy Rust symbol (_ZN...E) to a readable path without the hash; other names unchanged. */
export function demangle(sym) {
  if (!sym.startsWith('_ZN')) return sym;
  const parts = [];
  let i = 3;
  while (i < sym.length && sym[i] !== 'E') {
    let n = 0;
    while (i < sym.length && sym[i] >= '0' && sym[i] <= '9') n = n * 10 + Number(sym[i++]);
    if (n === 0) break;
    parts.push(sym.slice(i, i + n));
    i += n;
  }
  if (parts.length && /^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  const unescape = (p) => p
    .replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$RF\$/g, '&')
    .replace(/\$BP\$/g, '*').replace(/\$C\$/g, ',').replace(/\$u20\$/g, ' ')
    .replace(/\$u7b\$/g, '{').replace(/\$u7d\$/g, '}').replace(/\$u5b\$/g, '[')
    .replace(/\$u5d\$/g, ']').replace(/\$u27\$/g, "'").replace(/\$LP\$/g, '(')
    .replace(/\$RP\$/g, ')').replace(/\.\./g, '::')
    .replace(/^_</, '<');
  return parts.map(unescape).join('::');
}

/** The crate a demangled function belongs to (the first path segment, or the impl's self type). */
export function crateOf(name) {
  const m = name.match(/^<+(?:&(?:mut )?)?(?:dyn )?([A-Za-z_][A-Za-z0-9_]*)/) || name.match(/^([A-Za-z_][A-Za-z0-9_]*)::/);
  if (!m) return name.startsWith('__wbg') || name.startsWith('__wbindgen') ? 'wasm-bindgen glue' : '(other)';
  return m[1];
}

export function profile(buf) {
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module');
  const r = new Reader(buf, 8);
  const sections = [];
  let importedFuncs = 0;
  const bodies = [];
  const names = new Map();
  let dataBytes = 0;
  while (r.pos < buf.length) {
    const id = r.u8();
    const size = r.leb();
    const start = r.pos;
    const s = new Reader(buf, start, start + size);
    let label = SECTION[id] || `#${id}`;
    if (id === 0) {
      label = `custom "${s.name()}"`;
      if (label === 'custom "name"') {
        while (s.pos < s.end) {
          const sub = s.u8();
          const len = s.leb();
          const subEnd = s.pos + len;
          if (sub === 1) {
            const count = s.leb();
            for (let k = 0; k < count; k += 1) names.set(s.leb(), s.name());
          }
          s.pos = subEnd;
        }
      }
    } else if (id === 2) {
      const count = s.leb();
      for (let k = 0; k < count; k += 1) {
        s.name(); s.name();
        const kind = s.u8();
        if (kind === 0) { s.leb(); importedFuncs += 1; } else if (kind === 1) { s.u8(); limits(s); } else if (kind === 2) limits(s); else if (kind === 3) { s.u8(); s.u8(); } else s.leb();
      }
    } else if (id === 10) {
      const count = s.leb();
      for (let k = 0; k < count; k += 1) {
        const len = s.leb();
        bodies.push({ index: importedFuncs + k, size: len });
        s.skip(len);
      }
    } else if (id === 11) {
      dataBytes = size;
    }
    sections.push({ section: label, bytes: size });
    r.pos = start + size;
  }
  const functions = bodies.map((b) => {
    const raw = names.get(b.index) ?? `func[${b.index}]`;
    // Drop the crate disambiguators of v0-demangled names: core[8225ac4e38a696d5]::fmt -> core::fmt.
    const name = demangle(raw).replace(/\[[0-9a-f]{8,16}\]/g, '');
    return { index: b.index, bytes: b.size, name, crate: crateOf(name) };
  }).sort((a, b) => b.bytes - a.bytes);
  const byCrate = {};
  for (const f of functions) byCrate[f.crate] = (byCrate[f.crate] || 0) + f.bytes;
  return {
    total: buf.length,
    sections,
    dataBytes,
    functionCount: functions.length,
    functions,
    byCrate: Object.entries(byCrate).sort((a, b) => b[1] - a[1]).map(([crate, bytes]) => ({ crate, bytes })),
  };
}

function limits(s) {
  const flags = s.u8();
  s.leb();
  if (flags & 1) s.leb();
}

export function report(p, top = 25) {
  const pct = (n) => `${((100 * n) / p.total).toFixed(1).padStart(5)}%`;
  const lines = [`module: ${p.total} bytes, ${p.functionCount} functions`, '', 'sections:'];
  for (const s of p.sections) lines.push(`  ${String(s.bytes).padStart(8)} ${pct(s.bytes)}  ${s.section}`);
  lines.push('', 'code bytes by crate:');
  for (const c of p.byCrate.slice(0, 15)) lines.push(`  ${String(c.bytes).padStart(8)} ${pct(c.bytes)}  ${c.crate}`);
  lines.push('', `top ${top} functions:`);
  for (const f of p.functions.slice(0, top)) lines.push(`  ${String(f.bytes).padStart(8)} ${pct(f.bytes)}  ${f.name.slice(0, 140)}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const [file, topArg] = process.argv.slice(2).filter((a, i, all) => a !== '--json' && all[i - 1] !== '--json');
  if (!file) {
    console.error('usage: wasm-profile.mjs module.wasm [top-n] [--json out.json]');
    process.exit(2);
  }
  const p = profile(readFileSync(file));
  console.log(report(p, Number(topArg) || 25));
  const j = process.argv.indexOf('--json');
  if (j !== -1) writeFileSync(process.argv[j + 1], `${JSON.stringify(p, null, 1)}\n`);
}
