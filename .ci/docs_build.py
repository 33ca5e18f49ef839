"""Build the course website into `_docs/` (settings.ini `doc_path`) without Quarto.

1. nbdev's own processors (`nbdev.processors.FilterDefaults`, the step `nbdev.serve.proc_nbs` runs before Quarto) turn
   each notebook into its documentation form in `_proc/`: `#| hide` and `#| export` cells removed, `show_doc` added
   after every exported function and rendered to Markdown, directives stripped, names linked to their docs.
   One substitution: nbdev runs every cell that contains an import, whole, so that `show_doc` finds the names. A cell
   that imports and then uses a name from a demo cell (which the docs do not run) stops `proc_nbs` with a NameError,
   and a `#| slow` cell that imports would train a model. Here such a cell runs its import statements only; exported
   cells, pure import cells and `show_doc` cells run as in nbdev. Stored outputs are kept as the notebook has them.
2. Each processed notebook becomes one HTML page (nbconvert's Markdown-with-math renderer and Pygments), in the reading
   order of `nbs/index.ipynb` (files sorted; core path vs supporting notebooks from its "Reading path"), with a
   sidebar, previous/next links, a search index and MathJax from the copy in `_docs/_static/mathjax`.
3. Every page is checked: no `#|` line in a code block, no hidden cell's code, folded cells closed, every local href
   and src (and #anchor) resolves. Any failure exits 1.

Why this renderer, not Sphinx + myst-nb or mkdocs-material + mkdocs-jupyter: nbdev's processed notebooks speak
Quarto (`#| echo: false`, `#| output: asis` for show_doc's Markdown, `#| code-fold`, `{target=...}` link attributes,
heading anchors as Pandoc makes them, which the links in `_modidx.py` point to). Neither of those renderers reads
them, so either would need this translation layer and a theme on top; here the translation is the renderer, built
from what `pip install -e ".[dev]"` already brings (nbconvert's Markdown-with-math filter, Pygments, Jinja2,
BeautifulSoup). The site is plain HTML, one CSS and one small script, with pages named as nbdev names them
(`00_clip` -> clip.html), so the package's doc links resolve on it. What it gives up: Sphinx's stemming search.

Usage: python .ci/docs_build.py [--mathjax DIR] [--jobs N]   (run from the repository root; `bash .ci/docs` does it)
"""
from __future__ import annotations
import argparse, ast, base64, html, json, multiprocessing as mp, os, re, shutil, sys, time
from pathlib import Path
from urllib.parse import urlsplit, unquote

ROOT = Path(__file__).resolve().parent.parent
ASSETS = Path(__file__).resolve().parent/'docs_assets'

# ---------------------------------------------------------------- 1. nbdev's processors
def _process_one(args):
    "Apply nbdev's processors to one notebook (in a fresh process, as nbdev's serve_drv does); return (name, error)."
    src, dst = map(Path, args)
    t0 = time.time()
    os.environ['IN_TEST'] = '1'
    import warnings
    from execnb.nbio import read_nb, write_nb
    from nbdev.processors import FilterDefaults, exec_show_docs, _do_eval, _show_docs, str2bool
    _runs_whole = {'export', 'exports', 'exporti', 'exec_doc'}

    class exec_imports(exec_show_docs):
        "nbdev's `exec_show_docs`, but a cell that mixes imports with other code runs its imports only"
        def __call__(self, cell):
            if not self.nb.has_docs_ or not hasattr(self, 'k'): return
            fm = getattr(self.nb, 'frontmatter_', {})
            if str2bool(fm.get('skip_showdoc', False)) or not _do_eval(cell): return
            trees = cell.parsed_()
            imports = [t for t in trees if isinstance(t, (ast.Import, ast.ImportFrom))]
            if cell.directives_.keys() & _runs_whole or _show_docs(trees) or len(imports) == len(trees): self.k.cell(cell)
            else: self.k.run_cell('\n'.join(ast.unparse(t) for t in imports))
            if self.k.exc: raise Exception(f"{src.name}, cell {cell.idx_}:\n{cell.source}") from self.k.exc

    class Filter(FilterDefaults):
        def base_procs(self): return [exec_imports if p is exec_show_docs else p for p in super().base_procs()]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            nb = read_nb(src)
            Filter()(nb)
        dst.parent.mkdir(parents=True, exist_ok=True)
        write_nb(nb, dst)
        return src.name, None, time.time() - t0
    except Exception as e:
        cause = f' ({type(e.__cause__).__name__}: {e.__cause__})' if e.__cause__ else ''
        return src.name, f'{e}{cause}'.strip(), time.time() - t0

