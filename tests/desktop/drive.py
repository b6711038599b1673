#!/usr/bin/python3
"""Drives the real settings window through WebDriver (WebKitWebDriver, which
tauri-driver wraps on Linux): adds a source by typed path with include rules
and a live preview, waits for the hosted engine to index it, searches, lists a
file that fails to extract, edits the source's rules with the preview
following, pauses and resumes a job, changes preferences (an out-of-range
value shows the engine's message; a good one is read back with
`gleaner config get` on the same data directory) and turns Start at login on
and off (the XDG autostart entry appears and goes, in a throwaway HOME).
Then, each in a data directory of its own, a damaged index: a gleaner.db of
garbage bytes brings the window up with the "Rebuild index" banner, the
button keeps the old file aside as gleaner.db.corrupt-TIME and the new index
works; and an index cut short gets its folder back, indexed again.
With --shots DIR it saves screenshots there.

  xvfb-run -a dbus-run-session -- tests/desktop/drive.py BINARY [--shots DIR] [--only SCENARIO]

The `gleaner` CLI is taken from BINARY's folder (or $GLEANER_CLI).

No dependencies beyond Python's standard library. The app must see
TAURI_WEBVIEW_AUTOMATION=true (set here for WebKitWebDriver, which starts it).
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, traceback, urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Driver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = None

    def call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path}: {error.read().decode()}") from None
        except TimeoutError:
            raise TimeoutError(f"{method} {path} {body if body is not None else ''}: "
                               f"WebKitWebDriver gave no answer within {timeout} s") from None

    def start(self, binary):
        caps = {"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {"binary": binary, "args": []}}}}
        # Starting a debug build of the app is the one slow step: on a loaded
        # 2-core machine it has taken over a minute.
        self.session = self.call("POST", "/session", caps, timeout=240)["sessionId"]

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


class Session:
    """A throwaway HOME and data directory, WebKitWebDriver on a free port,
    and the app it starts (once the scenario has prepared the data)."""

    def __init__(self, binary, cli, name):
        self.binary = os.path.abspath(binary)
        self.cli = cli
        self.work = tempfile.mkdtemp(prefix=f"gleaner-drive-{name}-")
        self.home = os.path.join(self.work, "home")
        self.data = os.path.join(self.work, "data")
        # A throwaway HOME: Start at login writes its entry there, never in the real one.
        self.env = dict(os.environ, GLEANER_DATA_DIR=self.data, TAURI_WEBVIEW_AUTOMATION="true",
                        WEBKIT_DISABLE_DMABUF_RENDERER="1", HOME=self.home,
                        XDG_CONFIG_HOME=os.path.join(self.home, ".config"))
        os.makedirs(self.env["XDG_CONFIG_HOME"])
        self.port = free_port()
        self.driver = Driver(self.port)
        self.webdriver = None
        self.log_path = os.path.join(self.work, "webdriver.log")

    def gleaner(self, *args):
        """The CLI on the same data directory; its stdout."""
        return subprocess.run([self.cli, *args], env=self.env, check=True, capture_output=True,
                              text=True).stdout.strip()

    def config_get(self, key):
        return self.gleaner("config", "get", key)

    def launch(self):
        log = open(self.log_path, "w")
        self.webdriver = subprocess.Popen(["WebKitWebDriver", f"--port={self.port}"], env=self.env,
                                          stdout=log, stderr=log)
        self.driver.wait("WebKitWebDriver", lambda: _up(self.port), 10)
        self.driver.start(self.binary)
        return self.driver

    def report_failure(self):
        try:
            print("page:", self.driver.text("body"), file=sys.stderr)
            print("fields:", self.driver.js("return [...document.querySelectorAll('input,textarea')].map(e => e.id + '=' + e.value)"), file=sys.stderr)
        except Exception:
            pass
        if os.path.exists(self.log_path):
            sys.stderr.write(open(self.log_path, errors="replace").read()[-4000:])

    def app_pids(self):
        """This session's app processes (its binary, its data directory)."""
        mine = f"GLEANER_DATA_DIR={self.data}".encode()
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                if os.path.realpath(f"/proc/{entry}/exe") != os.path.realpath(self.binary):
                    continue
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if mine in f.read().split(b"\0"):
                        pids.append(int(entry))
            except OSError:
                continue
        return pids

    def close(self):
        try:
            self.driver.quit()
        except Exception as error:
            print(f"drive: ending the WebDriver session: {error!r}", file=sys.stderr)
        if self.webdriver:
            self.webdriver.terminate()
            self.webdriver.wait(10)
        # The app is a single instance per D-Bus session: until this one has
        # stopped its engine and exited, the next scenario's app would hand
        # over to it and exit, and WebKitWebDriver would wait for it forever.
        # Ending the session does not always end the app (a tray app stays
        # when its window closes): after a while it is asked to quit as the
        # session manager would, with SIGTERM, which it answers by stopping
        # its engine and exiting.
        deadline = time.time() + 10
        while self.app_pids() and time.time() < deadline:
            time.sleep(0.1)
        for pid in self.app_pids():
            os.kill(pid, signal.SIGTERM)
        deadline = time.time() + 120
        while self.app_pids() and time.time() < deadline:
            time.sleep(0.1)
        for pid in self.app_pids():
            print(f"drive: the app (pid {pid}) did not exit within 120 s of SIGTERM: killing it",
                  file=sys.stderr)
            os.kill(pid, signal.SIGKILL)
        # GTK in the app starts xdg-document-portal, which mounts a FUSE
        # folder in the throwaway HOME's cache: unmount it before removing.
        for fusermount in ("fusermount3", "fusermount"):
            if shutil.which(fusermount):
                subprocess.run([fusermount, "-u", os.path.join(self.home, ".cache", "doc")], capture_output=True)
                break
        shutil.rmtree(self.work, ignore_errors=True)


