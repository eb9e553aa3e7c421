// Process lifecycle state shared by main.ts (which drives shutdown) and the readiness probe.
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: Record<string, unknown> }>;
}

export class Lifecycle {
  shuttingDown = false;
  readonly checks: ReadinessCheck[] = [];

  addCheck(check: ReadinessCheck): void {
    this.checks.push(check);
  }
}
