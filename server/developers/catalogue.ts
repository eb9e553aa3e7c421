// What each /api/v1 operation is, for the API documentation (platform/http/api-docs.ts): a summary and the zod
// schemas its handler validates with — the same objects the handlers import, so the document shows what the
// server checks. Record resources made by recordApi (platform/http/crud.ts) carry their schemas themselves and
// need only their noun here. Keys are "METHOD path" exactly as the routes.ts files declare them; an operation the
// app serves without an entry (or a record resource without a noun) is missing from the document, and
// test/platform/openapi.test.ts fails on it, as it does on an entry for an operation the app does not serve.
import { z } from 'zod';
import type { ApiDoc } from '../platform/http/api-docs.ts';
import { pageQuery } from '../platform/http/pager.ts';
import { createUserSchema, roleChangeSchema, userListSchema } from '../accounts/schema.ts';
import { auditQuery } from '../audit/routes.ts';
import { claimLimitInput } from '../brokers/schema.ts';
import { checkinInput, followUpInput, outcomeInput, participantInput, registrationInput, remarkInput, reportInput, tagInput, tagItemsInput } from '../campaigns/schema.ts';
import { replyInput } from '../campaigns/itinerary-pages.ts';
import { verifyInput } from '../deals/schema.ts';
import { assignBrokerInput, clarificationInput, transitionInput } from '../demands/schema.ts';
import { uploadFields } from '../imports/routes.ts';
import { outboxQuery } from '../mail/schema.ts';
import { answerInput, confirmInput, contactRequestInput, forwardInput, matchesQuery, moveInput, overrideInput, queueQuery, responseAnswerInput, responseInput, shortlistInput, workbenchQuery } from '../matching/schema.ts';
import { bulkInput, claimDecision, claimInput, claimListQuery, invitationInput } from '../memberships/schema.ts';
import { RECORD_KINDS } from '../memberships/model.ts';
import { savedSearchInput } from '../saved-searches/schema.ts';
import { searchParams } from '../search/service.ts';
import { entryInput, progressQuery, recordsQuery } from '../targets/schema.ts';

/** Record resources (recordApi): the noun their operations are named with. */
export const resources: Record<string, { noun: string }> = {
  '/enterprises': { noun: '企业' },
  '/institutions': { noun: '高校院所' },
  '/demands': { noun: '技术需求' },
  '/results': { noun: '科技成果' },
  '/experts': { noun: '专家' },
  '/brokers': { noun: '技术经纪人' },
  '/campaigns': { noun: '活动' },
  '/roadshows': { noun: '路演' },
  '/visits': { noun: '专家走访行程' },
  '/contracts': { noun: '技术合同' },
  '/talents': { noun: '人才引进记录' },
  '/targets': { noun: '年度目标' },
};

/** Groups of the document, by the first path segment after /api/v1. */
export const tags: Record<string, string> = {
  me: '账户',
  users: '账户',
  audit: '审计日志',
  enterprises: '企业',
  institutions: '高校院所',
  demands: '技术需求',
  results: '科技成果',
  experts: '专家',
  brokers: '技术经纪人',
  broker: '技术经纪人',
  search: '搜索',
  matches: '匹配与对接',
  'contact-requests': '匹配与对接',
  notifications: '通知',
  responses: '技术需求',
  'saved-searches': '搜索',
  campaigns: '活动',
  roadshows: '路演',
  visits: '专家走访',
  itinerary: '专家走访',
  calendar: '日历',
  contracts: '技术合同',
  talents: '人才引进',
  targets: '目标与进度',
  imports: '数据导入',
  invitations: '账户邀请与认领',
  claims: '账户邀请与认领',
  outbox: '邮件',
  vocabulary: '代码表与文档',
  'openapi.json': '代码表与文档',
};

/** The body of PUT …/institutions/:institution: the institution comes from the path. */
const participantBody = participantInput.omit({ institution: true });
/** POST …/tags takes either shape (campaigns/api.ts postTags). */
const tagsBody = z.union([tagInput, tagItemsInput]);

