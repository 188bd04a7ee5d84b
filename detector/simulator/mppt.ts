/**
 * The boost converter's maximum power point tracker: perturb and observe, run
 * between readings. It climbs the power hill it stands on — so under partial
 * shading it can stay on a local maximum, as real trackers do.
 */
export interface IvCurve {
  current(v: number): number;
  readonly vOc: number;
}

export interface OperatingPoint {
  voltage: number;
  current: number;
}

/**
 * How the converter's operating voltage wanders about the tracker's set point between
 * readings (input ripple, the tracker's own hunting under a moving curve): relative sd
 * and time constant. Issue 23 measured a real system's voltage jitter at ~4× what a
 * bare perturb-and-observe gives.
 */
export interface VoltageWander {
  next(): number;
}

export class PerturbAndObserve {
  private v = 0;
  private p = 0;
  private direction = 1;
  private running = false;

  constructor(
    /** perturbation step, V */
    readonly stepV: number,
    /** perturbations between two readings (a 10 Hz tracker makes ~200 in 20 s; fewer, larger ones behave alike) */
    readonly stepsPerReading: number,
    /** plane-of-array irradiance under which the converter sleeps, W/m² */
    readonly wakeIrradiance: number,
    /** fraction of the open-circuit voltage where it starts tracking */
    readonly startFraction = 0.8,
    /** relative wander of the reported operating voltage about the set point (none: exactly the set point) */
    readonly wander?: VoltageWander,
  ) {}

  /** Runs the tracker until the next reading and returns the operating point then. */
  track(curve: IvCurve, irradiance: number, out: OperatingPoint): OperatingPoint {
    if (irradiance < this.wakeIrradiance || curve.vOc <= 0) {
      // asleep: no current drawn, the array sits at its open-circuit voltage
      this.running = false;
      out.voltage = curve.vOc;
      out.current = 0;
      return out;
    }
    if (!this.running) {
      this.running = true;
      this.v = this.startFraction * curve.vOc;
      this.p = this.v * curve.current(this.v);
      this.direction = 1;
    } else {
      // the curve moved since the last reading: observe where we stand now
      this.v = Math.min(this.v, curve.vOc);
      this.p = this.v * curve.current(this.v);
    }
    for (let step = 0; step < this.stepsPerReading; step++) {
      const v = Math.min(Math.max(this.v + this.direction * this.stepV, 0), curve.vOc);
      const p = v * curve.current(v);
      if (p < this.p) this.direction = -this.direction;
      this.v = v;
      this.p = p;
    }
    const v = this.wander ? Math.min(Math.max(this.v * (1 + this.wander.next()), 0), curve.vOc) : this.v;
    out.voltage = v;
    out.current = curve.current(v);
    return out;
  }

  /** Forces the operating voltage (tests: start next to a chosen peak). */
  startAt(v: number): void {
    this.v = v;
    this.running = true;
    this.direction = 1;
  }
}
