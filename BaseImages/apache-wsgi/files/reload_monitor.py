"""gantry's dev reload monitor, loaded into the mod_wsgi daemon process.

Idle unless GANTRY_RELOAD=1. Then a thread polls the modification times of
the WSGI script, of every module imported from the app folder (also those
whose import failed, which leave no trace in sys.modules) and of every file
below a templates/ folder. On a change it logs one line and sends SIGINT to
its own process, which mod_wsgi takes as a request to shut the daemon
process down; Apache starts a fresh one, which loads the new code.
"""

import os
import signal
import sys
import threading

APP_DIR = os.path.realpath(os.environ.get("GANTRY_APP_DIR", "/app"))
INTERVAL = 0.25  # seconds
SKIP_DIRS = {"__pycache__", "node_modules"}


def _in_app(path):
    path = os.path.realpath(path)
    return path.startswith(APP_DIR + os.sep)


def _mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


class Monitor:
    def __init__(self):
        self._lock = threading.Lock()
        self._files = {}  # path -> mtime when first seen

    def watch(self, path):
        with self._lock:
            if path not in self._files:
                self._files[path] = _mtime(path)

    def find_spec(self, name, path=None, target=None):
        """Meta path hook: asks the other finders and remembers app files.

        Recording the file at find time is what keeps a module whose import
        raised under watch.
        """
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.has_location and spec.origin and _in_app(spec.origin):
                    self.watch(spec.origin)
                return spec
        return None

    def _templates(self):
        found = {}
        for root, dirs, files in os.walk(APP_DIR):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
            if "templates" in root[len(APP_DIR):].split(os.sep):
                for name in files:
                    path = os.path.join(root, name)
                    found[path] = _mtime(path)
        return found

    def _changed(self, templates):
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if isinstance(path, str) and path.endswith(".py") and _in_app(path):
                self.watch(path)
        with self._lock:
            files = list(self._files.items())
        for path, seen in files:
            if _mtime(path) != seen:
                return path
        now = self._templates()
        for path in now.keys() | templates.keys():
            if now.get(path) != templates.get(path):
                return path
        return None

    def _run(self):
        templates = self._templates()
        event = threading.Event()
        while not event.wait(INTERVAL):
            path = self._changed(templates)
            if path:
                print(f"gantry: {path} changed; restarting the app process", file=sys.stderr, flush=True)
                os.kill(os.getpid(), signal.SIGINT)
                return

    def start(self, script):
        if script:
            self.watch(script)
        sys.meta_path.insert(0, self)
        threading.Thread(target=self._run, name="gantry-reload", daemon=True).start()


if os.environ.get("GANTRY_RELOAD") == "1":
    Monitor().start(os.environ.get("GANTRY_WSGI_SCRIPT"))