export const catalogue: Record<string, ApiDoc> = {
  // ---- documentation and vocabulary ----
  'GET /api/v1/openapi.json': { summary: '本接口文档（OpenAPI 3.1）', answer: 'OpenAPI 3.1 文档，由服务端校验所用的 zod 模式生成' },
  'GET /api/v1/vocabulary': {
    summary: '全部代码表及中文名称',
    answer: '{ items: [{ name, title, codes: [{ code, label }] }] }：乡镇、行业、成熟度、学历学位等；提交时填 code，页面显示 label',
  },

  // ---- accounts ----
  'GET /api/v1/me': { summary: '当前令牌所属的账户', answer: '账户：id、name、email、role、status、profile（关联的记录）' },
  'GET /api/v1/users': { summary: '账户列表', query: userListSchema, returns: 'list' },
  'POST /api/v1/users': { summary: '新建账户（区科技局代为开户）', body: createUserSchema, status: 201, errors: { 409: '邮箱已注册' } },
  'GET /api/v1/users/:id': { summary: '查看账户' },
  'POST /api/v1/users/:id/approve': { summary: '审核通过待审核的账户' },
  'POST /api/v1/users/:id/disable': { summary: '停用账户（其令牌随之失效）' },
  'POST /api/v1/users/:id/enable': { summary: '重新启用账户' },
  'PUT /api/v1/users/:id/role': { summary: '更改账户角色', body: roleChangeSchema },
  'GET /api/v1/audit': { summary: '审计日志：谁对哪条记录做了什么、谁查看了哪些联系方式', query: auditQuery, returns: 'list' },

  // ---- needs, results, experts, brokers ----
  'POST /api/v1/demands/:id/status': { summary: '变更需求状态（发布、关闭等）', body: transitionInput, errors: { 409: '当前状态不能变为所选状态' } },
  'PUT /api/v1/demands/:id/clarification': { summary: '补充需求的关键指标、瓶颈、预算与时间要求', body: clarificationInput },
  'PUT /api/v1/demands/:id/broker': { summary: '为需求指派技术经纪人（null 为取消指派）', body: assignBrokerInput },
  'PUT /api/v1/brokers/:id/claim-limit': { summary: '设置技术经纪人可同时认领的需求数', body: claimLimitInput },

  // ---- search and matching ----
  'GET /api/v1/search': {
    summary: '全文搜索需求、成果、专家与经纪人（带分面计数）',
    query: searchParams,
    answer: '{ items, total, capped, page, limit, facets, terms, relaxed }；capped 为 true 时 total 止于 2000',
    errors: { 503: '搜索服务暂不可用' },
  },
  'POST /api/v1/search/reindex': { summary: '在旁重建搜索索引后切换（期间搜索照常可用）', errors: { 503: '搜索同步未启动' } },
  'GET /api/v1/demands/:id/matches': { summary: '需求匹配到的科技成果或专家，附评分理由', query: matchesQuery, answer: '{ items: [{ id, score, reasons, … }] }' },
  'GET /api/v1/results/:id/matches': { summary: '与科技成果相匹配的技术需求', query: matchesQuery, answer: '{ items }' },
  'GET /api/v1/experts/:id/matches': { summary: '与专家相匹配的技术需求', query: matchesQuery, answer: '{ items }' },
  'GET /api/v1/demands/:id/pipeline': { summary: '需求的对接进程：入围的成果与专家、各阶段及建议' },
  'POST /api/v1/demands/:id/matches': { summary: '将成果或专家加入需求的对接进程（入围）', body: shortlistInput, status: 201 },
  'POST /api/v1/demands/:id/claim': { summary: '技术经纪人认领需求（待企业确认）', status: 204, returns: 'empty', errors: { 409: '已被认领或已达认领上限' } },
  'POST /api/v1/demands/:id/claim/confirm': { summary: '企业确认经纪人的认领' },
  'POST /api/v1/matches/:id/status': { summary: '推进对接阶段（洽谈、达成意向、签约、未成）', body: moveInput, errors: { 409: '当前阶段不能变为所选阶段' } },
  'PUT /api/v1/matches/:id/override': { summary: '人工调整匹配排序，附理由', body: overrideInput },
  'POST /api/v1/matches/:id/confirm': { summary: '企业确认经纪人记录的“达成意向”或“已签约”', body: confirmInput, errors: { 409: '尚未记录该阶段，或已确认' } },
  'GET /api/v1/broker/queue': {
    summary: '技术经纪人工作台：负责的需求及各阶段计数（合计相符），待认领的需求（行业、乡镇、预算范围筛选，排序，分页，最高匹配度）',
    query: workbenchQuery,
    answer: '{ needs, totals, unassigned: { items, total, capped, page, limit } }；capped 为 true 时 total 止于 2000',
  },
  'GET /api/v1/contact-requests': { summary: '我发出和收到的对接申请', answer: '{ sent, received }' },
  'GET /api/v1/contact-requests/queue': { summary: '区科技局的对接申请队列', query: queueQuery, returns: 'list' },
  'POST /api/v1/contact-requests': { summary: '申请获取对方联系方式（对接申请）', body: contactRequestInput, status: 201, errors: { 409: '已有待答复的申请' } },
  'POST /api/v1/contact-requests/:id/answer': { summary: '答复对接申请（同意或拒绝）', body: answerInput, errors: { 409: '已答复' } },
  'POST /api/v1/contact-requests/:id/forward': { summary: '将对接申请转交到对方邮箱（对方无需账户即可答复）', body: forwardInput },
  'POST /api/v1/demands/:id/responses': {
    summary: '响应需求（揭榜）：高校院所或专家提出方案，企业答复',
    body: responseInput,
    status: 201,
    answer: '响应；已响应过时答 200 并返回原响应',
  },
  'GET /api/v1/demands/:id/responses': { summary: '需求收到的响应', answer: '{ items, total }' },
  'POST /api/v1/responses/:id/answer': { summary: '企业答复响应（接受后双方联系方式互相可见）', body: responseAnswerInput },
  'GET /api/v1/saved-searches': { summary: '我保存的搜索（有新结果时邮件提醒）', returns: 'list' },
  'POST /api/v1/saved-searches': { summary: '保存当前搜索条件', body: savedSearchInput, status: 201, errors: { 409: '已保存 20 个搜索，或已保存过相同的搜索' } },
  'DELETE /api/v1/saved-searches/:id': { summary: '删除保存的搜索', status: 204, returns: 'empty' },
  'GET /api/v1/notifications': { summary: '我的通知', query: pageQuery, answer: '{ items, total, page, limit, unread }' },

  // ---- campaigns, roadshows, visits, calendar ----
  'PUT /api/v1/campaigns/:id/institutions/:institution': { summary: '添加或更新参与活动的高校院所', body: participantBody },
  'DELETE /api/v1/campaigns/:id/institutions/:institution': { summary: '移除参与活动的高校院所' },
  'POST /api/v1/campaigns/:id/tags': {
    summary: '把成果或需求归入活动',
    description: '{ kind, ids } 归入一类记录；{ items: [{ kind, id }] } 可同时归入成果与需求。',
    body: tagsBody,
    answer: '{ tagged }：新归入的条数（items 形式另给 results、demands 各自的条数）',
  },
  'DELETE /api/v1/campaigns/:id/tags': { summary: '把成果或需求移出活动', body: tagInput, status: 204, returns: 'empty' },
  'GET /api/v1/roadshows/:id/registrations': { summary: '路演报名列表（区科技局看全部，企业看本企业的）', answer: '{ items }' },
  'POST /api/v1/roadshows/:id/registrations': { summary: '报名路演', body: registrationInput, status: 201, errors: { 409: '已报名或名额已满' } },
  'DELETE /api/v1/roadshows/:id/registrations/:registration': { summary: '取消路演报名' },
  'POST /api/v1/roadshows/:id/checkin': {
    summary: '路演现场签到（凭报名码）',
    description: '开始前两小时至结束时可签到；窗口外答 409，区科技局可附 override.reason 补签。',
    body: checkinInput,
    errors: { 409: '不在签到时间内或签到码已使用（说明也在 errors.code）' },
  },
  'GET /api/v1/roadshows/:id/outcomes': { summary: '路演成果（意向、签约）列表', answer: '{ items }' },
  'POST /api/v1/roadshows/:id/outcomes': { summary: '登记路演成果', body: outcomeInput, status: 201 },
  'POST /api/v1/visits/:id/report': { summary: '提交走访一站的问题与建议', body: reportInput },
  'PUT /api/v1/visits/:id/remark': { summary: '走访专家本人添加或修改专家备注（1–500 字，区科技局会收到通知）', body: remarkInput },
  'POST /api/v1/visits/:id/followups': { summary: '由走访发现的问题生成技术需求', body: followUpInput, status: 201, answer: '{ demand }；Location 头为新需求的地址' },
  'GET /api/v1/itinerary': { summary: '我的行程：即将到来的走访与路演时段及接待方联系方式', answer: '{ items }' },
  'POST /api/v1/itinerary/replies': { summary: '确认或婉拒一项行程（婉拒须说明原因，区科技局会收到通知）', body: replyInput },
  'GET /api/v1/calendar/feed': { summary: '我的日历订阅地址的状态', answer: '{ feed }：未创建时为 null' },
  'POST /api/v1/calendar/feed': { summary: '创建（或更换）日历订阅地址', status: 201, answer: '{ token, url }：url 为 .ics 订阅地址，只显示这一次' },
  'DELETE /api/v1/calendar/feed': { summary: '停用日历订阅地址', status: 204, returns: 'empty' },

  // ---- contracts, talents, targets ----
  'POST /api/v1/contracts/:id/verify': { summary: '核实技术合同（附登记号与登记日期后计入成交额）', body: verifyInput },
  'POST /api/v1/talents/:id/verify': { summary: '核实人才引进记录（核实后计入目标）' },
  'GET /api/v1/targets/progress': { summary: '各项指标的年度进度', query: progressQuery, answer: '{ year, items }' },
  'GET /api/v1/targets/records': { summary: '构成某项指标数字的记录（逐条可查）', query: recordsQuery, answer: '{ items, total, page, limit, label, from, to, … }' },
  'GET /api/v1/targets/entries': { summary: '手工填报的指标记录', answer: '{ items }' },
  'POST /api/v1/targets/entries': {
    summary: '手工填报指标完成值（附证明材料）',
    body: entryInput,
    upload: { field: 'evidence', description: '证明材料：PDF、图片、docx 或 xlsx（按内容识别）' },
    status: 201,
  },
  'DELETE /api/v1/targets/entries/:id': { summary: '删除手工填报记录', status: 204, returns: 'empty' },

  // ---- imports ----
  'POST /api/v1/imports': {
    summary: '上传 Excel 或 CSV 导入数据（可试运行）',
    description: '字段也可放在查询串中（kind、dryRun、mode）；?wait=1 时写入完成后才答复。',
    body: uploadFields,
    upload: { field: 'file', description: '.xlsx 或 .csv 文件，列与导出相同' },
    queryParams: [{ name: 'wait', description: '为 1 时等写入完成再答复', enum: ['1'] }],
    status: 201,
    answer: '导入任务：status、各行结果；有被拒的行时 rejectedFile 给出下载地址',
    errors: { 422: '文件有误，未写入（见任务中的逐行说明）' },
  },
  'GET /api/v1/imports/:id': { summary: '查看导入任务的进度与报告' },
  'GET /api/v1/imports/:id/rejected.xlsx': { summary: '下载被拒的行（附原因，可修改后再导入）', returns: 'xlsx' },

  // ---- invitations and claims ----
  'POST /api/v1/invitations': { summary: '邀请某人为一条记录开设账户', body: invitationInput, status: 201, errors: { 409: '该记录已有 20 个账户' } },
  'GET /api/v1/invitations': {
    summary: '一条记录的邀请',
    queryParams: [
      { name: 'kind', description: '记录类型', required: true, enum: RECORD_KINDS },
      { name: 'id', description: '记录 id', required: true },
    ],
    answer: '{ items }',
  },
  'POST /api/v1/invitations/bulk': { summary: '批量邀请（后台发送）', body: bulkInput, status: 202, answer: '批次；Location 头为其进度地址' },
  'GET /api/v1/invitations/batches/:id': { summary: '批量邀请的进度', answer: '{ total, done, sent, skipped, status, items }' },
  'POST /api/v1/claims': { summary: '认领已登记的企业或高校院所（待区科技局审核）', body: claimInput, status: 201, errors: { 409: '已有待审核的认领' } },
  'GET /api/v1/claims': { summary: '认领申请（区科技局看全部，可按状态筛选；其他人看自己的）', query: claimListQuery, returns: 'list' },
  'POST /api/v1/claims/:id/approve': { summary: '批准认领', errors: { 409: '已处理' } },
  'POST /api/v1/claims/:id/reject': { summary: '驳回认领', body: claimDecision, errors: { 409: '已处理' } },

  // ---- mail ----
  'GET /api/v1/outbox': { summary: '邮件发件箱（发送状态、重试次数、最后的错误）', query: outboxQuery, returns: 'list' },
};
