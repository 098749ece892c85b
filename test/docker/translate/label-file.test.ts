import { describe, expect, it } from 'vitest';
import { FILE_HEADER } from '../../../src/docker/translate/env-delivery.ts';
import { LabelFileRefusal, planLabelFile } from '../../../src/docker/translate/label-file.ts';

describe('planLabelFile', () => {
  it('writes one key=value line per label after the header, and no file for no label', () => {
    const json = JSON.stringify({ h: 'Bearer a"b\nc' });
    expect(planLabelFile([['k', json]], '/p/main-app.labels')).toEqual({
      path: '/p/main-app.labels',
      text: `${FILE_HEADER}k=${json}\n`,
    });
    expect(planLabelFile([], '/p/x.labels')).toBeUndefined();
  });
  it.each([
    ['a line break', 'a\nb', 'line break'],
    ['a quoted value the CLI would un-quote', '"x"', 'quoted'],
    ['a line over 64 KiB', `{"h":"${'x'.repeat(64 * 1024)}"}`, 'over 64 KiB'],
  ])('refuses %s, naming the label', (_, value, problem) => {
    const plan = () => planLabelFile([['io.interlink.container.probes', value]], '/p/x.labels');
    expect(plan).toThrow(LabelFileRefusal);
    expect(plan).toThrow(new RegExp(`io.interlink.container.probes: .*${problem}`));
  });
});
