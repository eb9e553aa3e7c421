// Accounts. Secrets (password hash, TOTP secret) live in their own collection so that no query on users can
// ever return them, and FerretDB never sees a projection on findOneAndUpdate (docs/design.md "Running on MongoDB and on FerretDB 1.24").
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { ROLES } from '../platform/auth/actor.ts';
import { timestamps } from '../platform/clock.ts';
import { announceChanges } from '../platform/db/shared-cache.ts';

const userSchema = new Schema(
  {
    email: { type: String, required: true, trim: true },
    emailLower: { type: String, required: true },
    name: { type: String, required: true, trim: true },
    role: { type: String, required: true, enum: ROLES },
    status: { type: String, required: true, enum: ['pending', 'active', 'disabled'] },
    profile: {
      kind: { type: String, enum: ['enterprise', 'institution', 'expert', 'broker'] },
      id: { type: String },
    },
    /** Bumped to end every session of the account at once (password change, disable). */
    sessionEpoch: { type: Number, required: true, default: 0 },
    totpEnabled: { type: Boolean, required: true, default: false },
    lastLoginAt: { type: Date },
    approvedAt: { type: Date },
    approvedBy: { type: String },
  },
  { timestamps, collection: 'users' },
);
userSchema.index({ emailLower: 1 }, { unique: true });
userSchema.index({ role: 1, status: 1 });
userSchema.index({ createdAt: -1, _id: -1 });
// Sessions and tokens read users from an in-process cache (accounts/service.ts, cachedUser); any write that can
// change what they rely on drops it in every instance. The pending-users count of the organizer's header too.
userSchema.plugin(announceChanges(['accounts', 'queues'], { ignore: ['lastLoginAt'] }));

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };
export const User = mongoose.model('User', userSchema);

const credentialSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true }, // the user's id
    passwordHash: { type: String, required: true },
    passwordChangedAt: { type: Date, required: true },
    totpSecret: { type: String },
    /** the last TOTP time step accepted, so a code cannot be replayed */
    totpLastStep: { type: Number },
  },
  { versionKey: false, collection: 'credentials' },
);
export type CredentialDoc = InferSchemaType<typeof credentialSchema>;
export const Credential = mongoose.model('Credential', credentialSchema);

const apiTokenSchema = new Schema(
  {
    userId: { type: String, required: true },
    name: { type: String, required: true, trim: true },
    tokenHash: { type: String, required: true },
    /** the last characters, so a user can tell tokens apart */
    hint: { type: String, required: true },
    lastUsedAt: { type: Date },
    revokedAt: { type: Date },
    /** after this instant the token answers 401 (policy.ts: web tokens expire unless renewed) */
    expiresAt: { type: Date },
    /** 'web': made on the account page; 'admin': by the server's command line or another service caller.
     *  Absent on tokens made before tokens expired: they expire as web tokens, counted from createdAt. */
    origin: { type: String, enum: ['web', 'admin'] },
    renewedAt: { type: Date },
  },
  { timestamps, collection: 'api_tokens' },
);
apiTokenSchema.index({ tokenHash: 1 }, { unique: true });
apiTokenSchema.index({ userId: 1, createdAt: -1 });
// Bearer authentication caches tokens in process (tokens.ts): a revoke or renewal drops them in every instance.
apiTokenSchema.plugin(announceChanges(['accounts'], { ignore: ['lastUsedAt'] }));
// The account page's token list shows when each was last used: every write counts there (at most one a minute
// per token in use, tokens.ts LAST_USED_RESOLUTION_MS).
apiTokenSchema.plugin(announceChanges(['tokens']));
export type ApiTokenDoc = InferSchemaType<typeof apiTokenSchema> & { _id: mongoose.Types.ObjectId };
export const ApiToken = mongoose.model('ApiToken', apiTokenSchema);

/**
 * A token's hash as an `_id`, pointing at the token: bearer authentication finds a token by `_id` alone, the one
 * lookup FerretDB answers from an index (a filter on `tokenHash` reads the whole collection). Written before the
 * token itself; tokens from before this collection get theirs at startup (tokens.ts, addMissingTokenKeys).
 */
const apiTokenKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    token: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false, collection: 'api_token_keys' },
);
export const ApiTokenKey = mongoose.model('ApiTokenKey', apiTokenKeySchema);
