// The change log (docs/design.md "How data flows" 3): each app instance on the embedded engine keeps its own
// index, so each must learn of every other instance's writes, and a dirty mark cannot tell it (the instance that
// indexed a write clears the mark). So the worker that indexes a write appends the written ids here before it
// clears their marks, and every instance polls the log.
//
// Entries have consecutive numbers as `_id`; the last number handed out lives in search_control ('changes').
// On FerretDB only `_id` filters use an index, so the poll reads the head by `_id` and the new entries by `_id`
// (one lookup each; a range read only after a long pause), and the log keeps only its last KEEP entries.
// FerretDB does not apply an `$inc` atomically between processes (write-lock.ts): two processes may draw the same
// number, and the unique `_id` of the entry makes the second one draw again; a head found behind the entries (lost,
// or set back by such a race) is moved past the last one. A number drawn and never written (the process died
// between the two) is a gap that readers wait for a while and then leave to reconciliation (sync.ts).
import mongoose, { Schema } from 'mongoose';
import { clock } from '../clock.ts';
import { SearchControl } from './control.ts';

export interface ChangeEntry {
  _id: number;
  /** the mongoose model whose records changed */
  model: string;
  ids: string[];
  /** the SearchSync that wrote the entry (it skips its own) */
  origin: string;
  at: Date;
}

const changeSchema = new Schema<ChangeEntry>(
  { _id: Number, model: String, ids: [String], origin: String, at: Date },
  { versionKey: false, collection: 'search_changes' },
);
export const SearchChange = mongoose.model<ChangeEntry>('SearchChange', changeSchema);

const HEAD = 'changes';
/** entries kept: an instance further behind than this rebuilds its view by reconciliation */
export const KEEP = 2000;
/** every this many entries, the writer trims the log */
const TRIM_EVERY = 100;
/** up to this many new entries are read one `_id` lookup each; more in one range read */
const LOOKUPS = 64;

const heads = () => SearchControl.collection as unknown as mongoose.mongo.Collection<{ _id: string; seq?: number }>;
const entries = () => SearchChange.collection as unknown as mongoose.mongo.Collection<ChangeEntry>;

/** The number of the last entry handed out (0 before the first). */
export async function head(): Promise<number> {
  const doc = await heads().findOne({ _id: HEAD });
  return doc?.seq ?? 0;
}

const duplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** Appends an entry saying that these records of `model` changed; returns its number. */
export async function append(model: string, ids: string[], origin: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    let seq: number;
    try {
      const doc = await heads().findOneAndUpdate({ _id: HEAD }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
      seq = doc?.seq ?? 0;
      // The head was just created: the first entry ever, or the head was lost while entries remain.
      if (seq === 1 && (await moveHeadPastEntries())) continue;
    } catch (err) {
      // Two processes creating the head at once: one of them loses the upsert and draws again.
      if (duplicate(err) && attempt < 50) continue;
      throw err;
    }
    try {
      await entries().insertOne({ _id: seq, model, ids, origin, at: clock.now() });
    } catch (err) {
      if (!duplicate(err) || attempt >= 50) throw err;
      // Another process drew the same number. Again and again: the head is behind the entries (lost, or an
      // $inc lost between processes) — move it past the last entry (a scan of the short log, rarely).
      if (attempt >= 2) await moveHeadPastEntries();
      continue;
    }
    if (seq % TRIM_EVERY === 0 && seq > KEEP) await entries().deleteMany({ _id: { $lte: seq - KEEP } });
    return seq;
  }
}

/** Moves the head up to the last entry's number, if it is behind; true when it moved. */
async function moveHeadPastEntries(): Promise<boolean> {
  const [last] = await entries().find({}).sort({ _id: -1 }).limit(1).toArray();
  if (!last) return false;
  const res = await heads().updateOne({ _id: HEAD, seq: { $lt: last._id } }, { $set: { seq: last._id } });
  return res.modifiedCount > 0;
}

/** The entries numbered from..to that exist (by number); missing numbers are gaps or trimmed entries. */
export async function read(from: number, to: number): Promise<Map<number, ChangeEntry>> {
  const found = new Map<number, ChangeEntry>();
  if (to < from) return found;
  if (to - from < LOOKUPS) {
    const seqs = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    for (const e of await Promise.all(seqs.map((seq) => entries().findOne({ _id: seq })))) if (e) found.set(e._id, e);
  } else {
    for (const e of await entries().find({ _id: { $gte: from, $lte: to } }).toArray()) found.set(e._id, e);
  }
  return found;
}

/** The entries with these numbers that exist now (gaps filled since). */
export async function readSome(seqs: number[]): Promise<Map<number, ChangeEntry>> {
  const found = new Map<number, ChangeEntry>();
  for (const e of await Promise.all(seqs.map((seq) => entries().findOne({ _id: seq })))) if (e) found.set(e._id, e);
  return found;
}