def process_all(names, jobs):
    "Processed copies of `nbs/<name>.ipynb` in `_proc/`, `jobs` notebooks at a time; exits on any failure."
    proc = ROOT/'_proc'
    proc.mkdir(exist_ok=True)
    for f in proc.glob('*.ipynb'):
        if f.stem not in names: f.unlink()
    # a processed copy is kept while it is newer than its notebook, the library, settings.ini and this script
    deps = max(p.stat().st_mtime for p in [ROOT/'settings.ini', Path(__file__), *(ROOT/'dgl_nb').glob('*.py')])
    def fresh(n):
        d = proc/f'{n}.ipynb'
        return d.is_file() and d.stat().st_mtime > max(deps, (ROOT/'nbs'/f'{n}.ipynb').stat().st_mtime)
    todo = [(str(ROOT/'nbs'/f'{n}.ipynb'), str(proc/f'{n}.ipynb')) for n in names if not fresh(n)]
    print(f'docs: {len(todo)} of {len(names)} notebooks to process ({len(names) - len(todo)} unchanged since the last build)', flush=True)
    # a fresh process per notebook: nbdev's shell replaces __main__, and no notebook's state leaks into the next
    with mp.get_context('spawn').Pool(jobs, maxtasksperchild=1) as pool:
        errors = []
        for n, e, dt in pool.imap_unordered(_process_one, todo):
            if e: errors.append((n, e))
            if os.environ.get('DOCS_VERBOSE'): print(f'docs:   {n} {dt:.0f}s', flush=True)
    if errors:
        for n, e in sorted(errors): print(f'docs: nbdev processing failed on {n}: {e}', file=sys.stderr)
        sys.exit(1)
    return proc

# ---------------------------------------------------------------- the reading order
def reading_order():
    """[(name, kind, blurb)] in the course's reading order: the notebooks sorted by file name (the README: "sorting
    `nbs/` gives the reading order"), each marked core or supporting as index.ipynb's "Reading path" lists it."""
    names = sorted(p.stem for p in (ROOT/'nbs').glob('*.ipynb') if p.stem != 'index' and p.stem[0] not in '._')
    idx = json.loads((ROOT/'nbs'/'index.ipynb').read_text())
    md = '\n'.join(''.join(c['source']) for c in idx['cells'] if c['cell_type'] == 'markdown')
    m = re.search(r'^## Reading path\n(.*?)(?=^## )', md, re.M | re.S)
    path = m.group(1) if m else ''
    core = dict(re.findall(r'^\d+\. `(\w+)`:?\s*(.*)', path, re.M))
    supporting = dict(re.findall(r'^- `(\w+)`:?\s*(.*)', path, re.M))
    missing = [n for n in names if n not in core and n not in supporting]
    if missing: print(f"docs: warning: not in index.ipynb's Reading path (marked by their names): {', '.join(missing)}")
    def kind(n): return 'core' if n in core else 'supporting' if n in supporting else (
        'core' if re.match(r'\d+_', n) else 'supporting')
    return [(n, kind(n), core.get(n) or supporting.get(n) or '') for n in names]

# ---------------------------------------------------------------- 2. rendering
def slug(text):
    "Pandoc's (and so Quarto's and nbdev's doc links') identifier for a heading."
    s = re.sub(r'[^\w\s.-]', '', text.strip().lower())
    s = re.sub(r'\s+', '-', s)
    return re.sub(r'^[^a-z]+', '', s) or 'section'

def frontmatter(nb):
    import yaml
    for c in nb['cells']:
        s = ''.join(c['source'])
        if c['cell_type'] == 'raw' and s.startswith('---'): return yaml.safe_load(s.strip().strip('-')) or {}
    return {}

def page_file(name, fm): return 'index.html' if name == 'index' else fm.get('output-file') or f'{name}.html'

_DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')
def split_directives(src):
    "({directive: value}, source without the leading `#|` lines)"
    d, lines = {}, src.splitlines()
    while lines and (m := _DIRECTIVE.match(lines[0])):
        d[m.group(1)] = m.group(2).strip('"\''); lines.pop(0)
    return d, '\n'.join(lines)

