/**
 * npm run model:card — rewrites docs/model-card.md and its confusion matrix image
 * from the committed model's evaluation.json (the figures of the run that produced it).
 */
import { readEvaluation, writeModelCard } from './report';

const evaluation = readEvaluation();
evaluation.variant ??= evaluation.modelVersion.startsWith('lenet5bn') ? 'batchnorm' : 'plain';
writeModelCard(evaluation);
console.log(`wrote docs/model-card.md for ${evaluation.modelVersion}`);
