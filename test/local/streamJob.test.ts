/**
 * local/streamJob.ts reads the tables spark/jobs/stream_alarms.py writes: the folder names
 * live in both languages, so they are compared here with the job module's own (loaded by
 * /usr/bin/python3 without Spark, as test/python/test_stream_job.py loads it; not through
 * test/engines/sparkScript.ts runSparkScript, whose environment checks Java and fetches the
 * connector jars for what needs only the module's constants).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ALARM_FOLDERS, WINDOW_FOLDERS } from '../../local/streamJob';

const REPO = join(__dirname, '..', '..');

function jobFolders(): { alarms: Record<string, string>; windows: Record<string, string> } {
  const script = [
    'import importlib.util, json, sys',
    `sys.path.insert(0, ${JSON.stringify(join(REPO, 'spark'))})`,
    `spec = importlib.util.spec_from_file_location("stream_alarms", ${JSON.stringify(join(REPO, 'spark', 'jobs', 'stream_alarms.py'))})`,
    'job = importlib.util.module_from_spec(spec)',
    'spec.loader.exec_module(job)',
    'print(json.dumps({"alarms": job.ALARM_FOLDERS, "windows": job.WINDOW_FOLDERS}))',
  ].join('\n');
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' })) as ReturnType<typeof jobFolders>;
}

describe('the stream job folders the local reader knows', () => {
  it('are the ones stream_alarms.py writes: each alarm table and each tier\'s window state', () => {
    const job = jobFolders();
    expect(ALARM_FOLDERS).toEqual(job.alarms);
    expect(WINDOW_FOLDERS).toEqual(job.windows);
  });
});
