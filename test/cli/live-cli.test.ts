// Live capture with our compiled filter, on the loopback device as root: `filter -i lo` as a process
// (printing, -w with a clean stop on SIGINT, -c) and liveCapture() from the library. The test sends its
// own UDP datagrams to two ports and checks that exactly the ones the expression selects pass.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveCapture } from '../../src/index.js';
import { liveProblem } from '../support/live.js';
import { libpcapReadPackets, PROJECT_ROOT } from '../support/oracle.js';

const skipReason = liveProblem();
const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WANTED = 47811;
const OTHER = 47812;

/** Sends `count` datagrams to each of the two ports, interleaved, from one socket. */
async function sendTraffic(count: number): Promise<void> {
  const socket = createSocket('udp4');
  for (let i = 0; i < count; i++) {
    for (const port of [WANTED, OTHER]) {
      await new Promise<void>((resolve, reject) => socket.send(`probe ${i}`, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    }
  }
  socket.close();
}

/** Runs `filter` live, sends the traffic once it is listening, and stops it with `stopWith` (or a 60 s timeout). */
function runLive(args: string[], count: number, stopWith?: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'test/support/run-cli.ts'), ...args], { cwd: PROJECT_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Like tcpdump, the command says when the capture is open: only then is the traffic sent.
      if (!sent && stderr.includes('listening on lo')) {
        sent = true;
        sendTraffic(count)
          .then(() => stopWith && setTimeout(() => child.kill(stopWith), 1_000))
          .catch(reject);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(skipReason !== undefined)(`live capture with our filter${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('filter -i lo -c N prints exactly the selected datagrams', async () => {
    const r = await runLive(['-i', 'lo', '-c', '5', `udp and dst port ${WANTED}`], 5);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(new RegExp(`IP 127\\.0\\.0\\.1\\.\\d+ > 127\\.0\\.0\\.1\\.${WANTED}: UDP, length 7`));
    expect(r.stderr).toMatch(/^filter: listening on lo, link-type EN10MB, snapshot length 65535 bytes\n\d+ packets received, 5 matched, \d+ dropped\n$/);
  }, 90_000);

  it('-w writes a complete capture when SIGINT stops it', async () => {
    const out = path.join(dir, 'live.pcap');
    const r = await runLive(['-i', 'lo', '-w', out, `udp port ${WANTED}`], 4, 'SIGINT');
    expect(r.code).toBe(0);
    const read = libpcapReadPackets(out);
    if (!read.ok) throw new Error(read.error);
    expect(read.readError).toBeUndefined();
    expect(read.packets).toHaveLength(4);
    for (const p of read.packets) expect((p.data[36] << 8) | p.data[37]).toBe(WANTED);
    expect(r.stderr).toMatch(/\d+ packets received, 4 matched/);
  }, 90_000);

  it('liveCapture() yields only the packets the expression selects', async () => {
    const got: number[] = [];
    const sending = new Promise((resolve) => setTimeout(resolve, 500)).then(() => sendTraffic(3));
    for await (const packet of liveCapture({ iface: 'lo', expression: `udp dst port ${WANTED}` })) {
      got.push((packet.data[36] << 8) | packet.data[37]);
      if (got.length === 3) break;
    }
    await sending;
    expect(got).toEqual([WANTED, WANTED, WANTED]);
  }, 60_000);
});
