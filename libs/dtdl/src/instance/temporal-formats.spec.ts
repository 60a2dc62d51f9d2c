import { isDate, isDateTime, isDuration, isTime } from './temporal-formats';

describe('isDate', () => {
  it.each(['0001-01-01', '9999-12-31', '2000-02-29', '2024-02-29', '1965-04-30'])('accepts %s', (text) => {
    expect(isDate(text)).toBe(true);
  });
  it.each(['0000-01-01', '1900-02-29', '2023-02-29', '1965-04-31', '1965-13-01', '1965-01-00', '19650101', '65-01-01'])('rejects %s', (text) => {
    expect(isDate(text)).toBe(false);
  });
});

describe('isTime', () => {
  it.each(['00:00:00Z', '23:59:59Z', '06:00:00.00015Z', '06:00:00+11:45', '06:00:00-01:15'])('accepts %s', (text) => {
    expect(isTime(text)).toBe(true);
  });
  it.each(['24:00:00Z', '00:60:00Z', '00:00:60Z', '06:00Z', '06:00:00', '06:00:00+11', '06:00:00-1:15', '06:00:00+24:00', 'T06:00:00Z'])('rejects %s', (text) => {
    expect(isTime(text)).toBe(false);
  });
});

describe('isDateTime', () => {
  it.each(['1980-01-01T06:00:00Z', '1980-01-01T06:00:00-00:00', '1965-12-31T06:00:00.1234+11:00'])('accepts %s', (text) => {
    expect(isDateTime(text)).toBe(true);
  });
  it.each(['1980-01-01', '1980-01-01T06:00:00', '1980-02-30T06:00:00Z', '1980-01-01t06:00:00Z', '1980-01-01T06:00Z'])('rejects %s', (text) => {
    expect(isDateTime(text)).toBe(false);
  });
});

describe('isDuration', () => {
  it.each(['P3Y6M4DT12H30M5S', 'P2W4DT8H', 'PT0.001S', 'P3.5W', 'P3Y6.5M', 'P0D', 'P163Y16M64DT389999M15S'])('accepts %s', (text) => {
    expect(isDuration(text)).toBe(true);
  });
  it.each(['P', 'PT', 'P1Y3W', 'P3.4W5D', 'P3.0Y6M', 'PT.5S', 'P6M3Y', 'P8H', '15D'])('rejects %s', (text) => {
    expect(isDuration(text)).toBe(false);
  });
});
