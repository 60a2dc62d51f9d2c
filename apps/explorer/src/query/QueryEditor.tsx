import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { EditorState, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, keymap, lineNumbers, type DecorationSet } from '@codemirror/view';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { adtQueryHighlight, adtQueryLanguage } from './adt-query-language';

const setError = StateEffect.define<number | undefined>();
/** The parse error's position, underlined until the text changes. */
const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    if (tr.docChanged) return Decoration.none;
    for (const e of tr.effects) {
      if (e.is(setError)) {
        if (e.value === undefined) return Decoration.none;
        const from = Math.min(e.value, tr.state.doc.length);
        const to = Math.min(from + 1, tr.state.doc.length);
        if (from === to) return Decoration.set([Decoration.widget({ widget: new ErrorMark(), side: 1 }).range(from)]);
        return Decoration.set([Decoration.mark({ class: 'cm-query-error' }).range(from, to)]);
      }
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

class ErrorMark extends WidgetType {
  toDOM() { const s = document.createElement('span'); s.className = 'cm-query-error'; s.textContent = '␣'; return s; }
}

export interface QueryEditorHandle { text(): string; setText(t: string): void; showError(at: number | undefined): void; focus(): void }

/** CodeMirror 6 with ADT query highlighting; Ctrl/Cmd+Enter runs. */
export const QueryEditor = forwardRef<QueryEditorHandle, { initial: string; onRun: () => void }>(function QueryEditor({ initial, onRun }, ref) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const run = useRef(onRun);
  run.current = onRun;
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(), history(), adtQueryLanguage, adtQueryHighlight, errorField, EditorView.lineWrapping,
          keymap.of([{ key: 'Mod-Enter', run: () => { run.current(); return true; } }, ...defaultKeymap, ...historyKeymap]),
          EditorView.contentAttributes.of({ 'aria-label': 'Query', 'data-testid': 'query-editor' }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
  }, []);
  useImperativeHandle(ref, () => ({
    text: () => view.current!.state.doc.toString(),
    setText: (t) => { const v = view.current!; v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } }); },
    showError: (at) => {
      const v = view.current!;
      v.dispatch({ effects: setError.of(at), ...(at !== undefined ? { selection: { anchor: Math.min(at, v.state.doc.length) } } : {}) });
    },
    focus: () => view.current?.focus(),
  }));
  return <div className="query-editor" ref={host} />;
});
