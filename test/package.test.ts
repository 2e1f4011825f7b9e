// The packed package as a user gets it: `npm pack`, installed into a fresh project, imported by name,
// and the README's library examples run there (so they cannot go stale).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tcpdump as runTcpdump, tcpdumpCount as countOrNull } from './support/tcpdump.js';
import { PROJECT_ROOT } from './support/oracle.js';

const work = mkdtempSync(path.join(tmpdir(), 'filterjit-package-'));
const project = path.join(work, 'app');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The ```js blocks of the README, in order. */
function readmeExamples(): string[] {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

function runExample(index: number, code: string): string {
  const file = path.join(project, `example-${index}.mjs`);
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

const tcpdumpCount = (expr: string): number => countOrNull(path.join(project, 'pcaps/http.pcap'), expr) ?? NaN;

describe('the packed package', () => {
  beforeAll(() => {
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    mkdirSync(path.join(project, 'pcaps'), { recursive: true });
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    copyFileSync(path.join(PROJECT_ROOT, 'pcaps/http.pcap'), path.join(project, 'pcaps/http.pcap'));
    execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', path.join(work, tarball)], {
      cwd: project,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }, 600_000);

  it('installs with its type declarations and imports by name', () => {
    const pkg = path.join(project, 'node_modules/filterjit');
    expect(readFileSync(path.join(pkg, 'dist/index.d.ts'), 'utf8')).toContain('compile');
    const out = runExample(0, "import { compile } from 'filterjit';\nconsole.log(compile('udp').match(new Uint8Array(14)));\n");
    expect(out).toBe('false\n');
  });

  it('runs every README example', () => {
    const examples = readmeExamples();
    expect(examples.length).toBe(3);
    // 1: compile(): what each console.log prints is written in its trailing comment.
    const expected = [...examples[0].matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => m[1].split(': ')[0]);
    const lines = runExample(1, examples[0]).trim().split('\n');
    expect(lines.slice(0, expected.length)).toEqual(expected);
    expect(lines[expected.length]).toBe('true true');
    // 2: filtering a capture in three lines: one line per packet tcpdump matches.
    expect(examples[1].trim().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('import'))).toHaveLength(3);
    expect(runExample(2, examples[1]).trim().split('\n')).toHaveLength(tcpdumpCount('tcp[tcpflags] & tcp-fin != 0'));
    // 3: reading, filtering and writing: the file holds what tcpdump selects.
    expect(runExample(3, examples[2])).toBe(`${tcpdumpCount('tcp[13] = 2')} packet(s) written\n`);
    const syn = tcpdumpCount('tcp[13] = 2');
    expect(runTcpdump(['--count', '-r', path.join(project, 'syn.pcap')]).stdout).toBe(`${syn} packet${syn === 1 ? '' : 's'}\n`);
  });
});
