#!/usr/bin/env node
/**
 * The npm mirror our machines use serves only some platform builds of packages
 * with native optional dependencies (@swc/core-*, @unrs/resolver-binding-*), so
 * `npm install` writes a lock without the other platforms' entries and `npm ci`
 * then refuses it ("Missing: … from lock file"). This adds the absent entries as
 * optional, version-pinned nodes: npm ci skips them where they do not apply (or
 * cannot be fetched), and fetches them by version on a machine that needs them.
 * Run after every `npm install` that changes the lock: `npm run lock:complete`.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const path = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(path, 'utf8'));
const added = [];
for (const node of Object.values(lock.packages)) {
  for (const [name, spec] of Object.entries(node.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || !/^\d+\.\d+\.\d+/.test(spec)) continue;
    lock.packages[key] = { version: spec, optional: true, ...(node.dev ? { dev: true } : {}) };
    added.push(`${name}@${spec}`);
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added ${added.length} optional platform entries: ${added.join(', ')}` : 'lock file already complete');
