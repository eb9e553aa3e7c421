// Directory records for tests, made through the real services as their owners would make them.
import type { Role } from '../../server/platform/auth/actor.ts';
import type { Actor } from '../../server/platform/auth/actor.ts';
import { parse } from '../../server/platform/http/validate.ts';
import * as accounts from '../../server/accounts/service.ts';
import { enterprises } from '../../server/organizations/enterprise-service.ts';
import { institutions } from '../../server/organizations/institution-service.ts';
import { enterpriseInput, institutionInput } from '../../server/organizations/schema.ts';
import { makeCreditCode } from '../../server/organizations/credit-code.ts';
import { experts } from '../../server/experts/service.ts';
import { expertInput } from '../../server/experts/schema.ts';
import { brokers } from '../../server/brokers/service.ts';
import { brokerInput } from '../../server/brokers/schema.ts';
import { results } from '../../server/results/service.ts';
import { resultInput } from '../../server/results/schema.ts';
import { demands } from '../../server/demands/service.ts';
import { demandInput } from '../../server/demands/schema.ts';
import { makeUser } from './agent.ts';
import { randomInt } from 'node:crypto';

let seq = 0;
const next = () => `${process.pid % 1000}${randomInt(100_000)}${++seq}`;
export const creditCode = () => makeCreditCode(Number(next()) % 887_503_681);

export const PHONE = '13972600001';

/** A user of the role with its own profile record (enterprise, institution, expert or broker). */
export async function owner(role: Exclude<Role, 'organizer'>, fields: Record<string, unknown> = {}) {
  const user = await makeUser(role);
  const actor: Actor = { ...user };
  const contact = { name: '联系人', phone: PHONE, email: `contact${next()}@example.cn` };
  let id: string;
  if (role === 'enterprise') {
    id = (await enterprises.create(actor, parse(enterpriseInput, { name: `测试企业${next()}`, creditCode: creditCode(), industry: 'chemicals', town: 'shiqiaoyi', contact, ...fields }))).id;
  } else if (role === 'institution') {
    id = (await institutions.create(actor, parse(institutionInput, { name: `测试大学${next()}`, kind: 'university', province: '湖北省', city: '武汉市', contact, ...fields }))).id;
  } else if (role === 'expert') {
    id = (await experts.create(actor, parse(expertInput, { name: `专家${next().slice(-4)}`, title: '教授', industries: ['chemicals'], keywords: ['磷石膏'], contact, ...fields }))).id;
  } else {
    id = (await brokers.create(actor, parse(brokerInput, { name: `经纪人${next().slice(-3)}`, level: 'senior', organization: '东宝区科技创新服务中心', specialties: ['chemicals'], contact, ...fields }))).id;
  }
  const { token } = await accounts.createToken(actor, 'test');
  return { user, actor, id, auth: { Authorization: `Bearer ${token}` } };
}

export async function demandOf(actor: Actor, fields: Record<string, unknown> = {}) {
  return demands.create(
    actor,
    parse(demandInput, {
      title: `磷石膏综合利用技术需求${next()}`,
      description: '公司湿法磷酸装置每年副产磷石膏约 150 万吨，综合利用率不足 40%，需要低成本净化与高值化利用技术。',
      industry: 'chemicals',
      keywords: ['磷石膏', '综合利用', '净化'],
      cooperationModes: ['joint-development'],
      budgetMin: 1_000_000,
      budgetMax: 3_000_000,
      ...fields,
    }),
  );
}

export async function resultOf(actor: Actor, fields: Record<string, unknown> = {}) {
  return results.create(
    actor,
    parse(resultInput, {
      title: `磷石膏制备高强石膏技术${next()}`,
      abstract: '以磷石膏为原料，经水洗净化、蒸压转晶制备 α 型高强石膏，抗压强度达到 40 MPa 以上，已在省内完成中试。',
      industry: 'chemicals',
      keywords: ['磷石膏', '高强石膏', '蒸压'],
      maturity: 'pilot',
      transferModes: ['transfer', 'license'],
      askingPrice: 800_000,
      ...fields,
    }),
  );
}
