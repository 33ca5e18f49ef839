"""Docs-ready check: nbdev's own documentation processors (`nbdev.serve.proc_nbs`) run clean over every notebook.

To build a notebook's page, nbdev runs its exported cells, its `show_doc` cells and every cell that contains an import
(so that `show_doc` finds the names), and no other cell (`nbdev.processors.exec_show_docs`). A cell that imports and
then uses a name made by a cell the docs do not run stops the build with a NameError; one that imports and then trains
a model trains it during the build. So keep imports in cells of their own.

1. Lists every cell nbdev runs for the docs that mixes imports with other statements (the cells nbdev itself warns
   about: "Found cells containing imports and other code"), as `notebook cell N: first line`. This list is advice: a
   hidden setup cell such as `from fastcore.test import ...; _ = torch.manual_seed(0)` is harmless.
2. Runs `proc_nbs(force=True)` at the repository root, exactly as a docs build does (it writes `_proc/`), and exits 1
   when it raises, naming the notebook and cell.

Usage: python .ci/docs_ready.py [--workers N] [--cached] [--skip_run] [--fix NOTEBOOK ...]   (from any folder)
  --cached: let proc_nbs keep the processed copies in _proc/ that are newer than their notebooks (quick re-checks
            after editing a notebook; a changed library is not noticed, so the gate runs without it)
  --skip_run: print the list only
  --fix: in each NOTEBOOK given, move the top-level imports of every listed cell into a new cell right above it
         (same directives, e.g. `#| hide`), leaving the rest and its outputs in place; a notebook's hidden setup cell
         (a `#| hide` cell before its first `##` heading) is left as it is. Then run nbdev_clean.
"""
from __future__ import annotations
import argparse, ast, os, sys, time, warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def mixed_cells(nb_path:Path) -> list[tuple[int, str, bool]]:
    "(cell number, first line, is the hidden setup cell) of each cell nbdev runs for the docs that holds imports and more."
    from execnb.nbio import read_nb
    from nbdev.process import NBProcessor
    from nbdev.processors import _do_eval, _show_docs
    nb = read_nb(nb_path)
    NBProcessor(nb=nb, procs=[])                                      # parses each cell's directives
    has_docs = any(c.cell_type == 'code' and c.directives_.keys() & {'export', 'exports', 'exporti'} for c in nb.cells) or \
               any(c.cell_type == 'code' and _show_docs(c.parsed_() or []) for c in nb.cells)
    if not has_docs: return []                                        # nbdev runs no cell of a notebook without docs
    out, heading = [], False
    for c in nb.cells:
        if c.cell_type == 'markdown' and any(l.startswith('## ') for l in c.source.splitlines()): heading = True
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')                           # _do_eval warns about exactly these cells
            if c.cell_type != 'code' or not _do_eval(c): continue
        trees = c.parsed_()
        if c.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'} or _show_docs(trees): continue
        if all(isinstance(t, (ast.Import, ast.ImportFrom)) for t in trees): continue
        first = next((l for l in c.source.splitlines() if l.strip() and not l.startswith('#|')), '')
        out.append((c.idx_, first.strip()[:100], not heading and 'hide' in c.directives_))
    return out

