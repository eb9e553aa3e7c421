// Demo enterprises of 东宝区 (fictional names, people and contact details).
// Industry mix follows the district action plan: 磷化工, 绿色建材与装配式建筑, 电子信息, "六个一" 现代农业,
// plus manufacturing, energy/environment, 森林康养/中药材 and 文旅/物流.
import type { SeedEnterprise } from './types.ts';

export const enterprises: SeedEnterprise[] = [
  // ── 磷化工与新材料 ──────────────────────────────────────────────
  {
    name: '湖北桥驿磷化集团有限公司',
    industry: 'chemicals',
    town: 'shiqiaoyi',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '位于石桥驿镇化工循环产业园,以湿法磷酸为核心,主要产品为磷酸一铵、磷酸二铵和工业级磷酸,年产磷铵60万吨、湿法磷酸(折五氧化二磷)30万吨,配套自有磷矿和硫酸装置,产品销往华中、西南及东南亚市场。',
    contact: { name: '周建华', phone: '13972601185', email: 'zhoujianhua@qyphos.example.cn' },
  },
  {
    name: '荆门市东宝区丰桥复合肥有限公司',
    industry: 'chemicals',
    town: 'shiqiaoyi',
    scale: 'above-designated',
    highTech: false,
    techSme: true,
    intro:
      '专业生产高塔熔体复合肥和转鼓造粒复合肥,年产能40万吨,拥有“丰桥”“桥农”两个商标,产品覆盖湖北、河南、江西等地农资渠道,近年向水稻、柑橘专用配方肥方向调整。',
    contact: { name: '刘德胜', phone: '15872903346', email: 'liudesheng@fengqiao.example.cn' },
  },
  {
    name: '荆门楚垣黄磷化工有限公司',
    industry: 'chemicals',
    town: 'shiqiaoyi',
    scale: 'above-designated',
    highTech: false,
    techSme: false,
    intro:
      '拥有2台2万千伏安黄磷电炉,年产黄磷2万吨,下游延伸生产热法磷酸和三聚磷酸钠。电炉尾气目前部分用于烘干原料,企业正推进尾气净化与综合利用改造。',
    contact: { name: '陈国平', phone: '13607265518', email: 'chenguoping@chuyuan.example.cn' },
  },
  {
    name: '荆门市东宝区磷石新型材料有限公司',
    industry: 'chemicals',
    town: 'shiqiaoyi',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '以周边磷化工企业排放的磷石膏为原料,生产β型建筑石膏粉和粉刷石膏,年处理磷石膏15万吨,产品供应荆门、襄阳、宜昌等地建材企业,是石桥驿镇磷石膏资源化利用的配套企业。',
    contact: { name: '王海燕', phone: '18972980427', email: 'wanghaiyan@linshi.example.cn' },
  },
  {
    name: '湖北中膦精细化工有限公司',
    industry: 'chemicals',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '位于东宝工业园,主要生产食品级三聚磷酸钠、六偏磷酸钠和磷酸二氢钾等精细磷酸盐,年产能5万吨,已通过食品安全管理体系认证,客户包括肉制品、饮料和水处理企业,部分产品出口。',
    contact: { name: '李晓东', phone: '13581722960', email: 'lixiaodong@zhonglin.example.cn' },
  },
  {
    name: '荆门恒氟新材料科技有限公司',
    industry: 'chemicals',
    town: 'shiqiaoyi',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '依托石桥驿镇磷化工企业的含氟副产资源,利用氟硅酸生产氟化铝和氟硅酸钠,年回收氟硅酸(折百)1.2万吨,是区内磷化工伴生氟资源回收利用企业。',
    contact: { name: '杨帆', phone: '17771631052', email: 'yangfan@hengfu.example.cn' },
  },
  {
    name: '湖北锂磷新能源材料有限公司',
    industry: 'chemicals',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '以工业级磷酸一铵和硫酸亚铁为主要原料生产电池级磷酸铁和磷酸铁锂正极材料,一期年产磷酸铁5万吨已投产,二期2万吨磷酸铁锂在建,主要配套国内动力电池及储能电池企业。',
    contact: { name: '赵永军', phone: '13329858813', email: 'zhaoyongjun@liphos.example.cn' },
  },
  {
    name: '荆门市东宝区绿源水溶肥科技有限公司',
    industry: 'chemicals',
    town: 'zilingpu',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '生产大量元素水溶肥、含腐植酸水溶肥和叶面肥,年产能3万吨,在子陵铺镇、牌楼镇建有示范基地,主要服务设施蔬菜、柑橘和茶园种植户,线上线下渠道并行。',
    contact: { name: '孙丽', phone: '15927195504', email: 'sunli@lvyuanfert.example.cn' },
  },
  {
    name: '荆门荆泰化学助剂有限公司',
    industry: 'chemicals',
    town: 'shiqiaoyi',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '主要生产复合肥防结块剂、磷矿浮选捕收剂和消泡剂,年产各类助剂8000吨,客户为省内外复合肥、磷铵和磷矿选矿企业,现有技术人员12人。',
    contact: { name: '胡志强', phone: '18671932275', email: 'huzhiqiang@jingtai.example.cn' },
  },
  {
    name: '荆门市东宝区昌达化工有限公司',
    industry: 'chemicals',
    town: 'shiqiaoyi',
    scale: 'below-designated',
    highTech: false,
    techSme: false,
    intro:
      '建有年产20万吨硫磺制酸装置,产品为工业硫酸、发烟硫酸和液体三氧化硫,主要供应周边磷酸、磷铵企业;副产中压蒸汽用于余热发电和向邻近企业供汽。',
    contact: { name: '郑卫东', phone: '13886993641', email: 'zhengweidong@changda.example.cn' },
  },

  // ── 绿色建材与装配式建筑 ────────────────────────────────────────
  {
    name: '湖北东宝绿筑装配式建筑有限公司',
    industry: 'building',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '建有4条预制混凝土构件生产线,年产预制叠合板、预制楼梯、预制外墙板等构件15万立方米,承接荆门、宜昌、随州等地保障房和学校项目的构件供应与安装。',
    contact: { name: '黄立新', phone: '13597905126', email: 'huanglixin@lvzhu.example.cn' },
  },
  {
    name: '荆门市东宝区森美板业有限公司',
    industry: 'building',
    town: 'zilingpu',
    scale: 'above-designated',
    highTech: false,
    techSme: true,
    intro:
      '年产刨花板30万立方米、三聚氰胺饰面板800万张,采用连续平压生产线,原料以周边林区小径材和枝桠材为主,产品销往定制家居和板式家具企业。',
    contact: { name: '吴松林', phone: '18062874439', email: 'wusonglin@senmei.example.cn' },
  },
  {
    name: '湖北雅居定制家居有限公司',
    industry: 'building',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '从事全屋定制家具的设计、生产和销售,拥有柔性板式生产车间6万平方米,日产能约350套柜体,全国经销门店260余家,同时承接精装房工程订单。',
    contact: { name: '徐静', phone: '13872963308', email: 'xujing@yaju.example.cn' },
  },
  {
    name: '荆门市东宝区膏能新型建材有限公司',
    industry: 'building',
    town: 'zilingpu',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '以磷石膏和脱硫石膏为主要原料,生产石膏基自流平砂浆、轻质抹灰石膏和石膏砌块,年产能10万吨,产品主要用于室内地面找平和墙面抹灰工程。',
    contact: { name: '马超', phone: '15571606217', email: 'machao@gaoneng.example.cn' },
  },
  {
    name: '荆门子陵新型墙材有限公司',
    industry: 'building',
    town: 'zilingpu',
    scale: 'below-designated',
    highTech: false,
    techSme: false,
    intro:
      '生产蒸压加气混凝土砌块和板材,年产能25万立方米,原料中粉煤灰和磷石膏掺量合计约30%,产品主要供应荆门市区及周边县市房建项目。',
    contact: { name: '朱光明', phone: '13477516882', email: 'zhuguangming@ziling.example.cn' },
  },
  {
    name: '湖北东筑钢结构工程有限公司',
    industry: 'building',
    town: 'industrial-park',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '主营钢结构厂房、多高层钢结构住宅及装配式钢结构构件的设计、加工与安装,年加工钢结构约4万吨,具备钢结构工程专业承包资质,业务集中在鄂中地区。',
    contact: { name: '高文斌', phone: '18986907713', email: 'gaowenbin@dongzhu.example.cn' },
  },
  {
    name: '荆门市东宝区木艺门业有限公司',
    industry: 'building',
    town: 'industrial-park',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '生产实木复合门、免漆门和室内木饰面,年产木门约8万樘,主要为工程精装项目和本地家装市场配套,正在向木门、护墙板、柜体一体的整装定制方向延伸。',
    contact: { name: '林春芳', phone: '15337360924', email: 'linchunfang@muyi.example.cn' },
  },
  {
    name: '湖北楚材生态板材有限公司',
    industry: 'building',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '生产无醛添加生态板、多层实木板和细木工板,年产能20万立方米,采用大豆蛋白基和异氰酸酯类胶黏剂,产品主要供应中高端定制家居品牌。',
    contact: { name: '何涛', phone: '13995901570', email: 'hetao@chucai.example.cn' },
  },
  {
    name: '荆门市东宝区砼匠建材有限公司',
    industry: 'building',
    town: 'zilingpu',
    scale: 'above-designated',
    highTech: false,
    techSme: false,
    intro:
      '拥有3条预拌混凝土生产线和1条机制砂生产线,年产商品混凝土80万立方米,同时利用磷渣、钢渣等工业固废生产矿物掺合料,服务荆门城区重点工程。',
    contact: { name: '罗斌', phone: '17362716649', email: 'luobin@tongjiang.example.cn' },
  },
  {
    name: '荆门泉口智能家居科技有限公司',
    industry: 'building',
    town: 'quankou',
    scale: 'below-designated',
    highTech: true,
    techSme: true,
    intro:
      '聚焦定制衣柜、橱柜的智能五金和家居控制模块,开发电动升降衣杆、感应灯带和柜内除湿模块等产品,年销售额约6000万元,为多家定制家居企业提供配套。',
    contact: { name: '梁晓敏', phone: '19971682035', email: 'liangxiaomin@qksmart.example.cn' },
  },
  {
    name: '湖北宝晟保温材料有限公司',
    industry: 'building',
    town: 'zilingpu',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '生产岩棉板、保温装饰一体化板和无机保温砂浆,年产保温装饰一体板120万平方米,产品用于公共建筑外墙节能改造和装配式建筑外墙。',
    contact: { name: '宋志刚', phone: '13135938861', email: 'songzhigang@baosheng.example.cn' },
  },

  // ── 电子信息 ────────────────────────────────────────────────────
  {
    name: '湖北宏芯电路科技有限公司',
    industry: 'electronics',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '专业生产双面及多层印制电路板(PCB),最高层数12层,月产能5万平方米,产品应用于汽车电子、工控和通信设备,具备沉铜、电镀、蚀刻、阻焊等全流程工序。',
    contact: { name: '谢振宇', phone: '13907261430', email: 'xiezhenyu@hongxin.example.cn' },
  },
  {
    name: '荆门柔联电子科技有限公司',
    industry: 'electronics',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: true,
    intro:
      '生产单双面及多层柔性线路板(FPC)和软硬结合板,月产能3万平方米,主要用于手机摄像头模组、液晶显示模组和可穿戴设备,客户集中在珠三角和长三角。',
    contact: { name: '韩雪', phone: '18827659972', email: 'hanxue@rouflex.example.cn' },
  },
  {
    name: '湖北晶显光电科技有限公司',
    industry: 'electronics',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '从事中小尺寸液晶显示(LCD)模组和背光模组研发生产,拥有12条模组组装线,年产模组3000万片,产品用于车载显示、工控屏和智能家电。',
    contact: { name: '唐伟', phone: '15826973318', email: 'tangwei@jingxian.example.cn' },
  },
  {
    name: '荆门市东宝区亮景光电有限公司',
    industry: 'electronics',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '生产户内小间距LED显示屏和户外LED广告屏,年产显示屏4万平方米,具备表贴、灯板老化、箱体组装和整屏校正能力,产品用于会议室、指挥中心和商业广告。',
    contact: { name: '冯磊', phone: '13329793056', email: 'fenglei@liangjing.example.cn' },
  },
  {
    name: '湖北宝电元器件有限公司',
    industry: 'electronics',
    town: 'industrial-park',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '位于东宝工业园,主要生产铝电解电容器和片式功率电感,年产电容器8亿只、电感3亿只,配套电源适配器、照明驱动和家电控制板企业,客户以华中、华南地区为主。',
    contact: { name: '曹红梅', phone: '17786402291', email: 'caohongmei@baodian.example.cn' },
  },
  {
    name: '荆门智端通信科技有限公司',
    industry: 'electronics',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '从事平板电脑、学习机和行业手持终端的研发与整机制造,拥有贴片线8条、整机组装线12条,年产智能终端300万台,同时承接国内品牌的代工业务。',
    contact: { name: '彭飞', phone: '18607262874', email: 'pengfei@zhiduan.example.cn' },
  },
  {
    name: '荆门市东宝区精焊电子有限公司',
    industry: 'electronics',
    town: 'industrial-park',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '为园区内显示、终端企业提供贴片加工和插件焊接代工服务,拥有全自动贴片线6条,月贴装点数约4亿点,可承接小批量多品种订单。',
    contact: { name: '邓建军', phone: '15072953107', email: 'dengjianjun@jinghan.example.cn' },
  },
  {
    name: '湖北汉铜覆铜板材料有限公司',
    industry: 'electronics',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '生产环氧玻纤布基覆铜板和半固化片,年产覆铜板600万张,产品供应华中及珠三角地区印制电路板企业,正在开发无卤和高频高速系列产品。',
    contact: { name: '许国庆', phone: '13797925560', email: 'xuguoqing@hantong.example.cn' },
  },
  {
    name: '荆门市东宝区联讯连接器有限公司',
    industry: 'electronics',
    town: 'industrial-park',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '生产板对板连接器、FPC连接器和家电线束,年产连接器1.5亿只,主要为智能终端和家电企业配套,模具车间可自主开发精密冲压和注塑模具。',
    contact: { name: '袁亮', phone: '15997910648', email: 'yuanliang@lianxun.example.cn' },
  },
  {
    name: '荆门龙泉软件信息技术有限公司',
    industry: 'electronics',
    town: 'longquan',
    scale: 'below-designated',
    highTech: true,
    techSme: true,
    intro:
      '专注制造业信息化,开发生产执行系统(MES)、设备数据采集和仓储管理软件,已为荆门地区40余家制造企业实施数字化车间项目,现有研发人员35人。',
    contact: { name: '蒋晨', phone: '18171526329', email: 'jiangchen@lqsoft.example.cn' },
  },
  {
    name: '湖北东宝微显触控科技有限公司',
    industry: 'electronics',
    town: 'industrial-park',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '生产电容式触摸屏和盖板玻璃,拥有全贴合生产线4条,月产触控模组80万片,产品用于工控面板、车载中控和教育平板,主要为园区内显示和终端企业配套。',
    contact: { name: '沈琳', phone: '13085298147', email: 'shenlin@weixian.example.cn' },
  },
  {
    name: '荆门泉口物联科技有限公司',
    industry: 'electronics',
    town: 'quankou',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '开发环境监测、水肥一体化控制和冷库温湿度监控等物联网终端及云平台,已在区内食用菌基地、蔬菜大棚和冷库部署设备2000余台套。',
    contact: { name: '傅佳豪', phone: '19907273561', email: 'fujiahao@qkiot.example.cn' },
  },

  // ── 现代农业与食品(“六个一”) ──────────────────────────────────
  {
    name: '荆门市东宝区栗溪山珍食用菌有限公司',
    industry: 'agriculture',
    town: 'lixi',
    scale: 'above-designated',
    highTech: true,
    techSme: true,
    intro:
      '以香菇菌棒工厂化生产为主,年产菌棒2000万棒,带动栗溪镇及周边600余户菇农出菇,产品包括鲜菇、干香菇和香菇柄加工品,是区内“一袋菇”产业龙头企业。',
    contact: { name: '田茂盛', phone: '13469728805', email: 'tianmaosheng@lixishanzhen.example.cn' },
  },
  {
    name: '荆门市东宝区仙居香菇开发有限公司',
    industry: 'agriculture',
    town: 'xianju',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '收购仙居乡及周边菇农的鲜香菇进行烘干、分级和深加工,年加工干香菇800吨,开发香菇酱、香菇脆片等休闲食品,通过电商和商超渠道销售。',
    contact: { name: '向春梅', phone: '15586709132', email: 'xiangchunmei@xjmushroom.example.cn' },
  },
  {
    name: '荆门牌楼蔬鲜农业开发有限公司',
    industry: 'agriculture',
    town: 'pailou',
    scale: 'above-designated',
    highTech: false,
    techSme: false,
    intro:
      '在牌楼镇建有蔬菜基地3200亩,其中连栋大棚400亩,主要种植辣椒、番茄、黄瓜和叶菜,日均向荆门、武汉商超供应蔬菜60吨,配套预冷库和分拣中心。',
    contact: { name: '汪德福', phone: '13797995427', email: 'wangdefu@shuxian.example.cn' },
  },
  {
    name: '荆门市东宝区栗溪本草种植有限公司',
    industry: 'agriculture',
    town: 'lixi',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '在栗溪镇流转山地1800亩,种植苍术、桔梗、玄参、白及等中药材,采用“公司+合作社+农户”模式,产地初加工后销往药材市场和饮片企业。',
    contact: { name: '覃玉兰', phone: '18727856093', email: 'qinyulan@lixibencao.example.cn' },
  },
  {
    name: '湖北仙居土鸡产业发展有限公司',
    industry: 'agriculture',
    town: 'xianju',
    scale: 'below-designated',
    highTech: false,
    techSme: false,
    intro:
      '从事仙居土鸡的育雏、林下散养、屠宰加工和冷链配送,年出栏土鸡60万羽,建有年屠宰100万羽的加工车间,产品供应荆门及武汉的商超和餐饮企业。',
    contact: { name: '严家兴', phone: '13617261748', email: 'yanjiaxing@xjchicken.example.cn' },
  },
  {
    name: '荆门市东宝区百花蜂业有限公司',
    industry: 'agriculture',
    town: 'mahe',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '在马河镇、栗溪镇设有蜂场,存养中华蜂3500群,同时收购周边蜂农蜂蜜,年加工蜂蜜600吨,产品有土蜂蜜、百花蜜和蜂蜜柚子茶等。',
    contact: { name: '熊立平', phone: '15971915386', email: 'xiongliping@baihua.example.cn' },
  },
  {
    name: '荆门宝酱食品有限公司',
    industry: 'agriculture',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '生产黄豆酱、香辣酱、剁辣椒和豆瓣酱等调味酱品,年产量1.8万吨,采用传统晒露发酵与保温发酵相结合的工艺,产品进入华中地区商超和餐饮供应链。',
    contact: { name: '杜永红', phone: '13872932615', email: 'duyonghong@baojiang.example.cn' },
  },
  {
    name: '荆门市东宝区牌楼粮油有限公司',
    industry: 'agriculture',
    town: 'pailou',
    scale: 'above-designated',
    highTech: false,
    techSme: false,
    intro:
      '日处理稻谷300吨、油菜籽150吨,生产大米、压榨菜籽油和浓香菜籽油,产品主要供应荆门本地粮油市场和学校食堂,配套粮食烘干中心一座。',
    contact: { name: '聂国华', phone: '18995902471', email: 'nieguohua@pailougrain.example.cn' },
  },
  {
    name: '荆门马河油茶开发有限公司',
    industry: 'agriculture',
    town: 'mahe',
    scale: 'below-designated',
    highTech: false,
    techSme: false,
    intro:
      '在马河镇种植油茶1.2万亩,建有鲜果脱壳、烘干和压榨生产线,年产山茶油约300吨,同时销售茶籽粕等副产品,正在推进低产林改造。',
    contact: { name: '万小平', phone: '17371558924', email: 'wanxiaoping@mhcamellia.example.cn' },
  },
  {
    name: '荆门市东宝区栗溪魔芋科技有限公司',
    industry: 'agriculture',
    town: 'lixi',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '在栗溪镇高山地区带动农户种植魔芋2000亩,建有魔芋切片烘干及精粉加工生产线,年产魔芋精粉500吨、魔芋休闲食品300吨,产品销往四川、广东等地。',
    contact: { name: '邹明', phone: '15629781063', email: 'zouming@lixikonjac.example.cn' },
  },
  {
    name: '荆门市东宝区绿菌循环农业科技有限公司',
    industry: 'agriculture',
    town: 'xianju',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '利用香菇废菌棒生产生物有机肥和栽培基质,年处理废菌棒3万吨,同时种植平菇、羊肚菌等品种,在仙居乡形成“菌—肥—菜”循环种植模式。',
    contact: { name: '程芳', phone: '13277533590', email: 'chengfang@lvjun.example.cn' },
  },
  {
    name: '荆门市东宝区荆楚鲜食品有限公司',
    industry: 'agriculture',
    town: 'longquan',
    scale: 'above-designated',
    highTech: false,
    techSme: true,
    intro:
      '生产卤制品、预制菜和速冻调理食品,年产能1.2万吨,拥有中央厨房和冷链配送车队,产品覆盖湖北、湖南的连锁门店和团餐客户。',
    contact: { name: '付强', phone: '18086076258', email: 'fuqiang@jingchuxian.example.cn' },
  },

  // ── 智能制造与装备 ──────────────────────────────────────────────
  {
    name: '湖北东宝精工泵阀有限公司',
    industry: 'manufacturing',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: false,
    intro:
      '专业生产磷化工、冶金行业用耐腐蚀耐磨渣浆泵、料浆泵和衬胶阀门,年产泵阀产品6000台套,主要客户为湖北、云南、贵州的磷化工企业。',
    contact: { name: '龚建平', phone: '13907269917', email: 'gongjianping@jinggong.example.cn' },
  },
  {
    name: '荆门市东宝区恒力液压设备有限公司',
    industry: 'manufacturing',
    town: 'zilingpu',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '生产工程机械用液压油缸和液压站,年产油缸5万支,为挖掘机、起重机及农机企业配套,拥有数控加工、滚压和自动焊接设备80余台,是子陵铺镇主要的机械加工企业。',
    contact: { name: '姚俊', phone: '15897975402', email: 'yaojun@hengli.example.cn' },
  },
  {
    name: '荆门智造自动化设备有限公司',
    industry: 'manufacturing',
    town: 'industrial-park',
    scale: 'below-designated',
    highTech: true,
    techSme: true,
    intro:
      '从事非标自动化设备设计制造,产品包括板式家具封边钻孔生产线、预制构件布料设备和电子行业自动化检测工装,年产值约8000万元。',
    contact: { name: '卢志远', phone: '18371612683', email: 'luzhiyuan@zhizao.example.cn' },
  },
  {
    name: '荆门市东宝区鑫达铸造有限公司',
    industry: 'manufacturing',
    town: 'shiqiaoyi',
    scale: 'below-designated',
    highTech: false,
    techSme: false,
    intro:
      '采用消失模和树脂砂工艺生产灰铸铁、球墨铸铁和耐磨合金铸件,年产铸件1.5万吨,主要为泵阀、矿山机械和农机企业配套,耐磨件多用于磷矿破碎设备。',
    contact: { name: '雷宏', phone: '13545879216', email: 'leihong@xinda.example.cn' },
  },
  {
    name: '湖北牌楼农机装备有限公司',
    industry: 'manufacturing',
    town: 'pailou',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '生产食用菌菌棒装袋机、拌料机、灭菌设备和小型农产品烘干机,年产各类设备1500台套,主要销往湖北、河南、福建等食用菌产区。',
    contact: { name: '余德华', phone: '15172903859', email: 'yudehua@pailouagri.example.cn' },
  },
  {
    name: '荆门市东宝区驰远汽车零部件有限公司',
    industry: 'manufacturing',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: false,
    techSme: false,
    intro:
      '生产汽车车身冲压件、焊接总成和底盘支架,拥有冲压线6条、机器人焊接工作站40套,为湖北、重庆地区整车厂及一级供应商配套。',
    contact: { name: '蔡明亮', phone: '18162907745', email: 'caimingliang@chiyuan.example.cn' },
  },

  // ── 新能源与节能环保 ────────────────────────────────────────────
  {
    name: '荆门市东宝区光合新能源科技有限公司',
    industry: 'energy',
    town: 'zilingpu',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '从事分布式光伏电站的设计、安装和运维,已在区内工业厂房、农业大棚建设光伏项目约60兆瓦,并开展“光伏+食用菌”“光伏+储能”试点。',
    contact: { name: '潘宇', phone: '17762910384', email: 'panyu@guanghe.example.cn' },
  },
  {
    name: '湖北宝清环保科技有限公司',
    industry: 'energy',
    town: 'shiqiaoyi',
    scale: 'above-designated',
    highTech: true,
    techSme: true,
    intro:
      '提供化工、电子行业工业废水处理工程和运营服务,受托运营石桥驿化工园区污水处理厂(日处理1万吨),在含磷、含氟和含重金属废水处理方面有多项工程业绩。',
    contact: { name: '段文杰', phone: '13972916620', email: 'duanwenjie@baoqing.example.cn' },
  },
  {
    name: '荆门东宝热力能源有限公司',
    industry: 'energy',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: false,
    techSme: false,
    intro:
      '为东宝工业园提供集中供热服务,建有2台75吨/小时循环流化床锅炉,年供汽约80万吨,正在推进生物质掺烧和园区企业余热回收并网。',
    contact: { name: '苏海波', phone: '15071605739', email: 'suhaibo@dbheat.example.cn' },
  },
  {
    name: '荆门绿循再生资源科技有限公司',
    industry: 'energy',
    town: 'longquan',
    scale: 'below-designated',
    highTech: false,
    techSme: true,
    intro:
      '从事废旧电路板、电子边角料和含铜污泥的回收处置,年处理能力2万吨,产出铜粉、金属富集物和非金属粉,持有危险废物经营许可证。',
    contact: { name: '石磊', phone: '18727893146', email: 'shilei@lvxun.example.cn' },
  },

  // ── 生命健康 ────────────────────────────────────────────────────
  {
    name: '荆门马河森林康养旅游发展有限公司',
    industry: 'health',
    town: 'mahe',
    scale: 'below-designated',
    highTech: false,
    techSme: false,
    intro:
      '运营马河镇森林康养基地,拥有森林步道12公里、康养民宿客房120间,开展森林浴、中医理疗和老年候鸟式康养服务,年接待游客约8万人次。',
    contact: { name: '柯秀英', phone: '13617262094', email: 'kexiuying@maheforest.example.cn' },
  },
  {
    name: '湖北圣境中药饮片有限公司',
    industry: 'health',
    town: 'industrial-park',
    scale: 'above-designated',
    highTech: true,
    techSme: true,
    intro:
      '生产中药饮片和中药提取物,拥有炮制、切制和提取车间,年加工中药材3000吨,饮片品种400余个,主要供应省内医院、药店和制药企业。',
    contact: { name: '易长青', phone: '15207266831', email: 'yichangqing@sjtcm.example.cn' },
  },
  {
    name: '荆门市东宝区本草康源生物科技有限公司',
    industry: 'health',
    town: 'mahe',
    scale: 'below-designated',
    highTech: true,
    techSme: true,
    intro:
      '以马河镇周边种植的葛根、黄精和金银花为原料,开发葛根粉、黄精茶、草本固体饮料等药食同源产品,年销售额约3000万元,线上销售占比约四成。',
    contact: { name: '甘露', phone: '19986902517', email: 'ganlu@bckangyuan.example.cn' },
  },

  // ── 现代服务业与文化旅游 ────────────────────────────────────────
  {
    name: '荆门圣境山文化旅游开发有限公司',
    industry: 'services',
    town: 'zilingpu',
    scale: 'below-designated',
    highTech: false,
    techSme: false,
    intro:
      '运营子陵铺镇圣境山景区部分项目及滑翔伞基地配套服务,经营滑翔伞体验、登山步道、露营地和研学项目,年接待游客约35万人次。',
    contact: { name: '鲁海峰', phone: '13451072683', email: 'luhaifeng@shengjingshan.example.cn' },
  },
  {
    name: '荆门牌楼现代物流有限公司',
    industry: 'services',
    town: 'pailou',
    scale: 'above-designated',
    highTech: false,
    techSme: false,
    intro:
      '在牌楼镇建有物流园区,仓储面积8万平方米,其中冷库1.5万平方米,提供公路干线运输、城乡共同配送和农产品冷链服务,自有及合作车辆260台。',
    contact: { name: '谭志勇', phone: '18972962708', email: 'tanzhiyong@pailoulogistics.example.cn' },
  },
];
