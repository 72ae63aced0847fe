// The methodology page's wording: every definition of docs/metrics.md retold in
// plain words, in both languages, next to the labels of rejection reasons and the
// data-quality notes.
import { date, type Lang } from '../lib/format.ts';
import type { RejectReason, WarningReason } from '../engine/load.ts';
import type { BranchChange } from '../schema/output.ts';

type Text = Record<Lang, string>;

// Typed by the pipeline's lists of reasons, so a new reason without a label does not compile.
export const REASON_LABELS: Record<RejectReason | WarningReason, Text> = {
  missing_customer_id: { zh: '客户号为空', en: 'Customer id missing' },
  duplicate_customer_id: { zh: '客户号重复（保留第一条）', en: 'Customer id repeated (first copy kept)' },
  missing_branch: { zh: '网点为空', en: 'Branch missing' },
  missing_aum: { zh: '金融资产为空', en: 'Assets missing' },
  invalid_aum: { zh: '金融资产不是数字', en: 'Assets not a number' },
  negative_aum: { zh: '金融资产为负', en: 'Negative assets' },
  missing_deposits: { zh: '存款余额为空', en: 'Deposits missing' },
  invalid_deposits: { zh: '存款余额不是数字', en: 'Deposits not a number' },
  negative_deposits: { zh: '存款余额为负', en: 'Negative deposits' },
  amount_too_large: { zh: '金额过大，无法精确汇总', en: 'Amount too large to add up exactly' },
  invalid_open_date: { zh: '开户日期无法识别（客户保留，日期按缺失处理）', en: 'Unreadable open date (customer kept, date treated as missing)' },
  open_date_after_snapshot: { zh: '开户日期晚于快照日期', en: 'Open date after the snapshot date' },
  wrong_field_count: { zh: '字段数不对', en: 'Wrong number of fields' },
  repeated_header: { zh: '文件中间重复出现表头行', en: 'Header row repeated inside the file' },
};

export const reasonLabel = (reason: string, lang: Lang): string => REASON_LABELS[reason as RejectReason | WarningReason]?.[lang] ?? reason;

export interface Definition {
  term: Text;
  text: Text;
}