def split_imports(nb_path:Path, cells:list[int]) -> int:
    "Move the top-level imports of each cell in `cells` into a new cell right above it; return how many were split."
    import json
    nb = json.loads(nb_path.read_text(encoding='utf-8'))
    for i in sorted(cells, reverse=True):                             # from the end: earlier indices stay valid
        c = nb['cells'][i]
        lines = ''.join(c['source']).splitlines(keepends=True)
        dirs = [k for k, l in enumerate(lines) if l.startswith('#|')]
        code_at = [k for k in range(len(lines)) if k not in dirs]     # code line j (0-based) is source line code_at[j]
        tree = ast.parse(''.join(lines[k] for k in code_at))
        imp, moved = set(), {}                                        # source lines that move whole; cut imports per line
        for t in tree.body:
            if not isinstance(t, (ast.Import, ast.ImportFrom)): continue
            span = {code_at[j] for j in range(t.lineno - 1, t.end_lineno)}
            others = [u for u in tree.body if u is not t and {code_at[j] for j in range(u.lineno - 1, u.end_lineno)} & span]
            if not others: imp |= span; continue
            if t.lineno != t.end_lineno or any(u.lineno != u.end_lineno for u in others):
                raise ValueError(f"{nb_path.name} cell {i}: a multi-line import shares lines with other code; split it by hand")
            moved.setdefault(code_at[t.lineno - 1], []).append((t.col_offset, t.end_col_offset))   # `import x; x.f()`
        cut = []
        for k, spans in moved.items():
            line = lines[k].encode()                                  # ast's column offsets count UTF-8 bytes
            for a, b in sorted(spans, reverse=True):
                cut.append((k, line[a:b].decode()))
                tail = line[b:].lstrip(b' ')
                line = line[:a] + (tail[1:].lstrip(b' ') if tail.startswith(b';') else tail)
            lines[k] = line.decode()
        imp_lines = sorted([(k, lines[k]) for k in imp] + [(k, seg + '\n') for k, seg in sorted(cut)])
        rest = [l for k, l in enumerate(lines) if k not in imp and k not in dirs]
        while rest and not rest[0].strip(): rest.pop(0)
        head = [lines[k] for k in dirs]
        c['source'] = head + rest
        new = dict(cell_type='code', execution_count=None, metadata={}, outputs=[],
                   source=(''.join(head + [l for _, l in imp_lines])).rstrip('\n').splitlines(keepends=True))
        nb['cells'].insert(i, new)
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n', encoding='utf-8')
    return len(cells)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--workers', type=int, default=2, help='notebooks processed at a time by proc_nbs')
    ap.add_argument('--cached', action='store_true', help="reuse _proc/ copies newer than their notebooks (proc_nbs' own cache)")
    ap.add_argument('--skip_run', action='store_true', help='only list the mixed cells, do not run proc_nbs')
    ap.add_argument('--fix', nargs='+', metavar='NOTEBOOK', help='split the listed cells of these notebooks, then exit')
    a = ap.parse_args()
    fix = [Path(f).resolve() for f in a.fix or []]
    os.chdir(ROOT)
    if fix:
        for p in fix: print(f"docs-ready: {p.name}: {split_imports(p, [i for i, _, setup in mixed_cells(p) if not setup])} cells split")
        return 0
    sys.path.insert(0, str(ROOT))
    os.environ['PYTHONPATH'] = os.pathsep.join([str(ROOT)] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p])
    nbs = sorted((ROOT/'nbs').glob('*.ipynb'))
    mixed = [(p.name, i, l, setup) for p in nbs for i, l, setup in mixed_cells(p)]
    print(f"docs-ready: {len(mixed)} cells that nbdev runs for the docs mix imports with other code"
          + (" (harmless only while they use nothing from a cell the docs skip):" if mixed else ''))
    for n, i, l, setup in mixed: print(f"  {n} cell {i}{' (hidden setup cell)' if setup else ''}: {l}")
    if a.skip_run: return 0
    from nbdev.serve import proc_nbs
    t0 = time.time()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            proc_nbs(n_workers=a.workers, force=not a.cached)
    except Exception as e:
        cause = e.__cause__ or e.__context__
        print(f"docs-ready: nbdev.serve.proc_nbs failed after {time.time() - t0:.0f}s: {e}"
              + (f"\n  {type(cause).__name__}: {cause}" if cause else ''), file=sys.stderr)
        print("docs-ready: keep the imports of that cell in a cell of their own (see the mixed cells above)", file=sys.stderr)
        return 1
    print(f"docs-ready: proc_nbs ran clean over all {len(nbs)} notebooks ({'changed ones re-processed' if a.cached else 'all processed'}) "
          f"into _proc/ in {time.time() - t0:.0f}s")
    return 0

if __name__ == '__main__': sys.exit(main())
