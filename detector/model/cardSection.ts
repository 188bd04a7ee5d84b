/**
 * docs/model-card.md has two writers: `npm run train` / `model:card` write the card
 * from the training run, `npm run eval` writes the device-day section between its
 * markers. Each keeps the other's part: the eval section survives a new card, and
 * the eval replaces only its own section.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DOCS_DIR = join(__dirname, '..', '..', 'docs');
export const modelCardPath = (docs: string = DOCS_DIR): string => join(docs, 'model-card.md');

export const EVAL_START = '<!-- eval:start -->';
export const EVAL_END = '<!-- eval:end -->';
/** Where a card without the section gets it: before its limits, which read best after all figures. */
const BEFORE_HEADING = '## Limits, honestly';

/** The eval section of a card, markers included, or null. */
export function evalSectionOf(card: string): string | null {
  const start = card.indexOf(EVAL_START);
  const end = card.indexOf(EVAL_END, start);
  return start >= 0 && end >= 0 ? card.slice(start, end + EVAL_END.length) : null;
}

/** The card with `section` (markers included) in place of its eval section, or inserted before the limits (at the end without them). */
export function withEvalSection(card: string, section: string): string {
  if (!section.startsWith(EVAL_START) || !section.endsWith(EVAL_END)) throw new Error(`an eval section must start with ${EVAL_START} and end with ${EVAL_END}`);
  const old = evalSectionOf(card);
  if (old !== null) return card.replace(old, () => section);
  const at = card.indexOf(`\n${BEFORE_HEADING}`);
  return at >= 0 ? `${card.slice(0, at + 1)}${section}\n\n${card.slice(at + 1)}` : `${card.replace(/\n*$/, '\n\n')}${section}\n`;
}

/** Writes a new card (npm run train, model:card), keeping the eval section of the card it replaces. */
export function writeCardKeepingEval(card: string, docs: string = DOCS_DIR): void {
  const path = modelCardPath(docs);
  const kept = existsSync(path) ? evalSectionOf(readFileSync(path, 'utf8')) : null;
  writeFileSync(path, kept === null ? card : withEvalSection(card, kept));
}

/** Writes the eval section (npm run eval) into the card, the rest unchanged. */
export function writeEvalSection(section: string, docs: string = DOCS_DIR): void {
  const path = modelCardPath(docs);
  if (!existsSync(path)) throw new Error(`no model card at ${path} to write the evaluation into: run npm run model:card first`);
  writeFileSync(path, withEvalSection(readFileSync(path, 'utf8'), section));
}
