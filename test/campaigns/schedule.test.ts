// The scheduling rules on their own (server/campaigns/schedule.ts): half-open spans, travel gaps, venues.
import { describe, expect, it } from 'vitest';
import { contains, gapMinutes, overlaps, personClashes, slotClashes, stopClashes, venueClashes, venueKey, type Booking } from '../../server/campaigns/schedule.ts';
import { parseInstant } from '../../server/campaigns/times.ts';

const t = (hhmm: string, day = '2026-12-07') => parseInstant(`${day}T${hhmm}`)!;
const span = (a: string, b: string, day?: string) => ({ start: t(a, day), end: t(b, day) });

describe('spans', () => {
  it('when one span ends as the next begins, then they do not overlap and the gap is 0', () => {
    expect(overlaps(span('09:00', '10:00'), span('10:00', '10:30'))).toBe(false);
    expect(gapMinutes(span('09:00', '10:00'), span('10:00', '10:30'))).toBe(0);
    expect(overlaps(span('09:00', '10:01'), span('10:00', '10:30'))).toBe(true);
    expect(gapMinutes(span('10:45', '11:00'), span('09:00', '10:00'))).toBe(45);
    expect(gapMinutes(span('09:00', '10:00'), span('09:30', '09:40'))).toBe(-1);
  });

  it('when a span is inside another up to its edges, then it is contained', () => {
    expect(contains(span('09:00', '12:00'), span('09:00', '12:00'))).toBe(true);
    expect(contains(span('09:00', '12:00'), span('11:40', '12:10'))).toBe(false);
  });

  it('when Beijing wall-clock times are parsed, then they become the UTC instants 8 hours earlier', () => {
    expect(parseInstant('2026-12-05T09:00')!.toISOString()).toBe('2026-12-05T01:00:00.000Z');
    expect(parseInstant('2026-12-05 09:00')!.toISOString()).toBe('2026-12-05T01:00:00.000Z');
    expect(parseInstant('2026-12-05T09:00:00Z')!.toISOString()).toBe('2026-12-05T09:00:00.000Z');
    expect(parseInstant('2026-12-05T09:00+08:00')!.toISOString()).toBe('2026-12-05T01:00:00.000Z');
    expect(parseInstant('2026-02-30T09:00')).toBeUndefined();
    expect(parseInstant('明天上午')).toBeUndefined();
  });

  it('when venues differ only in case, width or spaces, then they are one venue', () => {
    expect(venueKey('东宝工业园 会议中心 A厅')).toBe(venueKey('东宝工业园会议中心ａ厅'));
    expect(venueKey('Hall  B')).toBe(venueKey('hall b'));
    expect(venueKey('东宝工业园 会议中心')).not.toBe(venueKey('东宝工业园 展示中心'));
  });
});

describe('rules', () => {
  const session = span('09:00', '12:00');
  const slot = (a: string, b: string, n: number) => ({ ...span(a, b), label: `第 ${n} 项“成果${n}”`, field: `slots.${n - 1}.startsAt` });

  it('when slots are back to back inside the session, then there is no clash', () => {
    expect(slotClashes(session, [slot('09:00', '10:00', 1), slot('10:00', '11:00', 2), slot('11:00', '12:00', 3)])).toEqual([]);
  });

  it('when a slot overruns the session or two slots overlap, then each is named on its own field', () => {
    const clashes = slotClashes(session, [slot('09:00', '09:30', 1), slot('09:20', '09:50', 2), slot('11:40', '12:10', 3)]);
    expect(clashes).toEqual([
      { field: 'slots.2.startsAt', message: expect.stringContaining('第 3 项“成果3”（12月7日 11:40–12:10）超出路演时间（12月7日 09:00–12:00）') },
      { field: 'slots.1.startsAt', message: expect.stringContaining('第 2 项“成果2”（12月7日 09:20–09:50）与第 1 项“成果1”（12月7日 09:00–09:30）时间重叠') },
    ]);
  });

  it('when stops are at different enterprises, then the travel gap applies; at the same enterprise it does not', () => {
    const stop = (a: string, b: string, place: string, n: number) => ({ ...span(a, b), place, label: `第 ${n} 站“${place}”`, field: `stops.${n - 1}.startsAt` });
    expect(stopClashes([stop('09:00', '10:00', 'A', 1), stop('10:30', '11:30', 'B', 2)], 30)).toEqual([]);
    expect(stopClashes([stop('09:00', '10:00', 'A', 1), stop('10:00', '11:00', 'A', 2)], 30)).toEqual([]);
    const tooClose = stopClashes([stop('09:00', '10:00', 'A', 1), stop('10:15', '11:00', 'B', 2)], 30);
    expect(tooClose).toEqual([{ field: 'stops.1.startsAt', message: expect.stringContaining('之间只有 15 分钟，不同企业之间至少需要 30 分钟路程时间') }]);
    expect(stopClashes([stop('09:00', '10:00', 'A', 1), stop('10:15', '11:00', 'B', 2)], 10)).toEqual([]);
    expect(stopClashes([stop('09:00', '10:00', 'A', 1), stop('09:30', '11:00', 'A', 2)], 0)[0]!.message).toContain('时间重叠');
  });

  it('when one person is booked elsewhere, then overlap clashes and back-to-back does not (travel only between visits)', () => {
    const booking = (a: string, b: string, where: string, place?: string): Booking => ({ ...span(a, b), person: 'expert:1', personName: '专家王石膏', where, place });
    const others = [booking('10:00', '11:00', '路演“电子信息专场”第 2 项')];
    expect(personClashes([booking('11:00', '11:30', '本场路演第 1 项')], others)).toEqual([]);
    expect(personClashes([booking('09:00', '10:00', '本场路演第 1 项')], others)).toEqual([]);
    const clash = personClashes([booking('10:30', '11:30', '本场路演第 1 项')], others);
    expect(clash[0]!.message).toBe('专家王石膏在 12月7日 10:00–11:00 已安排在路演“电子信息专场”第 2 项，与本场路演第 1 项（12月7日 10:30–11:30）时间冲突。');
    const visitElsewhere = [booking('09:00', '10:00', '专家东宝行走访“甲公司”', 'A')];
    expect(personClashes([booking('10:10', '11:00', '本行程第 1 站“乙公司”', 'B')], visitElsewhere, 30)[0]!.message).toContain('之间只有 10 分钟');
    expect(personClashes([booking('10:10', '11:00', '本行程第 1 站“甲公司”', 'A')], visitElsewhere, 30)).toEqual([]);
    expect(personClashes([{ ...booking('10:30', '11:30', '本场'), person: 'expert:2' }], others)).toEqual([]);
  });

  it('when two events share a venue, then overlapping times clash and different venues or times do not', () => {
    const mine = { ...span('09:00', '12:00'), venue: '东宝工业园 会议中心', title: '磷化工专场' };
    expect(venueClashes(mine, [{ ...span('12:00', '15:00'), venue: '东宝工业园会议中心', title: '下午场' }])).toEqual([]);
    expect(venueClashes(mine, [{ ...span('09:00', '12:00'), venue: '东宝工业园 展示中心', title: '同时另一场' }])).toEqual([]);
    expect(venueClashes(mine, [{ ...span('11:00', '13:00'), venue: '东宝工业园会议中心', title: '电子信息专场' }])).toEqual([
      { field: 'venue', message: '场地“东宝工业园会议中心”在 12月7日 11:00–13:00 已有“电子信息专场”，与本场（12月7日 09:00–12:00）时间重叠。' },
    ]);
  });
});
