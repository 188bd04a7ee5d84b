/**
 * One interface for every SCADA source. The service polls it every
 * POLL_INTERVAL_MS and validates what it returns against the reading contract,
 * so a source hands over readings as read, bad values included.
 */
export interface ScadaSource {
  readonly kind: string;
  /** Gets ready (simulates the day, checks the map); a failure here stops the service at start. */
  start(): Promise<void>;
  /**
   * The readings delivered since the previous poll, as untrusted objects.
   * A device that fails is the source's to log and count; poll does not throw for it.
   */
  poll(signal: AbortSignal): Promise<unknown[]>;
  close(): Promise<void>;
}
