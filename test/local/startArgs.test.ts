/** npm start's flags: a run of consecutive days, and what each engine refuses (local/main.ts). */
import { UsageError } from '../../detector/commandLine';
import { parseStartArgs } from '../../local/main';

describe('npm start flags', () => {
  it('runs three days by default (the later ones judged against their own baselines), or --days consecutive days ending on --date; the Spark engine one', () => {
    expect(parseStartArgs(['--date', '2026-06-20']).days).toBe(3);
    expect(parseStartArgs(['--date', '2026-06-20', '--engine', 'spark']).days).toBe(1);
    expect(parseStartArgs(['--date', '2026-06-20', '--days', '1'])).toMatchObject({ date: '2026-06-20', days: 1 });
    expect(parseStartArgs(['--date', '2026-06-20', '--days', '3'])).toMatchObject({ date: '2026-06-20', days: 3 });
  });

  it.each([
    [['--days', '0'], '--days: "0" must be an integer in 1..31'],
    [['--days', '32'], '--days: "32" must be an integer in 1..31'],
    [['--days', '2', '--engine', 'spark'], '--days: the Spark engine runs one day'],
    [['--engine', 'flink'], '--engine: "flink" is not one of embedded, spark'],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(() => parseStartArgs(argv)).toThrow(UsageError);
    expect(() => parseStartArgs(argv)).toThrow(message);
  });
});
