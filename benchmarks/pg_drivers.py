"""``python -m benchmarks.pg_drivers URL [--rows N]``: the PostgreSQL drivers compared.

How a whole table goes to and from a PostgreSQL server as Arrow, the way the store needs it
for bulk loading and for validation's reference frames: ADBC's PostgreSQL driver (binary
COPY done in C, Arrow in and out) against psycopg 3's binary COPY, which hands over one
Python tuple per row, and psycopg's text COPY (CSV) parsed by polars. The measurements chose
ADBC for the PostgreSQL backend. The URL's database gets a scratch table, dropped after.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from datetime import date

import adbc_driver_postgresql.dbapi as adbc
import polars as pl
import psycopg

TABLE = "centredesk_driver_benchmark"
TYPES = ["int8", "text", "text", "text", "date", "text", "text", "text", "text", "int8"]


def learners(rows: int) -> pl.DataFrame:
    """A learners-shaped frame of ``rows`` rows."""
    n = pl.col("n")
    return pl.DataFrame({"n": pl.int_range(0, rows, eager=True)}).select(
        (n + 20_000_000).alias("learner_number"),
        pl.format("1000{}", n % 50).alias("centre_number"),
        pl.format("Forename{}", n % 5000).alias("forename"),
        pl.format("Surname{}", n % 20000).alias("surname"),
        (pl.lit(date(1990, 1, 1)) + pl.duration(days=n % 7000)).alias("date_of_birth"),
        pl.when(n % 7 == 0).then(None).otherwise((n + 1_000_000_000).cast(pl.String)).alias("uln"),
        pl.format("R{}", n).alias("learner_reference"),
        pl.lit(None, pl.String).alias("reasonable_adjustments"),
        pl.format("pk{}", n).alias("person_key"),
        pl.lit(1, pl.Int64).alias("import_id"),
    )


def _timed(label: str, work: Callable[[], object]) -> None:
    start = time.perf_counter()
    work()
    print(f"{label:<46} {time.perf_counter() - start:7.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pg_drivers")
    parser.add_argument("url", help="a PostgreSQL database the benchmark may use")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    frame = learners(args.rows)
    columns = ", ".join(f"{name} {kind}" for name, kind in zip(frame.columns, TYPES, strict=True))
    with psycopg.connect(args.url, autocommit=True) as con:
        con.execute(f"DROP TABLE IF EXISTS {TABLE}")
        con.execute(f"CREATE TABLE {TABLE} ({columns})")
    try:
        print(f"{args.rows:,} rows, 10 columns")
        _adbc(args.url, frame)
        _psycopg(args.url, frame)
    finally:
        with psycopg.connect(args.url, autocommit=True) as con:
            con.execute(f"DROP TABLE IF EXISTS {TABLE}")
    return 0


def _adbc(url: str, frame: pl.DataFrame) -> None:
    with adbc.connect(url, autocommit=True) as con, con.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")
        _timed("write: ADBC ingest (binary COPY from Arrow)", lambda: cursor.adbc_ingest(
            TABLE, frame.to_arrow(), mode="append"))  # fmt: skip

        def read() -> object:
            cursor.execute(f"SELECT * FROM {TABLE}")
            return pl.from_arrow(cursor.fetch_arrow_table())

        _timed("read:  ADBC (binary COPY to Arrow)", read)


def _psycopg(url: str, frame: pl.DataFrame) -> None:
    with psycopg.connect(url, autocommit=True) as con, con.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")

        def write_rows() -> None:
            with cursor.copy(f"COPY {TABLE} FROM STDIN (FORMAT binary)") as copy:
                copy.set_types(TYPES)
                for row in frame.iter_rows():
                    copy.write_row(row)

        _timed("write: psycopg binary COPY, a row at a time", write_rows)

        def read_rows() -> object:
            with cursor.copy(f"COPY {TABLE} TO STDOUT (FORMAT binary)") as copy:
                copy.set_types(TYPES)
                rows = list(copy.rows())
            return pl.DataFrame(rows, schema=frame.columns, orient="row")

        _timed("read:  psycopg binary COPY, a tuple per row", read_rows)
        cursor.execute(f"TRUNCATE {TABLE}")

        def write_csv() -> None:
            text = frame.write_csv(include_header=False)
            with cursor.copy(f"COPY {TABLE} FROM STDIN (FORMAT csv)") as copy:
                copy.write(text)

        _timed("write: psycopg text COPY of polars' CSV", write_csv)

        def read_csv() -> object:
            buffer = io.BytesIO()
            with cursor.copy(f"COPY {TABLE} TO STDOUT (FORMAT csv, HEADER)") as copy:
                for data in copy:
                    buffer.write(data)
            return pl.read_csv(buffer.getvalue(), infer_schema=False)

        _timed("read:  psycopg text COPY, polars' CSV reader", read_csv)


if __name__ == "__main__":
    raise SystemExit(main())
