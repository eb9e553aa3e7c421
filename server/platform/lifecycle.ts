// Process lifecycle state shared by main.ts (which drives shutdown) and the health probes (http/health.ts).
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: Record<string, unknown> }>;
}

export class Lifecycle {
  shuttingDown = false;
  /** Why the process cannot recover and is about to exit non-zero; /healthz answers 503 while it is set. */
  failure: string | undefined;
  readonly checks: ReadinessCheck[] = [];

  addCheck(check: ReadinessCheck): void {
    this.checks.push(check);
  }
}