def status_line(driver):
    return driver.text("#status-line") or ""


def documents_up_to_date(driver):
    """The document count once the status line says "Up to date", else None."""
    found = re.search(r"Up to date · ([\d,]+) documents?", status_line(driver))
    return int(found.group(1).replace(",", "")) if found else None


def drive_settings(s, shots):
    """The settings window on a fresh data directory; returns the checks passed."""
    driver = s.driver
    notes = make_corpus(s.work)
    autostart_entry = os.path.join(s.env["XDG_CONFIG_HOME"], "autostart", "Gleaner.desktop")
    config_get = s.config_get
    # Every desktop notification the app sends, as the session bus sees it.
    notify_log = os.path.join(s.work, "notifications.log")
    monitor = subprocess.Popen(
        ["dbus-monitor", "--session", "interface='org.freedesktop.Notifications',member='Notify'"],
        stdout=open(notify_log, "w"), stderr=subprocess.DEVNULL)

    def notifications():
        with open(notify_log, errors="replace") as f:
            return f.read()
    checks = 0
    try:
        s.launch()
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
        if shots:
            driver.screenshot(os.path.join(shots, "add-source-preview.png"))

        driver.click("#add-button")
        driver.wait("the new source card", lambda: notes in (driver.text("#sources-list") or ""))
        line = driver.wait("the index to be up to date",
                           lambda: (driver.text("#status-line") or "") if "Up to date · 4 documents" in (driver.text("#status-line") or "") else None, 60)
        card = driver.text("#sources-list")
        assert "4 documents" in card and "exclude drafts/ *.log" in card, card
        checks += 1
        if shots:
            driver.screenshot(os.path.join(shots, "sources.png"))

        driver.click("[data-tab=jobs]")
        driver.wait("a completed job", lambda: "completed" in (driver.text("#jobs-list") or ""))
        # The app hosts the engine, which announces the finished job on the
        # desktop: read it back from D-Bus.
        driver.wait("the completion notification", lambda: "Indexing finished" in notifications(), 30)
        said = notifications()
        assert "notes" in said and "4 new" in said, said[-2000:]
        checks += 1
        if shots:
            driver.screenshot(os.path.join(shots, "jobs.png"))

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
        if shots:
            driver.screenshot(os.path.join(shots, "search.png"))

        driver.click("[data-tab=health]")
        driver.wait("the health report", lambda: "Engine running" in (driver.text("#health") or ""))
        checks += 1
        if shots:
            driver.screenshot(os.path.join(shots, "health.png"))

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
        if shots:
            driver.screenshot(os.path.join(shots, "edit-rules.png"))
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
            assert f"Exec={s.binary}" in exec_lines, exec_lines
        if shots:
            driver.js("document.getElementById('pref-watch-debounce_ms').scrollIntoView({block: 'start'})")
            driver.screenshot(os.path.join(shots, "preferences.png"))
        driver.wait("the toggle to settle", lambda: driver.js("return !document.getElementById('pref-start-at-login').disabled"))
        driver.click("#pref-start-at-login")
        driver.wait("the autostart entry to go", lambda: not os.path.exists(autostart_entry))
        driver.wait("the toggle off", lambda: driver.js("return !document.getElementById('pref-start-at-login').checked"))
        checks += 1

        # Many results: the summary says they are the best ones and that
        # there are more, and "Show 50 more" extends the list.
        journal = os.path.join(s.work, "journal")
        os.makedirs(journal)
        for day in range(120):
            with open(os.path.join(journal, f"day-{day:03}.md"), "w") as f:
                f.write(f"# Day {day}\n\nIn the garden: {'weeding ' * (day % 7 + 1)}and the compost.\n")
        s.gleaner("index", journal)  # through the app's engine, which waits for it
        driver.wait("the journal counted", lambda: "Up to date · 126 documents" in status_line(driver), 30)
        driver.click("[data-tab=search]")
        driver.type("#search-query", "\ue009a\ue000")
        driver.type("#search-query", "compost")
        driver.click("#search-form button[type=submit]")
        summary = driver.wait("the best 50", lambda: (driver.text("#search-summary") or "") if "there are more" in (driver.text("#search-summary") or "") else None)
        assert summary.startswith("The best 50 results in "), summary
        assert driver.js("return document.querySelectorAll('#search-results .hit').length") == 50
        assert driver.js("return !document.getElementById('search-more').hidden")
        if shots:
            driver.screenshot(os.path.join(shots, "search-many.png"))
        driver.click("#search-more")
        driver.wait("the best 100", lambda: "The best 100 results" in (driver.text("#search-summary") or ""))
        driver.click("#search-more")
        summary = driver.wait("all 120", lambda: (driver.text("#search-summary") or "") if (driver.text("#search-summary") or "").startswith("120 results in") else None)
        assert driver.js("return document.querySelectorAll('#search-results .hit').length") == 120
        assert driver.js("return document.getElementById('search-more').hidden"), "no more to show"
        checks += 1
        return checks
    finally:
        monitor.terminate()


