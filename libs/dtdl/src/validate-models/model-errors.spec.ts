import { missingReferenceDetails, modelsRejected, parsingErrorDetail } from './model-errors';

describe('parsingErrorDetail', () => {
  it('turns a parser error into a detail coded by the last segment of its ValidationID', () => {
    expect(
      parsingErrorDetail({
        ValidationID: 'dtmi:dtdl:parsingError:stringInvalid',
        PrimaryID: 'dtmi:ex:Room:_contents:__1x;1',
        Cause: "dtmi:ex:Room;1 has 'contents' value with name '1x' which is invalid.",
        Action: "Modify the value of 'name'.",
      }),
    ).toEqual({
      code: 'stringInvalid',
      message: "dtmi:ex:Room;1 has 'contents' value with name '1x' which is invalid. Modify the value of 'name'.",
      target: 'dtmi:ex:Room:_contents:__1x;1',
    });
  });

  it('omits the target when the parser names no element', () => {
    expect(parsingErrorDetail({ ValidationID: 'dtmi:dtdl:parsingError:missingContext', PrimaryID: null, Cause: 'c.', Action: 'a.' })).toEqual({
      code: 'missingContext',
      message: 'c. a.',
    });
  });
});

describe('modelsRejected', () => {
  it("is ADT's DTDLParserError naming the first problems and keeping all of them as details", () => {
    const details = Array.from({ length: 7 }, (_, i) => ({ code: 'x', message: `Problem ${i}.` }));
    const error = modelsRejected(details);
    expect(error.code).toBe('DTDLParserError');
    expect(error.details).toHaveLength(7);
    expect(error.message).toBe(
      'None of the models in this request could be created due to a problem with one or more models: ' +
        'Problem 0. Problem 1. Problem 2. Problem 3. Problem 4. (and 2 more problems)' +
        ' See model documentation(http://aka.ms/ADTv2Models) for supported format.',
    );
  });
});

describe('missingReferenceDetails', () => {
  it('names each missing DTMI and the models that reference it', () => {
    expect(missingReferenceDetails(['dtmi:ex:A;1', 'dtmi:ex:B;1'], new Map([['dtmi:ex:A;1', ['dtmi:ex:X;1', 'dtmi:ex:Y;1']]]))).toEqual([
      { code: 'unresolvedReference', message: 'dtmi:ex:A;1 (referenced by dtmi:ex:X;1, dtmi:ex:Y;1) is neither in this request nor an existing model.', target: 'dtmi:ex:A;1' },
      { code: 'unresolvedReference', message: 'dtmi:ex:B;1 is neither in this request nor an existing model.', target: 'dtmi:ex:B;1' },
    ]);
  });
});
