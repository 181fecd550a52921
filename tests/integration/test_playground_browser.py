"""The playground in a real headless Chromium (Debian's) with the network off: the page loads only the service's
own pinned assets under its CSP, the consent walk-through's first query runs with bob's key in the Headers tab,
and its result shows on the page. The screenshot is kept in bench/results/playground_offline.png."""

from __future__ import annotations

import re
import shutil
import time

import httpx
import pytest

from tests.conftest import REPO, GraphQLClient

pytestmark = pytest.mark.integration

SCREENSHOT = REPO / "bench" / "results" / "playground_offline.png"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
# The flags the machine notes give for a closed network, plus: every host name but loopback fails to resolve,
# and anything that would leave the machine goes to a dead proxy. Loopback bypasses proxies in Chromium.
OFFLINE_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=http://127.0.0.1:9",
                 "--window-size=1400,900"]


def walkthrough_first_query() -> str:
    """The first GraphQL block of README's "Walk-through: consent in the playground"."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### Walk-through: consent in the playground"):]
    return re.search(r"```graphql\n(.*?)```", section, re.S).group(1)


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail("Debian's chromium and chromium-driver are needed: `make chromium` "
                    "(apt-get install -y chromium chromium-driver).")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in OFFLINE_FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(condition, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_playground_page_is_self_contained(api_url: str) -> None:
    page = httpx.get(api_url + "/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "http" not in csp
    assert "unpkg" not in page.text and "https://" not in page.text
    for asset in re.findall(r'(?:src|href)="(/playground/[^"]+)"', page.text):
        assert httpx.get(api_url + asset).status_code == 200, asset


def test_playground_runs_the_walkthrough_query_offline(api_url: str, gql: dict[str, GraphQLClient], browser) -> None:
    gql["bob"].execute('mutation { recordMemory(input: {kind: DECISION, context: "auth API request timed out while '
                       'fetching a token", action: "retry-with-jittered-backoff", outcome: SUCCESS}) { id } }')
    query = walkthrough_first_query()
    browser.get(api_url + "/graphql")
    wait_for(lambda: browser.execute_script(
        "return document.querySelector('.graphiql-execute-button') !== null"), what="GraphiQL to render")
    browser.execute_script("document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue("
                           "arguments[0])", query)
    headers_tab = wait_for(lambda: [b for b in browser.find_elements("css selector", ".graphiql-editor-tools button")
                                    if b.text.strip() == "Headers"], what="the Headers tab")[0]
    headers_tab.click()
    browser.execute_script(
        "const eds = document.querySelectorAll('.graphiql-editor-tool .CodeMirror');"
        "eds[eds.length - 1].CodeMirror.setValue(arguments[0])", f'{{"Authorization": "Bearer {gql["bob"].key}"}}')
    browser.find_element("css selector", ".graphiql-execute-button").click()
    response = wait_for(lambda: browser.execute_script(
        "const r = document.querySelector('.graphiql-response .CodeMirror');"
        "return r && r.CodeMirror.getValue().includes('recommended') ? r.CodeMirror.getValue() : null"),
        what="the query's result on the page")
    assert '"recommended": "retry-with-jittered-backoff"' in response, response
    assert '"errors"' not in response, response
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT))

    logs = browser.get_log("browser")
    blocked = [e["message"] for e in logs if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]
    assert not blocked, blocked  # the page needs nothing its CSP forbids
    failed = [e["message"] for e in logs if "net::ERR" in e["message"]]
    assert not failed, failed  # and nothing from elsewhere: every request it made was answered by the service
