/** How long each stage of a local run took (wall seconds) and when it ran (epoch ms, for benchmarks that attribute memory to stages). */
export interface StageClock {
  stageSeconds: Record<string, number>;
  stageSpans: Record<string, [number, number]>;
  /** runs a stage and records it under its name, failed or not */
  timed<T>(name: string, f: () => Promise<T>): Promise<T>;
}

export function stageClock(): StageClock {
  const stageSeconds: Record<string, number> = {};
  const stageSpans: Record<string, [number, number]> = {};
  return {
    stageSeconds,
    stageSpans,
    async timed(name, f) {
      const t = Date.now();
      try {
        return await f();
      } finally {
        stageSeconds[name] = (Date.now() - t) / 1000;
        stageSpans[name] = [t, Date.now()];
      }
    },
  };
}
