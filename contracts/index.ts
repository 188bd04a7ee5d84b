export * from './reading';
export * from './faultClasses';
export * from './tables';
export type { SilverDeviceDayRow, SilverQuarantineRow, GoldWindowRow, GoldDailyRow } from './generated';
