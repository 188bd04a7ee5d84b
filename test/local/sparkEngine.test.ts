/** `npm start -- --engine spark` says what is missing, and how to install it, before it starts anything. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sparkEnvironment } from '../../local/sparkJobs';

const REPO = join(__dirname, '..', '..');

describe('the Spark engine of npm start', () => {
  it('names a missing Spark venv and the script that creates it', () => {
    expect(() => sparkEnvironment(join(REPO, 'no-such-venv'))).toThrow(/the Spark engine cannot run here; missing:\n {2}- the Spark Python environment .*no-such-venv .*: spark\/dev\/venv\.sh/);
  });

  it('refuses an unknown engine and a fault mix the producer cannot simulate, naming the flag', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['-r', '@swc-node/register', join(REPO, 'local', 'main.ts'), '--no-serve', ...args], { cwd: REPO, encoding: 'utf8' });
    const bogus = run('--engine', 'flink');
    expect(bogus.status).not.toBe(0);
    expect(bogus.stderr).toContain('--engine: "flink" is not one of embedded, spark');
    const mix = run('--engine', 'spark', '--fault-mix', 'normal=50,arc_fault=50');
    expect(mix.status).not.toBe(0);
    expect(mix.stderr).toContain('--fault-mix: the Spark engine publishes through the producer service');
  });
});