def garbage_bytes(n):
    """Not SQLite at all (as tests/corrupt.rs writes)."""
    return bytes(((i * 2654435761) >> 13) & 0xFF for i in range(n))


def drive_rebuild(s, shots):
    """A data directory whose gleaner.db is garbage: the window offers the
    rebuild, keeps the old file aside, and the new index works."""
    driver = s.driver
    notes = make_corpus(s.work)
    os.makedirs(s.data)
    database = os.path.join(s.data, "gleaner.db")
    garbage = garbage_bytes(64 * 1024)
    with open(database, "wb") as f:
        f.write(garbage)
    checks = 0
    s.launch()
    # The engine refuses the file; the window comes up by itself to say so.
    driver.wait("the rebuild banner", lambda: driver.js("return !document.getElementById('rebuild-banner').hidden"), 60)
    banner = driver.text("#rebuild-banner")
    assert "index cannot be used" in banner and "gleaner.db.corrupt-TIME" in banner, banner
    assert "not a usable Gleaner index" in banner and database in banner, banner
    assert driver.button("#rebuild-banner", "Rebuild index"), banner
    assert "index is damaged" in status_line(driver), status_line(driver)
    with open(database, "rb") as f:
        assert f.read() == garbage, "the file was changed before the user chose"
    checks += 1
    if shots:
        driver.screenshot(os.path.join(shots, "rebuild-banner.png"))

    driver.click_button("#rebuild-banner", "Rebuild index")
    result = driver.wait("the rebuild's result",
                         lambda: (driver.text("#rebuild-banner") or "") if "Index rebuilt" in (driver.text("#rebuild-banner") or "") else None, 60)
    kept = [name for name in os.listdir(s.data) if name.startswith("gleaner.db.corrupt-")]
    assert len(kept) == 1, kept
    with open(os.path.join(s.data, kept[0]), "rb") as f:
        assert f.read() == garbage, "the old file is kept as it was"
    assert os.path.join(s.data, kept[0]) in result and "add them again" in result, result
    checks += 1

    # The new index opens and the hosted engine works on it: a folder added
    # in the window is indexed and found.
    driver.wait("the new index's status", lambda: "No folders yet" in status_line(driver), 60)
    driver.click("#rebuild-close")
    driver.wait("the banner gone", lambda: driver.js("return document.getElementById('rebuild-banner').hidden"))
    driver.type("#source-path", notes)
    driver.click("#add-button")
    driver.wait("the folder indexed", lambda: (documents_up_to_date(driver) or 0) >= 5, 60)
    assert "borrow-checker.md" in s.gleaner("search", "borrow checker")
    checks += 1
    return checks


