/**
 * npm run model:card — rewrites docs/model-card.md and its confusion matrix image
 * from the committed model's evaluation.json (the figures of the run that produced it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS_DIR } from './artifacts';
import { writeModelCard, type Evaluation } from './report';

const evaluation = JSON.parse(readFileSync(join(ARTIFACTS_DIR, 'evaluation.json'), 'utf8')) as Evaluation;
evaluation.variant ??= evaluation.modelVersion.startsWith('lenet5bn') ? 'batchnorm' : 'plain';
writeModelCard(evaluation);
console.log(`wrote docs/model-card.md for ${evaluation.modelVersion}`);
