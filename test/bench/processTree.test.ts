/**
 * The process-tree sampler of bench:spark (bench/processTree.ts). A pyspark worker is a
 * fork of the daemon that is killed and never waited for, so its CPU never reaches an
 * ancestor's children time; the sampler must keep what it saw of it.
 */
import { spawn } from 'node:child_process';
import { ProcessTreeSampler } from '../../bench/processTree';

// the parent forks a child that burns 0.3 s of CPU, says so, and waits to be killed; the parent kills it without waiting for it, then exits
const SCRIPT = `
import os, sys, time
pid = os.fork()
if pid == 0:
    t = time.process_time()
    while time.process_time() - t < 0.3:
        pass
    sys.stdout.write("burnt\\n"); sys.stdout.flush()
    time.sleep(600)
    os._exit(0)
sys.stdin.readline()
os.kill(pid, 9)
os._exit(0)
`;

test('a process killed unreaped below the root keeps the CPU it was seen using', async () => {
  const child = spawn('/usr/bin/python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const sampler = new ProcessTreeSampler(child.pid!, 60_000); // sampled by hand below, not by the timer
  try {
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    const seen = sampler.sample();
    // 0.3 s burnt, accounted in clock ticks (a few may fall either side)
    expect(seen.cpuSeconds).toBeGreaterThan(0.2);
    expect([...sampler.peaks.values()].length).toBeGreaterThanOrEqual(2);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin!.end('go\n');
    await exited;
    // the whole tree is gone: its CPU must not go with it
    expect(sampler.sample().cpuSeconds).toBeGreaterThanOrEqual(seen.cpuSeconds);
  } finally {
    sampler.stop();
    child.kill('SIGKILL');
  }
});
