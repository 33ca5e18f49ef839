from setuptools import setup
from setuptools.command.build_py import build_py
from configparser import ConfigParser
from pathlib import Path
import setuptools, shlex, shutil

# note: all settings are in settings.ini; edit there, not here
config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

cfg_keys = 'version description keywords author author_email'.split()
expected = cfg_keys + "lib_name user branch license status min_python audience language".split()
for o in expected: assert o in cfg, "missing expected setting: {}".format(o)
setup_cfg = {o:cfg[o] for o in cfg_keys}

licenses = {
    'apache2': ('Apache Software License 2.0','OSI Approved :: Apache Software License'),
    'mit': ('MIT License', 'OSI Approved :: MIT License'),
    'gpl2': ('GNU General Public License v2', 'OSI Approved :: GNU General Public License v2 (GPLv2)'),
    'gpl3': ('GNU General Public License v3', 'OSI Approved :: GNU General Public License v3 (GPLv3)'),
    'bsd3': ('BSD License', 'OSI Approved :: BSD License'),
}
statuses = [ '0 - Pre-Planning', '1 - Planning', '2 - Pre-Alpha', '3 - Alpha',
    '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive' ]
py_versions = '3.7 3.8 3.9 3.10 3.11 3.12'.split()

requirements = shlex.split(cfg.get('requirements', ''))
if cfg.get('pip_requirements'): requirements += shlex.split(cfg.get('pip_requirements', ''))
min_python = cfg['min_python']
lic = licenses.get(cfg['license'].lower(), (cfg['license'], None))
dev_requirements = (cfg.get('dev_requirements') or '').split()

package_data = dict()
pkg_data = cfg.get('package_data', None)
if pkg_data:
    package_data[cfg['lib_name']] =  [x for x in pkg_data.split(',') if x]

# The tiny CLIP's weights and record live once in the repository (data/); a built package carries a copy in
# dgl_nb/assets, where `dgl_nb.tiny.load_tiny_clip` looks first. An editable install reads data/ in place.
ASSETS = ('tiny_clip.safetensors', 'tiny_clip.json')
RESULTS = ('main', 'seeds', 'world1', 'sweep', 'ablation', 'merge_ablation', 'bench')   # data/results/<name>.json: the kept runs the course reports

class build_py_with_assets(build_py):
    "build_py that also copies data/tiny_clip.* and data/results/*.json into the built package as dgl_nb/assets/."
    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False): return
        dest = Path(self.build_lib)/cfg['lib_path']/'assets'
        dest.mkdir(parents=True, exist_ok=True)
        for name in ASSETS:
            src = Path('data')/name
            if not src.is_file(): raise SystemExit(f"{src} is missing: the package must carry the tiny CLIP (restore data/ from git).")
            shutil.copyfile(src, dest/name)
        (dest/'results').mkdir(exist_ok=True)
        for name in RESULTS:
            src = Path('data')/'results'/f'{name}.json'
            if not src.is_file(): raise SystemExit(f"{src} is missing: the package carries the kept runs (restore data/results from git).")
            shutil.copyfile(src, dest/'results'/f'{name}.json')

setuptools.setup(
    name = cfg['lib_name'],
    cmdclass = {'build_py': build_py_with_assets},
    license = lic[0],
    classifiers = [
        'Development Status :: ' + statuses[int(cfg['status'])],
        'Intended Audience :: ' + cfg['audience'].title(),
        'Natural Language :: ' + cfg['language'].title(),
    ] + ['Programming Language :: Python :: '+o for o in py_versions[py_versions.index(min_python):]] + (['License :: ' + lic[1] ] if lic[1] else []),
    url = cfg['git_url'],
    packages = setuptools.find_packages(),
    include_package_data = True,
    package_data = package_data,
    install_requires = requirements,
    extras_require={ 'dev': dev_requirements },
    dependency_links = cfg.get('dep_links','').split(),
    python_requires  = '>=' + cfg['min_python'],
    long_description = open('README.md', encoding='utf-8').read(),
    long_description_content_type = 'text/markdown',
    zip_safe = False,
    entry_points = {
        'console_scripts': cfg.get('console_scripts','').split(),
        'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d']
    },
    **setup_cfg)
