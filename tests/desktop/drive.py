#!/usr/bin/python3
"""Drives the real settings window through WebDriver (WebKitWebDriver, which
tauri-driver wraps on Linux): adds a source by typed path with include rules
and a live preview, waits for the hosted engine to index it, searches, and
checks what the page shows. With --shots DIR it saves screenshots there.

  xvfb-run -a dbus-run-session -- tests/desktop/drive.py BINARY [--shots DIR]

No dependencies beyond Python's standard library. The app must see
TAURI_WEBVIEW_AUTOMATION=true (set here for WebKitWebDriver, which starts it).
"""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Driver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = None

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path}: {error.read().decode()}") from None

    def start(self, binary):
        caps = {"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {"binary": binary, "args": []}}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def s(self, path):
        return f"/session/{self.session}{path}"

    def find(self, css):
        return self.call("POST", self.s("/element"), {"using": "css selector", "value": css})[ELEMENT]

    def js(self, script, *args):
        return self.call("POST", self.s("/execute/sync"), {"script": script, "args": list(args)})

    def type(self, css, text):
        self.call("POST", self.s(f"/element/{self.find(css)}/value"), {"text": text})

    def click(self, css):
        self.call("POST", self.s(f"/element/{self.find(css)}/click"), {})

    def text(self, css):
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css)

    def wait(self, what, predicate, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for {what}")

    def screenshot(self, path):
        # The whole X screen, as a user sees it. (WebDriver's own screenshot
        # endpoint hangs now and then under Xvfb.)
        time.sleep(0.5)  # let the last change paint
        subprocess.run(["import", "-window", "root", path], check=True)

    def quit(self):
        if self.session:
            try:
                self.call("DELETE", self.s(""))
            except Exception:
                pass


def make_corpus(root):
    notes = os.path.join(root, "notes")
    os.makedirs(os.path.join(notes, "drafts"))
    os.makedirs(os.path.join(notes, "papers"))
    files = {
        "borrow-checker.md": "# The borrow checker\n\nRust's borrow checker rejects code that\nkeeps a reference alive while the value moves.\n",
        "lifetimes.md": "# Lifetimes\n\nA lifetime says how long a borrow is valid; the borrow checker\ncompares them. <b>Not HTML</b> & friends stay text.\n",
        "gardening.txt": "Tomatoes want sun, water at the roots, and patience.\n",
        "papers/ownership.md": "Ownership and borrowing, from the paper on affine types.\n",
        "drafts/unfinished.md": "borrow checker notes, not ready\n",
        "build.log": "warning: unused borrow\n",
    }
    for name, text in files.items():
        with open(os.path.join(notes, name), "w") as f:
            f.write(text)
    return notes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--shots", help="save screenshots in this folder")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="gleaner-drive-")
    notes = make_corpus(work)
    env = dict(os.environ, GLEANER_DATA_DIR=os.path.join(work, "data"), TAURI_WEBVIEW_AUTOMATION="true",
               WEBKIT_DISABLE_DMABUF_RENDERER="1")
    port = free_port()
    log = open(os.path.join(work, "webdriver.log"), "w")
    webdriver = subprocess.Popen(["WebKitWebDriver", f"--port={port}"], env=env, stdout=log, stderr=log)
    driver = Driver(port)
    checks = 0
    try:
        driver.wait("WebKitWebDriver", lambda: _up(port), 10)
        driver.start(os.path.abspath(args.binary))
        # First run: no sources, so the window is shown with the empty list.
        driver.wait("the empty sources list", lambda: "No folders" in (driver.text("#sources-list") or ""))
        checks += 1

        driver.type("#source-path", notes)
        driver.js("document.getElementById('rules').open = true")
        driver.type("#source-exclude", "drafts/\ue007*.log")  # \ue007 is Enter
        summary = driver.wait("the rules preview",
                              lambda: (driver.text(".preview-summary") or "") if "excluded" in (driver.text(".preview-summary") or "") else None)
        assert summary.startswith("4 files match, 2 excluded"), summary
        samples = driver.text(".samples")
        assert "papers/ownership.md" in samples and "drafts" not in samples, samples
        checks += 1
        if args.shots:
            driver.screenshot(os.path.join(args.shots, "add-source-preview.png"))

        driver.click("#add-button")
        driver.wait("the new source card", lambda: notes in (driver.text("#sources-list") or ""))
        line = driver.wait("the index to be up to date",
                           lambda: (driver.text("#status-line") or "") if "Up to date · 4 documents" in (driver.text("#status-line") or "") else None, 60)
        card = driver.text("#sources-list")
        assert "4 documents" in card and "exclude drafts/ *.log" in card, card
        checks += 1
        if args.shots:
            driver.screenshot(os.path.join(args.shots, "sources.png"))

        driver.click("[data-tab=jobs]")
        driver.wait("a completed job", lambda: "completed" in (driver.text("#jobs-list") or ""))
        checks += 1
        if args.shots:
            driver.screenshot(os.path.join(args.shots, "jobs.png"))

        driver.click("[data-tab=search]")
        driver.type("#search-query", "borrow checker")
        driver.click("#search-form button[type=submit]")
        driver.wait("search results", lambda: "result" in (driver.text("#search-summary") or ""))
        marks = driver.js("return [...document.querySelectorAll('#search-results mark')].map(m => m.textContent)")
        assert any(m.lower().startswith("borrow") for m in marks), marks
        names = driver.js("return [...document.querySelectorAll('#search-results .hit button.link')].map(b => b.textContent)")
        assert names and names[0] == "borrow-checker.md", names
        assert "unfinished.md" not in names, names
        checks += 1
        driver.type("#search-query", "\ue009a\ue000")  # select all, to type over it
        driver.type("#search-query", "html friends")
        driver.click("#search-form button[type=submit]")
        driver.wait("the HTML-looking hit", lambda: "lifetimes.md" in (driver.text("#search-results") or ""))
        injected = driver.js("return document.querySelectorAll('#search-results .snippet b').length")
        assert injected == 0, "snippet text was parsed as HTML"
        checks += 1
        driver.type("#search-query", "\ue009a\ue000")
        driver.type("#search-query", "borrow checker")
        driver.click("#search-form button[type=submit]")
        driver.wait("search results again", lambda: "borrow-checker.md" in (driver.text("#search-results") or ""))
        if args.shots:
            driver.screenshot(os.path.join(args.shots, "search.png"))

        driver.click("[data-tab=health]")
        driver.wait("the health report", lambda: "Engine running" in (driver.text("#health") or ""))
        checks += 1
        if args.shots:
            driver.screenshot(os.path.join(args.shots, "health.png"))
        print(f"drive: {checks} passed, 0 failed")
    except Exception as error:
        print(f"drive: FAIL after {checks} passed: {error}", file=sys.stderr)
        try:
            print("page:", driver.text("body"), file=sys.stderr)
            print("fields:", driver.js("return [...document.querySelectorAll('input,textarea')].map(e => e.id + '=' + e.value)"), file=sys.stderr)
        except Exception:
            pass
        log.flush()
        sys.stderr.write(open(os.path.join(work, "webdriver.log")).read()[-4000:])
        return 1
    finally:
        driver.quit()
        webdriver.terminate()
        webdriver.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _up(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2):
            return True
    except Exception:
        return False


if __name__ == "__main__":
    sys.exit(main())