def drive_salvage(s, shots):
    """An index cut short (a full disk, a copy interrupted) whose sources can
    still be read: after the rebuild they come back and are indexed again."""
    driver = s.driver
    notes = make_corpus(s.work)
    # Enough files that the first third of the file holds the schema and the
    # sources but not the rest (as tests/corrupt.rs does).
    for i in range(1500):
        folder = os.path.join(notes, "filler", f"d{i % 10}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"f{i}.txt"), "w") as f:
            f.write(f"heron{i} " + "wading bird " * 40)
    s.gleaner("source", "add", notes, "--exclude", "drafts/")
    s.gleaner("index")
    database = os.path.join(s.data, "gleaner.db")
    with open(database, "r+b") as f:
        f.truncate(os.path.getsize(database) // 3)
    checks = 0
    s.launch()
    driver.wait("the rebuild banner", lambda: driver.js("return !document.getElementById('rebuild-banner').hidden"), 60)
    driver.click_button("#rebuild-banner", "Rebuild index")
    result = driver.wait("the rebuild's result",
                         lambda: (driver.text("#rebuild-banner") or "") if "Index rebuilt" in (driver.text("#rebuild-banner") or "") else None, 60)
    assert f"1 folder recovered and being indexed again: {os.path.realpath(notes)}." in result, result
    checks += 1
    # 1500 fillers and the corpus without drafts/, indexed again by the
    # engine's start-up scan, with the folder's rules.
    driver.wait("the folder indexed again", lambda: documents_up_to_date(driver) == 1505, 120)
    card = driver.text("#sources-list")
    assert "exclude drafts/" in card, card
    assert "heron1234" in s.gleaner("search", "heron1234")
    checks += 1
    return checks


SCENARIOS = {"settings": drive_settings, "rebuild": drive_rebuild, "salvage": drive_salvage}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--shots", help="save screenshots in this folder")
    parser.add_argument("--only", choices=sorted(SCENARIOS), action="append",
                        help="run only this scenario (repeatable); all by default")
    args = parser.parse_args()
    cli = os.environ.get("GLEANER_CLI") or os.path.join(os.path.dirname(os.path.abspath(args.binary)), "gleaner")
    checks = 0
    # The screenshots are of a desktop with a tray (a real xfce4-panel, as
    # in the smoke test); the tests run without one, which the window says.
    panel = start_tray_host() if args.shots else None
    try:
        return run_scenarios(args, cli, checks)
    finally:
        if panel:
            panel.terminate()
            panel.wait()


def start_tray_host():
    here = os.path.dirname(os.path.abspath(__file__))
    config = tempfile.mkdtemp(prefix="gleaner-drive-panel-")
    channel = os.path.join(config, "xfce4", "xfconf", "xfce-perchannel-xml")
    os.makedirs(channel)
    shutil.copy(os.path.join(here, "xfce4-panel.xml"), channel)
    # xfconfd is started by D-Bus activation, with the bus's environment.
    subprocess.run(["dbus-update-activation-environment", f"XDG_CONFIG_HOME={config}"], check=True)
    panel = subprocess.Popen(["xfce4-panel", "--disable-wm-check"], env=dict(os.environ, XDG_CONFIG_HOME=config),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while subprocess.run(["/usr/bin/python3", os.path.join(here, "sni.py"), "host-ready"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        if time.time() > deadline:
            raise RuntimeError("xfce4-panel registered no tray host")
        time.sleep(0.25)
    return panel


def run_scenarios(args, cli, checks):
    for name in args.only or list(SCENARIOS):
        session = Session(args.binary, cli, name)
        try:
            checks += SCENARIOS[name](session, args.shots)
        except Exception as error:
            print(f"drive: FAIL in {name} after {checks} passed: {error!r}", file=sys.stderr)
            traceback.print_exc()
            session.report_failure()
            return 1
        finally:
            session.close()
    print(f"drive: {checks} passed, 0 failed")
    return 0


def _up(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2):
            return True
    except Exception:
        return False


if __name__ == "__main__":
    sys.exit(main())
