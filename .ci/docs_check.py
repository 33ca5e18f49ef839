"""Check the built site (`_docs/`) in headless Chromium, offline: one line per page.

Serves `_docs/` on 127.0.0.1 and opens each page with every other address unreachable (a proxy that does not exist,
bypassed for the loopback only). On each page: a screenshot that is not blank (kept in `_docs/_screens/`), every
image loaded (naturalWidth > 0), math typeset by MathJax (no error), no request left this machine, the sidebar lists
the home page and every notebook in the reading order, no `#| hide` cell's code is on the page, and every folded
cell (`source_hidden`) is closed and opens on a click. The hidden and folded cells are read from the notebooks.

Chromium and its driver come from Debian (`apt-get install chromium chromium-driver`), selenium from PyPI; both are
installed when missing. Usage: python .ci/docs_check.py [--all | NOTEBOOK ...]
(default: index 00_clip 03_global_local 07_dgl 13_demo; --all: every page)
"""
from __future__ import annotations
import functools, http.server, io, json, os, re, shutil, subprocess, sys, threading, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT/'_docs'
DEFAULT = ['index', '00_clip', '03_global_local', '07_dgl', '13_demo']

BROWSERS = ('chromium', 'chromium-browser', 'google-chrome')

def ensure_browser():
    "The path of a Chromium and its driver, installed from Debian's packages when missing; selenium from PyPI."
    if not (any(map(shutil.which, BROWSERS)) and shutil.which('chromedriver')):
        print('docs check: installing chromium and chromium-driver from Debian', flush=True)
        sudo = [] if os.geteuid() == 0 else ['sudo']
        env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
        subprocess.run(sudo + ['apt-get', 'update', '-qq'], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(sudo + ['apt-get', 'install', '-y', '-qq', 'chromium', 'chromium-driver'], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    try: import selenium  # noqa: F401
    except ImportError:
        print('docs check: installing selenium from PyPI', flush=True)
        subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', 'selenium>=4.20'], check=True)
    return next(filter(None, map(shutil.which, BROWSERS))), shutil.which('chromedriver')

def serve(folder):
    handler = functools.partial(type('Quiet', (http.server.SimpleHTTPRequestHandler,),
                                     {'log_message': lambda *a: None}), directory=str(folder))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv

def notebook_facts(name):
    "(hidden: one long code line of each `#| hide` cell, folded: the first long line of each `source_hidden` cell)"
    nb = json.loads((ROOT/'nbs'/f'{name}.ipynb').read_text())
    hidden, folded = [], []
    for c in nb['cells']:
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source'])
        lines = [l.strip() for l in src.splitlines() if len(l.strip()) > 25 and not l.strip().startswith('#')]
        if not lines: continue
        dirs = re.findall(r'^\s*#\|\s*(\w+)', src, re.M)
        if 'hide' in dirs: hidden.append(max(lines, key=len))
        elif {'export', 'exporti'} & set(dirs): continue      # exported code: the page shows its show_doc instead
        elif c.get('metadata', {}).get('jupyter', {}).get('source_hidden'): folded.append(lines[0])
    return hidden, folded

def expected_sidebar():
    sys.path.insert(0, str(ROOT/'.ci'))
    from docs_build import reading_order
    return ['index'] + [n for n, _, _ in reading_order()]

def page_files():
    "notebook name -> page file, from the sidebar of the home page (the build names pages as nbdev does)"
    html = (SITE/'index.html').read_text()
    return dict(re.findall(r'<li class="[^"]*" data-notebook="([^"]+)">\s*<a href="([^"]+)"', html))

def blank(png):
    from PIL import Image
    im = Image.open(io.BytesIO(png)).convert('L')
    lo, hi = im.getextrema()
    hist = im.histogram()
    return hi - lo < 50 or max(hist) > 0.995 * sum(hist)

def check_page(drv, base, name, file, want_sidebar, files):
    errs = []
    drv.get(f'{base}/{file}')
    drv.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const wait = () => (window.MathJax && MathJax.startup && MathJax.startup.promise)
            ? MathJax.startup.promise.then(() => done(true), () => done(false)) : setTimeout(wait, 50);
        if (document.readyState === 'complete') wait(); else window.addEventListener('load', wait);""")
    # images: bring each into view (they load lazily), then read naturalWidth
    n_img = drv.execute_script("document.querySelectorAll('img').forEach(i => i.loading = 'eager'); return document.images.length")
    deadline = time.time() + 15
    while time.time() < deadline and not drv.execute_script("return Array.from(document.images).every(i => i.complete)"):
        time.sleep(0.1)
    bad = drv.execute_script("return Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.getAttribute('src'))")
    if bad: errs.append(f'images not loaded: {bad[:3]}')
    math = drv.execute_script("return [document.querySelectorAll('mjx-container').length, document.querySelectorAll('mjx-merror').length]")
    src_math = drv.execute_script(r"return /\$[^$\s][^$]*\$/.test(document.querySelector('main').innerText)")
    if math[1]: errs.append(f'{math[1]} MathJax errors')
    if src_math: errs.append('untypeset $...$ math in the page text')
    foreign = drv.execute_script("return performance.getEntriesByType('resource').map(e => e.name).filter(u => !u.startsWith(arguments[0]))", base)
    if foreign: errs.append(f'requests outside the site: {foreign[:3]}')
    side = drv.execute_script("return Array.from(document.querySelectorAll('.toc-list li')).map(li => li.dataset.notebook)")
    if side != want_sidebar: errs.append(f'sidebar {side} is not {want_sidebar}')
    kinds = drv.execute_script("return Array.from(document.querySelectorAll('.toc-list li')).map(li => li.className.split(' ')[0])")
    hidden, folded = notebook_facts(name)
    text = drv.execute_script("return document.querySelector('main').textContent")
    shown_hidden = [h for h in hidden if h in text]
    if shown_hidden: errs.append(f'hidden cell code on the page: {shown_hidden[0][:50]}')
    n_open = 0
    for line in folded:
        found = drv.execute_script("""
            const d = Array.from(document.querySelectorAll('details.fold')).find(d => d.textContent.includes(arguments[0]));
            if (!d) return null;
            const pre = d.querySelector('pre');
            const closed = !d.open && !pre.checkVisibility();
            d.scrollIntoView({block: 'center'});
            return closed;""", line)
        if found is None: errs.append(f'folded cell missing: {line[:40]}'); continue
        if not found: errs.append(f'folded cell not collapsed: {line[:40]}'); continue
        summ = [d for d in drv.find_elements('css selector', 'details.fold') if line in d.get_attribute('textContent')][0]
        summ.find_element('css selector', 'summary').click()
        if drv.execute_script("""const d = Array.from(document.querySelectorAll('details.fold')).find(d => d.textContent.includes(arguments[0]));
            return d.open && d.querySelector('pre').checkVisibility()""", line): n_open += 1
        else: errs.append(f'folded cell does not open on a click: {line[:40]}')
    found = ''
    if name == 'index':   # search: a query typed in the box lists sections that open a page of this site
        box = drv.find_element('id', 'search')
        box.send_keys('global prompts')
        hits = drv.execute_script("return Array.from(document.querySelectorAll('#search-results a')).map(a => a.getAttribute('href'))")
        if not hits: errs.append('search for "global prompts" found nothing')
        else:
            (SITE/'_screens').mkdir(exist_ok=True)
            (SITE/'_screens'/'search.png').write_bytes(drv.get_screenshot_as_png())
            target = hits[0].split('#')[0]
            if target not in files.values(): errs.append(f'search result {hits[0]} is not a page')
        found = f', search "global prompts": {len(hits)} sections'
        box.clear(); drv.execute_script("document.getElementById('search-results').hidden = true")
    drv.execute_script("window.scrollTo(0, 0)")
    shots = SITE/'_screens'; shots.mkdir(exist_ok=True)
    png = drv.get_screenshot_as_png()
    (shots/f'{name}.png').write_bytes(png)
    if blank(png): errs.append('blank screenshot')
    line = (f"{'ok  ' if not errs else 'FAIL'} {file:22s} {n_img} images loaded, {math[0]} formulas typeset, "
            f"sidebar {len(side)} entries ({kinds.count('core')} core, {kinds.count('supporting')} supporting) in order, "
            f"{len(hidden)} hidden cells absent, {n_open}/{len(folded)} folded cells closed and open on a click, "
            f"screenshot _screens/{name}.png{found}")
    return line + ''.join(f'\n     {e}' for e in errs), not errs

def main():
    args = [a for a in sys.argv[1:] if not a.startswith('-')]
    if not (SITE/'index.html').is_file(): sys.exit('docs check: no _docs/index.html: run bash .ci/docs first')
    browser, driver = ensure_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    want = expected_sidebar()
    files = page_files()
    names = want if '--all' in sys.argv else (args or DEFAULT)
    unknown = [n for n in names if n not in files]
    if unknown: sys.exit(f'docs check: no page for {unknown} (pages: {sorted(files)})')
    srv = serve(SITE)
    base = f'http://127.0.0.1:{srv.server_address[1]}'
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for a in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--window-size=1280,1000',
              '--proxy-server=http://127.0.0.1:9', '--proxy-bypass-list=127.0.0.1;localhost', '--no-first-run',
              '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars'):
        opts.add_argument(a)
    drv = webdriver.Chrome(options=opts, service=Service(driver))
    drv.set_script_timeout(60)
    ok = True
    try:
        for n in names:
            line, good = check_page(drv, base, n, files[n], want, files)
            print(line, flush=True); ok &= good
        # narrow window: tables scroll inside their box, the page itself does not scroll sideways
        drv.set_window_size(420, 900)
        for n in names:
            drv.get(f'{base}/{files[n]}')
            over = drv.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if n == names[0] or over > 0:
                (SITE/'_screens'/f'{n}-narrow.png').write_bytes(drv.get_screenshot_as_png())
            if over > 0: print(f'FAIL {files[n]:22s} at 420 px wide the page scrolls sideways by {over} px'); ok = False
        print(f'narrow window (420 px): {"no page scrolls sideways" if ok else "see above"}')
    finally:
        drv.quit(); srv.shutdown()
    print(f"docs check: {len(names)} pages {'passed' if ok else 'FAILED'}")
    sys.exit(0 if ok else 1)

if __name__ == '__main__': main()
