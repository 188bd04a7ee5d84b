/** The decisions `npm run eval --decision` can measure, by name. */
import { noDesignGroupsAlarmDecision, noRecurrenceAlarmDecision, oneStageAlarmDecision, productAlarmDecision } from './alarmDecision';
import type { Decision } from './decision';
import { verdictDecision } from './verdictDecision';

export const DECISIONS: Readonly<Record<string, Decision>> = { [productAlarmDecision.name]: productAlarmDecision, [verdictDecision.name]: verdictDecision, [oneStageAlarmDecision.name]: oneStageAlarmDecision, [noRecurrenceAlarmDecision.name]: noRecurrenceAlarmDecision, [noDesignGroupsAlarmDecision.name]: noDesignGroupsAlarmDecision };
/** The product's decision: what the card's section reports unless told otherwise. */
export const PRODUCT_DECISION = productAlarmDecision.name;
