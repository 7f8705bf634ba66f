"""Developer helper: ``python -m db revision -m "what changed"`` autogenerates a migration by
comparing the models with a scratch database upgraded to the current head."""

import argparse
import tempfile
from pathlib import Path

from alembic import command

from db.engine import alembic_config, make_engine, upgrade_to_head


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m db")
    sub = parser.add_subparsers(dest="command", required=True)
    rev = sub.add_parser("revision", help="autogenerate a migration from the models")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--rev-id", help="revision id (default: next number)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        versions = Path(__file__).parent / "migrations" / "versions"
        existing = sorted(p.name for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py"))
        if existing:
            upgrade_to_head(engine)
        rev_id = args.rev_id or f"{len(existing) + 1:04d}"
        with engine.connect() as conn:
            command.revision(
                alembic_config(conn), message=args.message, autogenerate=True, rev_id=rev_id
            )
        engine.dispose()


if __name__ == "__main__":
    main()
