"""How long the people's side takes on the store: a password sign-in (Argon2id), a session
check (every rerun of a signed-in page), an editor's proposal, a reviewer's approval, and
the queue with many proposals waiting — medians, on a SQLite file holding the demo.

    .venv/bin/python benchmarks/bench_accounts.py [--runs 20] [--pending 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.model import ORG_ID, SERVICE_ID  # noqa: E402
from analysis.store import accounts, claims, proposals  # noqa: E402
from analysis.store.access import command_line  # noqa: E402
from analysis.store.config import sqlite_url  # noqa: E402
from analysis.store.editing import open_service  # noqa: E402
from analysis.store.opening import open_store  # noqa: E402
from analysis.store.reads import load_directory_from_store  # noqa: E402

KEEPER = command_line("benchmark")
PASSWORD = "a long enough passphrase"
ORG = "ember-together"
SERVICE = "ember-together--benefits-help"


def median_ms(action: Callable[[], object], runs: int) -> float:
    """The median time of ``runs`` calls of ``action``, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pending", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(sqlite_url(Path(folder) / "bench.sqlite3"))
        link = accounts.invite(store, KEEPER, "editor@example.org", base_url="http://x")
        token = parse_qs(urlsplit(link.url).query)["invitation"][0]
        session = accounts.accept_link(store, token, password=PASSWORD)
        reviewer = accounts.invite(
            store, KEEPER, "rev@example.org", base_url="http://x", role="reviewer"
        ).account.actor
        claims.grant_editor(store, KEEPER, session.account.id, ORG)
        editor = session.account.actor

        def propose(capacity: float = 50.0) -> int:
            stored = open_service(store, SERVICE)
            return proposals.submit(
                store,
                editor,
                organisation_id=ORG,
                service_id=SERVICE,
                service_record={**stored.record, "capacity": capacity},
                service_version=stored.version,
            ).proposal_id

        def propose_and_approve() -> None:
            proposals.decide(
                store, reviewer, propose(float(time.perf_counter_ns() % 97)), approve=True
            )

        figures = {
            "sign in with a password (Argon2id verify)": median_ms(
                lambda: accounts.sign_in(store, "editor@example.org", PASSWORD), args.runs
            ),
            "session check (each rerun of a signed-in page)": median_ms(
                lambda: accounts.session_account(store, session.token), args.runs
            ),
            "an editor's proposal (authorised, held)": median_ms(propose, args.runs),
            "a proposal approved and published": median_ms(propose_and_approve, args.runs),
        }
        services = load_directory_from_store(store).services.head(args.pending)
        for organisation_id in set(services[ORG_ID]):
            claims.grant_editor(store, KEEPER, session.account.id, organisation_id)
        for service_id, organisation_id in zip(services[SERVICE_ID], services[ORG_ID], strict=True):
            stored = open_service(store, service_id)
            proposals.submit(
                store,
                editor,
                organisation_id=organisation_id,
                service_id=service_id,
                service_record={**stored.record, "audience": "everyone, checked"},
                service_version=stored.version,
            )
        figures[f"the queue read ({len(proposals.queue(store, reviewer))} pending)"] = median_ms(
            lambda: proposals.queue(store, reviewer), args.runs
        )
        store.dispose()
    for what, ms in figures.items():
        print(f"{what}: median {ms:.1f} ms over {args.runs} runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