export const DEFINITIONS: { heading: Text; items: Definition[] }[] = [
  {
    heading: { zh: '客户与快照', en: 'Customers and snapshots' },
    items: [
      { term: { zh: '快照', en: 'Snapshot' }, text: { zh: '某一日期全部客户的一份名单，每位客户一行：客户号（已脱敏）、所属网点、金融资产、存款余额，以及可选的开户日期。', en: 'The list of all customers on one date, one row each: anonymised id, branch, total financial assets, deposits and, optionally, the open date.' } },
      { term: { zh: '范围', en: 'Scope' }, text: { zh: '全行，或单个网点。每个指标都对全行和每个网点分别计算。', en: 'The whole bank or one branch. Every figure is computed for both.' } },
      { term: { zh: '期间', en: 'Period' }, text: { zh: '两个快照之间。报告展示每两个相邻快照组成的期间，以及“较年初”期间：从年初快照（上年末或更早的最近一个快照）到最新快照。', en: 'The span between two snapshots. The report shows every pair of adjacent snapshots and a “year to date” period from the year-start snapshot (the latest one on or before 31 December of the previous year) to the latest.' } },
    ],
  },
  {
    heading: { zh: '分层与贡献度', en: 'Tiers and contribution' },
    items: [
      { term: { zh: '客户等级', en: 'Tier' }, text: { zh: '按客户金融资产所处的区间划分，区间含下限、不含上限：恰好5万元的客户属于中端客户。', en: 'Set by the range a customer’s financial assets fall in; a range includes its lower bound, so exactly CNY 50K is mid-market.' } },
      { term: { zh: '中高端客户', en: 'Mid-high' }, text: { zh: '中端及以上各等级的客户之和。', en: 'All tiers from mid-market up.' } },
      { term: { zh: '占比', en: 'Share' }, text: { zh: '该等级的客户数、金融资产或存款占本范围合计的比例。', en: 'The tier’s customers, assets or deposits as a share of the scope’s total.' } },
      { term: { zh: '贡献度指数', en: 'Contribution index' }, text: { zh: '该等级户均金融资产 ÷ 全部客户户均金融资产。私人银行客户约为1000倍，意思是户均资产约为平均客户的一千倍。', en: 'The tier’s average assets per customer ÷ the average over all customers; about 1,000× for private banking means its average customer holds a thousand times the average.' } },
    ],
  },
  {
    heading: { zh: '集中度', en: 'Concentration' },
    items: [
      { term: { zh: '洛伦兹曲线', en: 'Lorenz curve' }, text: { zh: '把客户按金额从小到大排列，横轴为累计客户比例，纵轴为他们持有的累计金额比例。曲线离对角线越远，分布越集中。', en: 'Customers ranked from smallest to largest amount: the share of customers (across) against the share of the total they hold (up). The further below the diagonal, the more concentrated.' } },
      { term: { zh: '基尼系数', en: 'Gini' }, text: { zh: '0表示人人相同，越接近1表示越集中于少数客户；按逐户数据精确计算。', en: '0 when everyone holds the same, close to 1 when a few hold almost everything; computed exactly from the individual amounts.' } },
      { term: { zh: '前p%客户占比', en: 'Top-p share' }, text: { zh: '金额最大的前1%、5%、10%、20%的客户持有的金额比例。', en: 'The share held by the largest 1 %, 5 %, 10 % and 20 % of customers.' } },
      { term: { zh: '二八检验', en: '80/20 check' }, text: { zh: '从最大客户往下累计，持有80%金额所需的最少客户比例，与20%相比较；低于20%说明比“二八”更集中。', en: 'The smallest share of customers, counted from the largest, that holds 80 % of the amount, compared with 20 %: below 20 % is more concentrated than 80/20.' } },
    ],
  },
  {
    heading: { zh: '迁徙与新增', en: 'Migration and new customers' },
    items: [
      { term: { zh: '新增、流失、留存', en: 'New, lost, retained' }, text: { zh: '按客户号匹配两个快照：只在期末出现的为新增（按期末等级计），只在期初出现的为流失（按期初等级计），两期都在的为留存。', en: 'Customers are matched by id: in the end snapshot only = new (counted by end tier); in the start only = lost (by start tier); in both = retained.' } },
      { term: { zh: '迁徙矩阵', en: 'Transition matrix' }, text: { zh: '行是期初等级，列是期末等级，格子是留存客户数；另有“新增”行和“流失”列。', en: 'Rows are start tiers, columns end tiers, cells retained customers, plus a “new” row and a “lost” column.' } },
      { term: { zh: '毛迁徙率（标题口径）', en: 'Gross rates (the headline)' }, text: { zh: '向上、向下、不变、流失的客户数 ÷ 期初该等级客户数（分母含流失客户），四者合计100%。网点口径另有“转出”。', en: 'Customers moving up, down, staying and lost ÷ the tier’s customers at the start (lost customers included); the four add to 100 %. Branches add “transferred out”.' } },
      { term: { zh: '调整后迁徙率', en: 'Adjusted rates' }, text: { zh: '同样的分子 ÷ 该等级的留存客户数，向上、向下、不变合计100%。最高等级无法向上、最低等级无法向下，显示为“—”。', en: 'The same numerators ÷ the tier’s retained customers; up, down and stay add to 100 %. The top tier cannot move up and the bottom tier cannot move down: shown as “—”.' } },
      { term: { zh: '全行迁徙率', en: 'Pooled rates' }, text: { zh: '把各等级的分子、分母分别相加后再相除，不对各等级比率求平均。', en: 'Numerators and denominators are summed over tiers before dividing; tier rates are never averaged.' } },
      { term: { zh: '流动性指数', en: 'Mobility index' }, text: { zh: 'Shorrocks指数 =（等级数 − 调整后矩阵对角线之和）÷（等级数 − 1）；0表示没有人换等级。', en: 'Shorrocks’ index = (tiers − trace of the adjusted matrix) ÷ (tiers − 1); 0 means nobody changed tier.' } },
      { term: { zh: '网点调入调出', en: 'Branch transfers' }, text: { zh: '两期都在、但换了网点的客户，计为原网点“转出”、新网点“转入”，不算流失或新增；全行没有调入调出。', en: 'A customer in both snapshots under another branch is transferred out of the old branch and in to the new one, never lost or new; the whole bank has no transfers.' } },
      { term: { zh: '等级桥', en: 'Tier bridge' }, text: { zh: '期初 + 新增 + 由下级升入 + 由上级降入 − 升出 − 降出 − 流失（± 调入调出）= 期末，在每个范围和期间都精确成立。', en: 'Start + new + in from below + in from above − out up − out down − lost (± transfers) = end; it holds exactly for every scope and period.' } },
      { term: { zh: '净增与新增', en: 'Net change vs new' }, text: { zh: '净增 = 期末 − 期初；新增只指新出现的客户。两者不同，报告分别列示。', en: 'Net change = end − start; “new” counts only customers who appeared. They differ, and the report shows both.' } },
      { term: { zh: '资产桥', en: 'Asset bridge' }, text: { zh: '期初资产 − 流失客户的期初资产 + 新增客户的期末资产 + 留存客户的资产变动（按期初等级）= 期末资产。', en: 'Start assets − lost customers’ assets (at start) + new customers’ assets (at end) + the change of retained customers (by start tier) = end assets.' } },
      { term: { zh: '新增客户结构', en: 'New-customer mix' }, text: { zh: '新增客户按期末等级的分布，与期末全部客户（存量）的分布相比较；有开户日期时，再区分期内新开户与重新出现的老客户。', en: 'New customers by end tier beside the tier mix of all customers at the end (the stock); with open dates, new customers are split into opened in the period and re-appearing.' } },
    ],
  },
];

export const ROUNDING: Text = {
  zh: '所有指标按全精度计算，只在显示时四舍五入：比例保留两位小数（如85.23%），金额以万元或亿元显示两位小数，客户数显示千分位。因此表内占比合计可能不恰好为100.00%。',
  en: 'Figures are computed at full precision and rounded once, for display, half away from zero: percentages to two decimals (85.23%), amounts in CNY K/M/B with two decimals, counts with thousands separators. Shares in a table may therefore not add to exactly 100.00%.',
};

/** A branch that vanished or appeared between adjacent snapshots, for the data-quality table. */
export function branchChangeRow(c: BranchChange, minCell: number, lang: Lang): { change: string; text: string } {
  const [start, end] = [date(c.start, lang), date(c.end, lang)];
  if (c.change === 'vanished')
    return lang === 'zh'
      ? { change: '消失', text: `${start}有${minCell}户及以上客户，${end}一户也没有。若${end}的导出文件漏掉了该网点，其客户会先计为流失，重新出现时再计为新增。` }
      : { change: 'Vanished', text: `${minCell} or more customers on ${start}, none on ${end}. If the ${end} export left the branch out, its customers count as lost, and as new when it returns.` };
  return lang === 'zh'
    ? { change: '出现', text: `${start}没有客户，${end}有${minCell}户及以上。若不是新设网点，则是${start}的导出文件漏掉了该网点，其客户计为新增。` }
    : { change: 'Appeared', text: `No customers on ${start}, ${minCell} or more on ${end}. Unless the branch is new, the ${start} export left it out and its customers count as new.` };
}
