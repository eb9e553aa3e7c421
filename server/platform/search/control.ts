// Requests to the running app's search worker from another process (the CLI's `reindex`): the embedded
// index lives in the app's memory, so the CLI asks and the app's worker answers on its next pass.
import mongoose, { Schema } from 'mongoose';
import { clock } from '../clock.ts';

interface ControlDoc {
  _id: string;
  requestedAt?: Date;
  startedAt?: Date;
  doneAt?: Date;
  documents?: number;
  error?: string;
}

const controlSchema = new Schema<ControlDoc>(
  { _id: String, requestedAt: Date, startedAt: Date, doneAt: Date, documents: Number, error: String },
  { versionKey: false, collection: 'search_control' },
);
export const SearchControl = mongoose.model<ControlDoc>('SearchControl', controlSchema);

const REINDEX = 'reindex';

export async function requestReindex(): Promise<Date> {
  const at = clock.now();
  await SearchControl.updateOne({ _id: REINDEX }, { $set: { requestedAt: at }, $unset: { error: 1 } }, { upsert: true });
  return at;
}

/** The pending request's time, if a reindex was asked for and not yet started. */
export async function pendingReindex(): Promise<Date | undefined> {
  const doc = await SearchControl.findById(REINDEX).lean<ControlDoc>();
  if (!doc?.requestedAt) return undefined;
  return !doc.startedAt || doc.startedAt < doc.requestedAt ? doc.requestedAt : undefined;
}

export async function reindexStarted(): Promise<void> {
  await SearchControl.updateOne({ _id: REINDEX }, { $set: { startedAt: clock.now() } }, { upsert: true });
}

export async function reindexDone(result: { documents?: number; error?: string }): Promise<void> {
  await SearchControl.updateOne({ _id: REINDEX }, { $set: { doneAt: clock.now(), ...result } }, { upsert: true });
}

export async function reindexState(): Promise<ControlDoc | null> {
  return SearchControl.findById(REINDEX).lean<ControlDoc>();
}
