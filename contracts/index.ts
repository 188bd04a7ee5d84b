export * from './reading';
export * from './faultClasses';
export * from './tableSpecs';
export type { SilverDeviceDayRow, SilverQuarantineRow, SilverDeviceRegistryRow, GoldWindowRow, GoldDailyRow, GoldPlantConditionRow, DeviceBaselineRow } from './generated';
export * from './plantDay';
export * from './emptyDay';
export { TABLES_CONTRACT, DETECTOR_CONTRACT } from './generated';
