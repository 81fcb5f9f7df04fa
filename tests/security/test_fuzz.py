"""The seeded corpus of tests/support/fuzz_corpus.py against the three endpoints: no answer of 500 or
more, no traceback in the log, and no row written by a request that is not signed.

All 10,000 cases run on SQLite (about 30 s). On PostgreSQL every fourth case runs (2,500, spread over
the whole corpus): the endpoints and the gates in front of them are the same code on both, and what
differs (the driver refusing NUL, values longer than a column, integers out of BIGINT range) is
reached by the signed cases of any such slice, while the whole corpus would spend another 40 s of
a shared two-core machine on the same paths.
"""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from tests.security.conftest import row_counts
from tests.security.test_named_faults import figure_token, tracebacks
from tests.support.fuzz_corpus import SIZE, FuzzCase, case, corpus, materialise

POSTGRES_EVERY = 4


def send_all(url: str, cases: list[FuzzCase], token: str) -> list[tuple[int, int | str]]:
    """(case number, status) for every case whose answer was 500 or more, or none at all."""
    bad: list[tuple[int, int | str]] = []
    with httpx.Client(timeout=30) as http:
        for fuzz in cases:
            probe = materialise(fuzz, int(time.time()), token)
            headers = [(k.encode(), v.encode()) for k, v in probe.headers.items()]
            try:
                status: int | str = http.post(url + probe.path, content=probe.body, headers=headers).status_code
            except httpx.HTTPError as err:
                status = type(err).__name__
            if not isinstance(status, int) or status >= 500:
                bad.append((fuzz.n, status))
    return bad


def test_the_corpus_is_the_same_wherever_it_is_made() -> None:
    url = "http://127.0.0.1:1/response/fuzz"
    whole = corpus(url, 300)
    assert [case(n, url) for n in (0, 17, 299)] == [whole[0], whole[17], whole[299]]
    assert corpus(url, 50, start=100) == whole[100:150]
    assert len({c.kind for c in whole}) == 8 and 0.4 < sum(c.signed for c in whole) / len(whole) < 0.7


def test_no_fuzzed_request_gets_a_5xx_a_traceback_or_a_row_unless_signed(server, engine, fake_slack, caplog) -> None:
    caplog.set_level(logging.WARNING)
    cases = corpus(fake_slack.base + "/response/fuzz", SIZE)
    if engine.dialect.name != "sqlite":
        cases = cases[::POSTGRES_EVERY]
    token = figure_token(server.url, fake_slack.base + "/response/probe")
    unsigned = [c for c in cases if not c.signed]
    before = row_counts(engine)
    bad = send_all(server.url, unsigned, token)
    assert row_counts(engine) == before, "an unsigned request wrote a row"
    bad += send_all(server.url, [c for c in cases if c.signed], token)
    assert server.runtime.background.wait_idle(timeout=60)
    assert bad == [], f"reproduce with tests.support.fuzz_corpus.case(n, url): {bad[:20]}"
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("n", [0, 1, 2])
def test_a_case_is_reproduced_by_its_number(n: int) -> None:
    url = "http://127.0.0.1:1/response/fuzz"
    assert case(n, url) == case(n, url)
    assert materialise(case(n, url), 1_800_000_000).body == case(n, url).body