class Page:
    def __init__(self, name, nb, site):
        self.name, self.nb, self.site = name, nb, site
        self.fm = frontmatter(nb)
        self.file = page_file(name, self.fm)
        self.title = self.fm.get('title') or name
        self.n_fig = 0

    # --- pieces
    def md(self, text):
        from nbconvert.filters.markdown_mistune import markdown2html_mistune
        text = re.sub(r'\]\((https?://[^)\s]+)\)\{[^}\n]*\}', r'](\1)', text)   # Quarto link attributes
        return markdown2html_mistune(text)

    def code(self, src, lang='python'):
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name
        try: lexer = get_lexer_by_name(lang or 'python')
        except Exception: lexer = get_lexer_by_name('text')
        return highlight(src, lexer, HtmlFormatter(cssclass='highlight'))

    def figure(self, data, ext):
        self.n_fig += 1
        rel = f'figures/{Path(self.file).stem}-{self.n_fig}.{ext}'
        out = self.site/rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data if isinstance(data, bytes) else data.encode())
        return rel

    def output(self, o, asis):
        t = o.get('output_type')
        txt = lambda v: ''.join(v) if isinstance(v, list) else (v or '')
        if t == 'stream':
            cls = 'stderr' if o.get('name') == 'stderr' else 'stdout'
            return f'<pre class="output {cls}">{html.escape(strip_ansi(txt(o.get("text"))))}</pre>'
        if t == 'error':
            tb = strip_ansi('\n'.join(o.get('traceback') or [f"{o.get('ename')}: {o.get('evalue')}"]))
            return f'<pre class="output error">{html.escape(tb)}</pre>'
        data = o.get('data', {})
        if asis and 'text/markdown' in data: return f'<div class="output doc">{self.md(txt(data["text/markdown"]))}</div>'
        if 'text/html' in data: return f'<div class="output html">{txt(data["text/html"])}</div>'
        for mime, ext in (('image/png', 'png'), ('image/jpeg', 'jpg'), ('image/gif', 'gif')):
            if mime in data:
                rel = self.figure(base64.b64decode(txt(data[mime])), ext)
                alt = html.escape(txt(data.get('text/plain', '')).strip()[:80] or 'figure')
                return f'<div class="output figure"><img src="{rel}" alt="{alt}" loading="lazy"></div>'
        if 'image/svg+xml' in data: return f'<div class="output figure"><img src="{self.figure(txt(data["image/svg+xml"]), "svg")}" alt="figure"></div>'
        if 'text/markdown' in data: return f'<div class="output md">{self.md(txt(data["text/markdown"]))}</div>'
        if 'text/latex' in data: return f'<div class="output latex">{html.escape(txt(data["text/latex"]))}</div>'
        if 'text/plain' in data: return f'<pre class="output">{html.escape(strip_ansi(txt(data["text/plain"])))}</pre>'
        return ''

    def body(self):
        parts, in_exercises = [], False
        for c in self.nb['cells']:
            src = ''.join(c['source'])
            if c['cell_type'] == 'raw': continue
            if c['cell_type'] == 'markdown':
                if src.startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'): continue
                if re.match(r'#+\s', src): in_exercises = bool(re.match(r'#+\s+Exercises', src))
                parts.append(f'<div class="cell markdown">{self.md(src)}</div>')
                continue
            d, code = split_directives(src)
            if d.get('include') == 'false': continue
            lang = c.get('metadata', {}).get('language', 'python')
            show_src = code.strip() and d.get('echo') != 'false'
            outs = '' if d.get('output') == 'false' else ''.join(
                self.output(o, d.get('output') == 'asis') for o in c.get('outputs', []))
            inner = ''
            if show_src:
                inner = self.code(code, lang)
                if c.get('metadata', {}).get('jupyter', {}).get('source_hidden'):
                    label = 'Solution' if in_exercises else 'Folded code'
                    inner = (f'<details class="fold"><summary>{label} <span class="hint">(click to show)</span></summary>'
                             f'{inner}</details>')
                elif 'code-fold' in d:
                    summ = html.escape(d.get('code-summary', 'Code'))
                    inner = f'<details class="fold" {"open" if d["code-fold"] == "show" else ""}><summary>{summ}</summary>{inner}</details>'
                inner = f'<div class="input">{inner}</div>'
            if inner or outs: parts.append(f'<div class="cell code">{inner}{outs}</div>')
        return '\n'.join(parts)

def strip_ansi(s): return re.sub(r'\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])', '', s)

