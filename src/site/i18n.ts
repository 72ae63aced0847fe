// Page chrome in both languages. Chart wording lives with each chart; figures are
// formatted by src/lib/format.ts.
import type { Lang } from '../lib/format.ts';
import type { PageKind } from './routes.ts';

export const PAGE_TITLES: Record<PageKind, Record<Lang, string>> = {
  summary: { zh: '经营概览', en: 'Executive summary' },
  pyramid: { zh: '客户分层', en: 'Tier pyramid' },
  concentration: { zh: '贡献集中度', en: 'Concentration' },
  migration: { zh: '客户迁徙', en: 'Migration' },
  'new-customers': { zh: '新增客户结构', en: 'New customers' },
  branches: { zh: '网点对比', en: 'Branches' },
  branch: { zh: '网点报告', en: 'Branch report' },
  methodology: { zh: '方法与数据质量', en: 'Methodology & data quality' },
  print: { zh: '完整报告', en: 'Full report' },
};

export const NAV: readonly PageKind[] = ['summary', 'pyramid', 'concentration', 'migration', 'new-customers', 'branches', 'methodology'];

const T = {
  skip: { zh: '跳到正文', en: 'Skip to content' },
  language: { zh: 'English', en: '中文' },
  languageName: { zh: '切换到英文版', en: 'Switch to the Chinese version' },
  dataAsOf: { zh: '数据截至', en: 'Data as of' },
  period: { zh: '统计期间', en: 'Period' },
  periods: { zh: '选择期间', en: 'Choose a period' },
  headline: { zh: '较年初', en: 'year to date' },
  branchNav: { zh: '选择网点', en: 'Choose a branch' },
  dataTable: { zh: '查看数据表', en: 'Show the data table' },
  kpiNote: {
    zh: '存量指标为最新快照，较上期指与上一快照相比；迁徙与新增指标为较年初期间，变化行比较最近两期。',
    en: 'Stock figures are at the latest snapshot and compare with the snapshot before; migration and new-customer figures cover the year to date, and their change line compares the latest two periods.',
  },
  download: { zh: '下载与嵌入', en: 'Download & embed' },
  embedPage: { zh: '嵌入页面', en: 'Embed page' },
  copyEmbed: { zh: '复制嵌入代码', en: 'Copy embed code' },
  copied: { zh: '已复制', en: 'Copied' },
  nav: { zh: '主导航', en: 'Main navigation' },
  noPeriods: {
    zh: '目前只有一个快照，无法计算迁徙与新增：至少需要两个快照日期。',
    en: 'There is only one snapshot, so there are no flows to show: migration and new customers need two snapshot dates.',
  },
  footer: { zh: '本报告仅含汇总数据；客户号与单户金额不出现在任何页面。', en: 'This report holds aggregates only: no customer id or single customer’s amount appears on any page.' },
} as const satisfies Record<string, Record<Lang, string>>;

export const t = (lang: Lang, key: keyof typeof T): string => T[key][lang];
