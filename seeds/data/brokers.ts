// Demo data: 15 fictional technology brokers (技术经纪人) serving 东宝区. The service organisations named after
// real bodies (国家技术转移中部中心荆门分中心 etc.) are used for plausibility; every person and contact is fictional.
import type { SeedBroker } from './types.ts';

export const brokers: SeedBroker[] = [
  {
    name: '周晓婷', level: 'senior', organization: '国家技术转移中部中心荆门分中心',
    specialties: ['chemicals', 'energy'],
    bio: '长期从事磷化工领域技术转移，促成湿法磷酸净化、磷石膏制建筑石膏粉等技术合同12项，累计登记成交额逾4000万元，熟悉技术合同认定登记和税收优惠办理。',
    contact: { name: '周晓婷', phone: '13125698197', email: 'zhouxt@jmttc-example.cn', wechat: 'zxt_jmttc' },
  },
  {
    name: '田志强', level: 'senior', organization: '湖北技术交易所荆门工作站',
    specialties: ['electronics', 'manufacturing'],
    bio: '曾在线路板企业任工艺主管，转做技术转移后专注电子信息和智能制造领域，近三年为东宝电子企业对接华中科技大学、湖北江城实验室等团队，促成机器视觉检测、设备联网等项目9项。',
    contact: { name: '田志强', phone: '17676573179', email: 'tianzq@hbte-jm-example.cn', wechat: 'tzq_tech' },
  },
  {
    name: '胡雪', level: 'intermediate', organization: '东宝区科技创新服务中心',
    specialties: ['agriculture', 'health'],
    bio: '负责“专家东宝行”活动组织和农业、生命健康领域需求梳理，对接过香菇菌棒、中药材烘干、土鸡屠宰加工等项目，擅长把合作社的技术问题整理成可对接的需求清单。',
    contact: { name: '胡雪', phone: '13194526407', email: 'huxue@dbkc-example.cn' },
  },
  {
    name: '陈亚军', level: 'intermediate', organization: '荆门市生产力促进中心',
    specialties: ['building', 'manufacturing'],
    bio: '建筑工程专业出身，服务绿色建材和装配式建筑企业，协助预制构件企业与武汉理工大学共建研发平台，组织过多场装配式建筑专场技术对接会。',
    contact: { name: '陈亚军', phone: '13939020573', email: 'chenyj@jmpc-example.cn', wechat: 'cyj_jmpc' },
  },
  {
    name: '王梦琪', level: 'junior', organization: '东宝区科技创新服务中心',
    specialties: ['services', 'agriculture'],
    bio: '2022年取得初级技术经纪人资格，协助镇街收集农业和文旅企业需求，参与栗溪镇、仙居乡特色产业科技对接活动，负责需求回访和台账管理。',
    contact: { name: '王梦琪', phone: '19917162239', email: 'wangmq@dbkc-example.cn' },
  },
  {
    name: '徐俊杰', level: 'intermediate', organization: '荆门东创科技服务有限公司',
    specialties: ['electronics'],
    bio: '公司技术转移部负责人，聚焦印制电路板、LED显示屏和液晶显示模组企业，提供需求诊断、成果评估和合同谈判服务，已促成技术开发合同6项。',
    contact: { name: '徐俊杰', phone: '18906400708', email: 'xujj@dongchuang-example.cn', wechat: 'xjj_dongchuang' },
  },
  {
    name: '李建军', level: 'senior', organization: '荆门市生产力促进中心',
    specialties: ['chemicals', 'building'],
    bio: '从事科技中介服务二十年，多次承办荆门市“高校院所行”活动，在磷石膏综合利用和新型建材方向撮合校企合作十余项，擅长设计技术入股与收益分配方案。',
    contact: { name: '李建军', phone: '13636380140', email: 'lijj@jmpc-example.cn' },
  },
  {
    name: '杜佳慧', level: 'junior', organization: '国家技术转移中部中心荆门分中心',
    specialties: ['agriculture'],
    bio: '农学硕士，负责现代农业领域成果库维护，协助对接油菜全程机械化、蔬菜差压预冷等成果，参与组织农业科技成果路演3场。',
    contact: { name: '杜佳慧', phone: '18900937109', email: 'dujh@jmttc-example.cn' },
  },
  {
    name: '彭志华', level: 'intermediate', organization: '湖北技术交易所荆门工作站',
    specialties: ['energy', 'chemicals'],
    bio: '化学工程专业背景，主要服务新能源材料与节能环保企业，对接过磷酸铁锂前驱体中试、化工废水零排放、窑炉余热回收等项目，熟悉中试放大阶段的风险评估。',
    contact: { name: '彭志华', phone: '15542590177', email: 'pengzh@hbte-jm-example.cn' },
  },
  {
    name: '欧阳文静', level: 'intermediate', organization: '荆门汇智科技服务有限公司',
    specialties: ['manufacturing', 'electronics', 'building'],
    bio: '擅长为中小制造企业做数字化诊断，帮助企业梳理设备联网、数字化车间改造需求并对接高校团队，已服务定制家居、电子装配企业二十余家。',
    contact: { name: '欧阳文静', phone: '18109105704', email: 'ouyangwj@huizhi-example.cn', wechat: 'oywj_huizhi' },
  },
  {
    name: '孙浩', level: 'junior', organization: '荆门东创科技服务有限公司',
    specialties: ['manufacturing'],
    bio: '入职两年，协助高级技术经纪人开展智能制造领域需求挖掘和专家匹配，负责对接会现场组织和签约项目跟踪回访。',
    contact: { name: '孙浩', phone: '15748885324', email: 'sunhao@dongchuang-example.cn' },
  },
  {
    name: '龚丽', level: 'senior', organization: '荆门市东宝区圣境科技服务有限公司',
    specialties: ['health', 'agriculture'],
    bio: '深耕生命健康和特色农业领域，促成中药材提取、药食同源食品开发、蜂蜜深加工等技术合同8项，与湖北中医药大学、华中农业大学建立了稳定的合作渠道。',
    contact: { name: '龚丽', phone: '18676322970', email: 'gongli@shengjing-example.cn', wechat: 'gl_shengjing' },
  },
  {
    name: '钟伟', level: 'intermediate', organization: '国家技术转移中部中心荆门分中心',
    specialties: ['building'],
    bio: '专注绿色建材领域，熟悉人造板无醛胶黏剂和石膏基建材技术，协助企业申报绿色建材产品认证和“揭榜挂帅”项目，促成合作开发项目5项。',
    contact: { name: '钟伟', phone: '17374645665', email: 'zhongwei@jmttc-example.cn' },
  },
  {
    name: '冉晓东', level: 'junior', organization: '荆门市东宝区圣境科技服务有限公司',
    specialties: ['services', 'health'],
    bio: '负责文旅和康养领域项目对接，参与马河镇森林康养、圣境山滑翔运动基地等项目的策划与专家邀请，正在积累技术合同登记实务经验。',
    contact: { name: '冉晓东', phone: '18021035921', email: 'ranxd@shengjing-example.cn' },
  },
  {
    name: '黄思涵', level: 'intermediate', organization: '东宝区科技创新服务中心',
    specialties: ['chemicals', 'manufacturing'],
    bio: '服务石桥驿镇化工循环产业企业，协助企业梳理化工自动化改造、安全诊断和氟硅回收技术引进需求，参与组织磷化工专场项目路演。',
    contact: { name: '黄思涵', phone: '17723408902', email: 'huangsh@dbkc-example.cn', wechat: 'hsh_dbkc' },
  },
];