def postprocess(body, page, pages_by_name, doc_url, nbs_dir, site):
    "Heading ids as Quarto makes them, links to this site made local, notebook names linked, images copied, tables wrapped."
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(body, 'html.parser')
    seen = set()
    for a in soup.select('a.anchor-link'): a.decompose()
    for h in soup.find_all(re.compile(r'^h[1-6]$')):
        base = slug(h.get_text()); i, hid = 1, base
        while hid in seen: hid = f'{base}-{i}'; i += 1
        seen.add(hid); h['id'] = hid
        link = soup.new_tag('a', attrs={'class': 'anchor', 'href': f'#{hid}', 'aria-hidden': 'true'})
        link.string = '#'
        h.append(link)
    for a in soup.find_all('a', href=True):
        href = a['href']
        if doc_url and href.startswith(doc_url): a['href'] = href[len(doc_url):].lstrip('/') or 'index.html'
        elif (m := re.match(r'^(?:\./)?(?:nbs/)?([\w-]+)\.ipynb(#.*)?$', href)) and m.group(1) in pages_by_name:
            a['href'] = pages_by_name[m.group(1)].file + (m.group(2) or '')
        elif href.startswith('http') and a.get_text(strip=True) == 'source':
            a['class'] = a.get('class', []) + ['srclink']
        if href.startswith('http') and not (doc_url and href.startswith(doc_url)): a['rel'] = 'noopener'
    for code in soup.find_all('code'):   # `07_dgl` in prose links to its page
        name = code.get_text()
        if name in pages_by_name and name != page.name and not code.find_parent(['a', 'pre']):
            code.wrap(soup.new_tag('a', href=pages_by_name[name].file))
    for img in soup.find_all('img', src=True):
        src = img['src']
        if re.match(r'^(data:|https?:|figures/)', src): continue
        p = next((q for q in (nbs_dir/unquote(src), ROOT/unquote(src)) if q.is_file()), None)
        if p is None: continue        # reported by the link check
        rel = 'images/' + p.relative_to(nbs_dir if p.is_relative_to(nbs_dir) else ROOT).as_posix().removeprefix('images/')
        (site/rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, site/rel)
        img['src'] = rel
    for cell in soup.find_all(['td', 'th']):   # short cells (numbers, names) never wrap: a wide table scrolls instead
        if len(cell.get_text(strip=True)) <= 24: cell['class'] = cell.get('class', []) + ['nw']
    for t in soup.find_all('table'):
        if not (t.parent and 'table-wrap' in (t.parent.get('class') or [])): t.wrap(soup.new_tag('div', attrs={'class': 'table-wrap'}))
    return soup

def search_entries(soup, page):
    "One entry per section (h1-h3) of the page: {p: file, t: page title, s: section, a: anchor, x: text}."
    entries, cur = [], {'p': page.file, 't': page.title, 's': page.title, 'a': '', 'x': []}
    for el in soup.find_all(['h1', 'h2', 'h3', 'p', 'li', 'td', 'pre', 'summary']):
        if el.name in ('h1', 'h2', 'h3'):
            entries.append(cur); cur = {'p': page.file, 't': page.title, 's': el.get_text(' ', strip=True).rstrip('#').strip(),
                                        'a': el.get('id', ''), 'x': []}
        elif not el.find_parent(['li', 'td', 'details']) or el.name == 'summary': cur['x'].append(el.get_text(' ', strip=True))
    entries.append(cur)
    for e in entries: e['x'] = re.sub(r'\s+', ' ', ' '.join(e['x']))[:4000]
    return [e for e in entries if e['x'] or e['a']]

def inline(text):
    "A title or description as HTML: escaped, `code` spans kept."
    return re.sub(r'`([^`]+)`', r'<code>\1</code>', html.escape(str(text), quote=False))

def render_site(order, proc, site, mathjax):
    import configparser
    from jinja2 import Template
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    c = cfg['DEFAULT']
    doc_url = (c.get('doc_host', '') + c.get('doc_baseurl', '')).rstrip('/') + '/'
    shutil.rmtree(site, ignore_errors=True); site.mkdir(parents=True)
    static = site/'_static'
    shutil.copytree(ASSETS, static, ignore=shutil.ignore_patterns('*.html'))
    shutil.copytree(mathjax, static/'mathjax')
    from pygments.formatters import HtmlFormatter
    (static/'pygments.css').write_text(HtmlFormatter(style='friendly').get_style_defs('.highlight'))
    nbs = ['index'] + [n for n, _, _ in order]
    kinds = {n: (k, b) for n, k, b in order}
    pages = {n: Page(n, json.loads((proc/f'{n}.ipynb').read_text()), site) for n in nbs}
    files = [p.file for p in pages.values()]
    dup = {f for f in files if files.count(f) > 1}
    if dup: sys.exit(f'docs: two notebooks would write the same page: {dup}')
    tmpl = Template((ASSETS/'page.html').read_text())
    index = []
    nav = [dict(name=n, file=pages[n].file, title=inline(pages[n].title), kind=kinds.get(n, ('home', ''))[0],
                blurb=html.escape(kinds.get(n, ('', ''))[1].replace('`', ''))) for n in nbs]
    for i, n in enumerate(nbs):
        p = pages[n]
        soup = postprocess(p.body(), p, pages, doc_url, ROOT/'nbs', site)
        index += search_entries(soup, p)
        prev_, next_ = (nav[i - 1] if i else None), (nav[i + 1] if i + 1 < len(nav) else None)
        (site/p.file).write_text(tmpl.render(
            title=inline(p.title), title_text=html.escape(p.title.replace('`', '')), site_title=c.get('title', 'dgl_nb'),
            description=inline(p.fm.get('description', '')), description_text=html.escape(p.fm.get('description', '').replace('`', '')),
            body=str(soup), nav=nav, current=n, prev=prev_, next=next_, kind=kinds.get(n, ('home', ''))[0],
            notebook=f'nbs/{n}.ipynb', git_url=c.get('git_url', ''), branch=c.get('branch', 'main')))
    (static/'search-index.js').write_text('window.SEARCH_INDEX = ' + json.dumps(index, ensure_ascii=False) + ';\n')
    (site/'.nojekyll').write_text('')
    return pages

