#!/usr/bin/python3
"""Drives the real settings window through WebDriver (WebKitWebDriver, which
tauri-driver wraps on Linux): adds a source by typed path with include rules
and a live preview, waits for the hosted engine to index it, searches, lists a
file that fails to extract, edits the source's rules with the preview
following, pauses and resumes a job, changes preferences (an out-of-range
value shows the engine's message; a good one is read back with
`gleaner config get` on the same data directory) and turns Start at login on
and off (the XDG autostart entry appears and goes, in a throwaway HOME).
With --shots DIR it saves screenshots there.

  xvfb-run -a dbus-run-session -- tests/desktop/drive.py BINARY [--shots DIR]

The `gleaner` CLI is taken from BINARY's folder (or $GLEANER_CLI).

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

    def button(self, container_css, label):
        """The button labelled `label` inside the first element matching `container_css`."""
        found = self.js("""const box = document.querySelector(arguments[0]);
            if (!box) return null;
            return [...box.querySelectorAll('button')].find(b => b.textContent.trim() === arguments[1]) || null;""",
                        container_css, label)
        return found[ELEMENT] if found else None

    def click_button(self, container_css, label):
        element = self.wait(f"button {label!r} in {container_css}", lambda: self.button(container_css, label))
        self.call("POST", self.s(f"/element/{element}/click"), {})

    def retype(self, css, text):
        """Replaces a field's text as a user would: select all, then type."""
        self.type(css, "\ue009a\ue000")
        self.type(css, text)

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
    cli = os.environ.get("GLEANER_CLI") or os.path.join(os.path.dirname(os.path.abspath(args.binary)), "gleaner")
    work = tempfile.mkdtemp(prefix="gleaner-drive-")
    notes = make_corpus(work)
    home = os.path.join(work, "home")
    # A throwaway HOME: Start at login writes its entry there, never in the real one.
    env = dict(os.environ, GLEANER_DATA_DIR=os.path.join(work, "data"), TAURI_WEBVIEW_AUTOMATION="true",
               WEBKIT_DISABLE_DMABUF_RENDERER="1", HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"))
    os.makedirs(env["XDG_CONFIG_HOME"])
    autostart_entry = os.path.join(env["XDG_CONFIG_HOME"], "autostart", "Gleaner.desktop")

    def config_get(key):
        return subprocess.run([cli, "config", "get", key], env=env, check=True, capture_output=True,
                              text=True).stdout.strip()
    # Every desktop notification the app sends, as the session bus sees it.
    notify_log = os.path.join(work, "notifications.log")
    monitor = subprocess.Popen(
        ["dbus-monitor", "--session", "interface='org.freedesktop.Notifications',member='Notify'"],
        stdout=open(notify_log, "w"), stderr=subprocess.DEVNULL)

    def notifications():
        with open(notify_log, errors="replace") as f:
            return f.read()
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
        # The app hosts the engine, which announces the finished job on the
        # desktop: read it back from D-Bus.
        driver.wait("the completion notification", lambda: "Indexing finished" in notifications(), 30)
        said = notifications()
        assert "notes" in said and "4 new" in said, said[-2000:]
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

        # A file that cannot be extracted: the watcher indexes it, it fails
        # alone, and the source lists it with its error.
        with open(os.path.join(notes, "broken.pdf"), "w") as f:
            f.write("this is not a PDF\n")
        driver.click("[data-tab=sources]")
        driver.wait("the failed file on the card", lambda: "1 failed" in (driver.text("#sources-list") or ""), 60)
        driver.click_button("#sources-list", "Failed files")
        failed = driver.wait("the failed files panel",
                             lambda: (driver.text("#sources-failed") or "") if "broken.pdf" in (driver.text("#sources-failed") or "") else None)
        assert "1 file could not be read or extracted" in failed, failed
        checks += 1
        driver.click_button("#sources-failed", "Close")

        # Per-folder mute, when the engine has the setting (notify.muted).
        if driver.button("#sources-list", "Mute"):
            driver.click_button("#sources-list", "Mute")
            driver.wait("the folder muted", lambda: notes in config_get("notify.muted"))
            driver.click_button("#sources-list", "Unmute")
            driver.wait("the folder unmuted", lambda: notes not in config_get("notify.muted"))
            checks += 1

        # Edit the source's rules: the preview follows the text, Save applies them.
        driver.click_button("#sources-list", "Edit rules")
        driver.wait("the rules editor", lambda: driver.js("return !document.getElementById('edit-source').hidden"))
        edit_preview = lambda: driver.text("#edit-preview .preview-summary") or ""
        driver.wait("the editor's first preview", lambda: edit_preview().startswith("5 files match, 2 excluded"))
        assert driver.js("return document.getElementById('edit-save').disabled"), "Save is enabled with no change"
        driver.retype("#edit-exclude", "*.log")
        driver.wait("the preview of the edited rules", lambda: edit_preview().startswith("6 files match, 1 excluded"))
        assert "drafts/unfinished.md" in driver.text("#edit-preview .samples"), driver.text("#edit-preview")
        checks += 1
        if args.shots:
            driver.screenshot(os.path.join(args.shots, "edit-rules.png"))
        driver.click("#edit-save")
        driver.wait("the saved rules on the card", lambda: "exclude *.log" in (driver.text("#sources-list") or ""))
        driver.wait("the newly included draft indexed", lambda: "5 documents" in (driver.text("#sources-list") or ""), 60)
        checks += 1

        # Pause and resume a job: with all indexing paused a new scan waits
        # queued, so the job's own Pause and Resume are seen without a race.
        driver.click("#pause-toggle")
        driver.wait("indexing paused", lambda: "paused" in (driver.text("#status-line") or "").lower())
        driver.click("[data-tab=jobs]")
        driver.click("#scan-now")
        driver.wait("a queued job", lambda: driver.button("#jobs-list .job.queued", "Pause"))
        driver.click_button("#jobs-list .job.queued", "Pause")
        driver.wait("the job paused", lambda: driver.button("#jobs-list .job.paused", "Resume"))
        driver.click_button("#jobs-list .job.paused", "Resume")
        driver.wait("the job queued again", lambda: driver.button("#jobs-list .job.queued", "Pause"))
        driver.click("#pause-toggle")
        driver.wait("the job to finish", lambda: driver.js(
            "return document.querySelectorAll('#jobs-list .job.queued, #jobs-list .job.paused, #jobs-list .job.running').length === 0"), 60)
        checks += 1

        # Preferences: the engine checks the range and says why it refuses.
        driver.click("[data-tab=preferences]")
        driver.wait("the preferences form", lambda: driver.js("return !!document.getElementById('pref-watch-debounce_ms')"))
        assert driver.js("return document.getElementById('pref-watch-debounce_ms').value") == "500"
        driver.retype("#pref-watch-debounce_ms", "10\ue007")
        note = driver.wait("the engine's refusal", lambda: (driver.text("#pref-watch-debounce_ms-note") or "") if "expected" in (driver.text("#pref-watch-debounce_ms-note") or "") else None)
        assert "expected an integer from 50 to 60000" in note, note
        assert config_get("watch.debounce_ms") == "500"
        driver.retype("#pref-watch-debounce_ms", "750\ue007")
        driver.wait("the saved value", lambda: driver.text("#pref-watch-debounce_ms-note") == "Saved")
        assert config_get("watch.debounce_ms") == "750", config_get("watch.debounce_ms")
        driver.click("#pref-http-enabled")
        driver.wait("HTTP API saved", lambda: driver.text("#pref-http-enabled-note") == "Saved")
        assert config_get("http.enabled") == "true"
        driver.click("#pref-http-enabled")
        driver.wait("HTTP API off again", lambda: config_get("http.enabled") == "false")
        checks += 1

        # Start at login: the XDG autostart entry appears and goes.
        assert not os.path.exists(autostart_entry)
        driver.click("#pref-start-at-login")
        driver.wait("the autostart entry", lambda: os.path.exists(autostart_entry))
        assert driver.js("return document.getElementById('pref-start-at-login').checked")
        with open(autostart_entry) as f:
            exec_lines = [line.rstrip() for line in f.read().splitlines()]
            assert f"Exec={os.path.abspath(args.binary)}" in exec_lines, exec_lines
        if args.shots:
            driver.js("document.getElementById('pref-watch-debounce_ms').scrollIntoView({block: 'start'})")
            driver.screenshot(os.path.join(args.shots, "preferences.png"))
        driver.wait("the toggle to settle", lambda: driver.js("return !document.getElementById('pref-start-at-login').disabled"))
        driver.click("#pref-start-at-login")
        driver.wait("the autostart entry to go", lambda: not os.path.exists(autostart_entry))
        driver.wait("the toggle off", lambda: driver.js("return !document.getElementById('pref-start-at-login').checked"))
        checks += 1
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
        monitor.terminate()
        # GTK in the app starts xdg-document-portal, which mounts a FUSE
        # folder in the throwaway HOME's cache: unmount it before removing.
        for fusermount in ("fusermount3", "fusermount"):
            if shutil.which(fusermount):
                subprocess.run([fusermount, "-u", os.path.join(home, ".cache", "doc")], capture_output=True)
                break
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
