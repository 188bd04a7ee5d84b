/** docs/model-card.md's two writers: the card from training keeps the eval section, the eval replaces only its own. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVAL_END, EVAL_START, evalSectionOf, withEvalSection, writeEvalSection } from '../../detector/model/cardSection';
import { readEvaluation, writeModelCard } from '../../detector/model/report';

const section = (text: string) => `${EVAL_START}\n## Device-days\n\n${text}\n${EVAL_END}`;
const card = '# Model card\n\n## Results\n\nfigures\n\n## Limits, honestly\n\n- limits\n';

describe('the eval section of the model card', () => {
  it('goes before the limits the first time, then replaces itself and nothing else', () => {
    const once = withEvalSection(card, section('first'));
    expect(once).toBe(`# Model card\n\n## Results\n\nfigures\n\n${section('first')}\n\n## Limits, honestly\n\n- limits\n`);
    const twice = withEvalSection(once, section('second $& $1'));
    expect(twice).toBe(once.split(section('first')).join(section('second $& $1')));
    expect(evalSectionOf(twice)).toBe(section('second $& $1'));
  });

  it('is appended to a card without limits, and must come with its markers', () => {
    expect(withEvalSection('# Card\n', section('x'))).toBe(`# Card\n\n${section('x')}\n`);
    expect(() => withEvalSection(card, '## no markers')).toThrow(`an eval section must start with ${EVAL_START}`);
    expect(evalSectionOf(card)).toBeNull();
  });

  it('survives npm run train / model:card rewriting the card', () => {
    const docs = mkdtempSync(join(tmpdir(), 'card-'));
    writeFileSync(join(docs, 'model-card.md'), card);
    writeEvalSection(section('device-day figures'), docs);
    const evaluation = readEvaluation();
    writeModelCard(evaluation, docs);
    const written = readFileSync(join(docs, 'model-card.md'), 'utf8');
    expect(written).toContain(`# Model card — ${evaluation.modelVersion}`);
    expect(evalSectionOf(written)).toBe(section('device-day figures'));
    expect(written.indexOf(EVAL_END)).toBeLessThan(written.indexOf('## Limits, honestly'));
  });

  it('is not written without a card to write it into', () => {
    const docs = mkdtempSync(join(tmpdir(), 'card-'));
    expect(() => writeEvalSection(section('x'), docs)).toThrow(`no model card at ${join(docs, 'model-card.md')}`);
  });
});
