/** The decisions `npm run eval --decision` can measure, by name. */
import type { Decision } from './decision';
import { verdictDecision } from './verdictDecision';

export const DECISIONS: Readonly<Record<string, Decision>> = { [verdictDecision.name]: verdictDecision };
/** The product's decision today: what the card's section reports unless told otherwise. */
export const PRODUCT_DECISION = verdictDecision.name;
