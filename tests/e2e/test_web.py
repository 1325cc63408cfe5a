"""The web front end, end to end, in headless Chromium (Debian's package, driven by Playwright).

The server is the `kg serve` app (uvicorn, 127.0.0.1, a free port, in a thread) over the
real-data store when ../shared/data is present (the session's ``real_store``), else the
mini mirror's store; ``IMPC_KG_WEB_STORE`` names an already built real-data store root
instead (quick runs by hand), or ``mini`` to force the mini store. Screenshots go to test-artifacts/web/.

Skipped with the reason when /usr/bin/chromium or playwright is missing, except with
CI=true, where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, shared_data_dir

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "web"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run; see .ci/browser-setup.sh)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def web_store(request) -> tuple[Path, bool]:
    """(store root, is real data)."""
    env = os.environ.get("IMPC_KG_WEB_STORE")
    if env == "mini":
        return request.getfixturevalue("mini_store"), False
    if env:
        return Path(env), True
    if shared_data_dir() is not None:
        return request.getfixturevalue("real_store"), True
    return request.getfixturevalue("mini_store"), False


@pytest.fixture(scope="module")
def server(web_store):
    import uvicorn

    from api.app import create_app
    root, _ = web_store
    app = create_app(root, {"sparql_isolation": "thread"})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        pytest.fail("the server did not start within 120 s")
    yield base
    srv.should_exit = True
    t.join(10)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _missing("/usr/bin/chromium is not installed (apt-get install chromium; .ci/browser-setup.sh)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is not installed (pip install -e '.[dev]')")
    profile = tempfile.mkdtemp(prefix="impc-kg-chromium-")
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        yield ctx
        ctx.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def page(browser, server):
    pg = browser.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.set_default_timeout(60_000)
    yield pg
    pg.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shot(pg, name: str) -> None:
    text = pg.inner_text("#main")
    assert "undefined" not in text and "NaN" not in text and "\nnull\n" not in f"\n{text}\n", text[:500]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


REAL = {"type": "marfan", "disease": "OMIM:154700", "gene": "MGI:95490", "term": "MP:0000266",
        "term_label": "abnormal heart morphology", "hpo": "HP:0001166, HP:0001519 HP:0000545 HP:0001083",
        "hpo_one": "HP:0001166", "hpo_excluded": "HP:0000098", "sparql_gene": "MGI:1860086", "ranked": True}
MINI = {"type": "disease b", "disease": "OMIM:100002", "gene": "MGI:101", "term": "MP:0005378",
        "term_label": None, "hpo": "HP:0001522 HP:0000077", "hpo_one": "HP:0001522",
        "hpo_excluded": "HP:0000077", "sparql_gene": "MGI:101",
        "ranked": False}  # the mini mirror's diseases have no cross-species match: empty rankings


@pytest.fixture(scope="module")
def case(web_store) -> dict:
    return REAL if web_store[1] else MINI


def test_search_disease_models_and_grid(page, server, case):
    disease = case["disease"]
    page.goto(server + "/")
    page.fill("#q", case["type"])
    option = page.locator(f"#suggestions li[data-id='{disease}']")
    option.wait_for()
    shot(page, "01-autocomplete")
    option.click()
    page.wait_for_function("d => location.hash.startsWith('#/disease/' + d)", arg=disease)
    page.locator("table.models").wait_for()
    if not case["ranked"]:
        shot(page, "02-disease-models")
        return
    rows = page.locator("table.models tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 1
    assert page.locator("table.models .badge").count() == rows.count()
    ranks = [int(x) for x in page.locator("table.models tbody tr td:first-child").all_inner_texts()]
    assert ranks == sorted(ranks) and ranks[0] == 1
    shot(page, "02-disease-models")
    page.locator("button.grid-btn").first.click()
    cells = page.locator("#phenogrid td.hit")
    cells.first.wait_for()
    assert cells.count() >= 1
    tipped = cells.first.get_attribute("data-tip")
    assert "MICA:" in tipped and "IC:" in tipped
    cells.first.hover()
    assert page.locator("#tip").is_visible() and "MICA" in page.locator("#tip").inner_text()
    shot(page, "03-phenogrid")


def test_gene_and_term_pages(page, server, case):
    page.goto(server + f"/ui/#/gene/{case['gene']}")
    page.locator("details.system").first.wait_for()
    page.locator("details.system summary").first.click()
    assert page.locator("details.system table tbody tr").count() >= 1
    if case["ranked"]:
        page.locator("table.gene-diseases tbody tr").first.wait_for()
    shot(page, "04-gene")
    page.goto(server + f"/ui/#/term/{case['term']}")
    page.locator("h1", has_text=case["term_label"] or "").wait_for()
    page.locator("text=Parents").wait_for()
    shot(page, "05-term")


def test_named_sparql_query(page, server, case):
    page.goto(server + "/ui/#/sparql")
    sel = page.locator("#examples")
    page.wait_for_function("document.querySelectorAll('#examples option').length > 1")
    value = sel.locator("option[value^='gene_phenotype_calls#']").first.get_attribute("value")
    sel.select_option(value)
    query = page.input_value("#sparql-editor")
    assert "VALUES ?gene" in query
    page.fill("#sparql-editor", query.replace("MGI:1860086", case["sparql_gene"]))
    page.click("#sparql-run")
    page.locator("#sparql-results tbody tr").first.wait_for()
    assert "rows in" in page.inner_text("#sparql-status")
    href = page.get_attribute("#sparql-csv", "href")
    r = httpx.get(server + href, timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0].startswith("gene,call")
    shot(page, "06-sparql")


def test_match_patient_profile(page, server, case, tmp_path):
    page.goto(server + "/ui/#/match")
    page.fill("#hpo-ids", case["hpo"])
    page.click("#match-run")
    page.locator("#match-out", has_text="models scored").wait_for()
    if not case["ranked"]:
        shot(page, "07-match")
        return
    rows = page.locator("table.matches tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 1
    shot(page, "07-match")
    packet = tmp_path / "patient.json"
    packet.write_text(json.dumps({"id": "p1", "phenotypicFeatures": [
        {"type": {"id": case["hpo_one"]}}, {"type": {"id": case["hpo_excluded"]}, "excluded": True}]}))
    page.set_input_files("#phenopacket", str(packet))
    page.locator("#match-out", has_text=f"excluded: {case['hpo_excluded']}").wait_for()
    assert page.locator("table.matches tbody tr").count() >= 1