# ---------------------------------------------------------------- 3. checks
def check_site(site, pages):
    from bs4 import BeautifulSoup
    problems, n_links = [], 0
    ids = {}
    soups = {}
    for f in sorted(site.glob('*.html')):
        soups[f.name] = BeautifulSoup(f.read_text(), 'html.parser')
        ids[f.name] = {e['id'] for e in soups[f.name].find_all(id=True)}
    for fname, soup in soups.items():
        for pre in soup.select('main pre'):
            if any(l.lstrip().startswith('#|') for l in pre.get_text().splitlines()):
                problems.append(f'{fname}: a code block shows a #| directive')
        for tag, attr in (('a', 'href'), ('img', 'src'), ('script', 'src'), ('link', 'href')):
            for el in soup.find_all(tag, attrs={attr: True}):
                u = el[attr]
                if re.match(r'^(https?:|mailto:|data:|javascript:)', u): continue
                n_links += 1
                parts = urlsplit(u)
                target = fname if not parts.path else os.path.normpath(unquote(parts.path))
                if not (site/target).exists(): problems.append(f'{fname}: {attr}="{u}" does not resolve'); continue
                if parts.fragment and target.endswith('.html') and unquote(parts.fragment) not in ids.get(target, set()):
                    problems.append(f'{fname}: {attr}="{u}": no #{parts.fragment} in {target}')
    for name, page in pages.items():   # hidden cells' code absent, folded cells closed
        nb = json.loads((ROOT/'nbs'/f'{name}.ipynb').read_text())
        text = soups[page.file].select_one('main').get_text()
        opened = ''.join(d.get_text() for d in soups[page.file].select('main details[open]'))
        for c in nb['cells']:
            src = ''.join(c['source'])
            if c['cell_type'] != 'code': continue
            d, code = split_directives(src)
            lines = [l.strip() for l in code.splitlines() if len(l.strip()) > 25 and not l.strip().startswith('#')]
            if 'hide' in d and lines:
                shown = [l for l in lines if l in text]
                if len(shown) == len(lines): problems.append(f'{page.file}: a #| hide cell is shown: {lines[0][:60]}')
            if c.get('metadata', {}).get('jupyter', {}).get('source_hidden') and any(l in opened for l in lines):
                problems.append(f'{page.file}: a folded cell is open: {lines[0][:60]}')
    return problems, n_links

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--mathjax', required=True, help='folder holding tex-chtml-full.js and output/chtml/fonts')
    ap.add_argument('--jobs', type=int, default=2, help='notebooks processed at a time')
    a = ap.parse_args()
    os.chdir(ROOT)
    t0 = time.time()
    order = reading_order()
    proc = process_all(['index'] + [n for n, _, _ in order], a.jobs)
    t1 = time.time()
    print(f'docs: nbdev processors done in {t1 - t0:.0f}s')
    site = ROOT/'_docs'
    pages = render_site(order, proc, site, Path(a.mathjax))
    problems, n_links = check_site(site, pages)
    for p in problems: print('docs:', p, file=sys.stderr)
    n_core = sum(k == 'core' for _, k, _ in order)
    print(f'docs: {len(pages)} pages ({n_core} core, {len(order) - n_core} supporting, home) in {site.name}/, '
          f'{n_links} local links checked, {len(problems)} problems, {time.time() - t1:.0f}s')
    sys.exit(1 if problems else 0)

if __name__ == '__main__': main()
