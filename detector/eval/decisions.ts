/** The decisions `npm run eval --decision` can measure, by name. */
import { ARTIFACTS_DIR } from '../model/artifacts';
import { readModelVersion } from '../model/manifest';
import { alarmDecision, productAlarmDecision } from './alarmDecision';
import { readRaiseThresholds } from './raiseThresholds';
import type { Decision } from './decision';
import { verdictDecision } from './verdictDecision';

/** The two-stage alarm with the committed model's thresholds and raise thresholds: measured beside the product's (issue 18). */
let calibrated: ReturnType<typeof readRaiseThresholds> | null = null;
const readOnce = () => (calibrated ??= readRaiseThresholds(ARTIFACTS_DIR, readModelVersion()));
const earlyAlarmDecision = alarmDecision(
  () => readOnce().thresholds,
  () => readOnce().raise,
);

export const DECISIONS: Readonly<Record<string, Decision>> = { [productAlarmDecision.name]: productAlarmDecision, [verdictDecision.name]: verdictDecision, [earlyAlarmDecision.name]: earlyAlarmDecision };
/** The product's decision: what the card's section reports unless told otherwise. */
export const PRODUCT_DECISION = productAlarmDecision.name;
