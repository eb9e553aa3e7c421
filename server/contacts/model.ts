// A private contact (name, phone, email, WeChat) as it is stored on enterprises, institutions, experts and
// brokers. It never leaves the service layer except through reveal() (policy.ts).
import { Schema } from 'mongoose';

export interface Contact {
  name?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  wechat?: string | undefined;
}

export const contactSchema = new Schema<Contact>(
  { name: String, phone: String, email: String, wechat: String },
  { _id: false },
);
