"""Keys and overwritten rows: what an import needs so it can be rolled back.

An import hands out keys from the highest ever given (``last_keys``), not the highest still
present, so a key freed by a rollback is never reused and history never follows a record's
key to a stranger. Before an import writes over catalogue rows (products, centres,
approvals are upserted), it keeps each as it was in ``import_upserts``; a row it adds is
kept with ``before`` null. A result it corrects is kept there the same way.
"""

from __future__ import annotations

from centredesk.store.schema_changes import KEYED_TABLES
from centredesk.store.shared.changes import column_types
from centredesk.store.shared.connection import Connection
from centredesk.store.shared.dialect import Dialect

CATALOGUE_KEYS = {
    "products": "product_code",
    "centres": "centre_number",
    "approvals": "centre_number || '|' || product_code",
}
"""Catalogue tables an import upserts, and the text key ``import_upserts`` names a row by."""


def next_key_base(con: Connection, table: str) -> int:
    """The key before the first one the next insert into ``table`` may use."""
    key, start = KEYED_TABLES[table]
    found = con.execute(
        f"SELECT greatest(coalesce(max({key}), ?), "
        "coalesce((SELECT last_key FROM last_keys WHERE table_name = ?), ?)) FROM " + table,
        [start, table, start],
    ).fetchall()
    return int(found[0][0])


def remember_last_keys(con: Connection) -> None:
    """Record the highest key of every keyed table, never lowering what was recorded."""
    for table, (key, start) in KEYED_TABLES.items():
        con.execute(
            "INSERT INTO last_keys SELECT ?, coalesce(max(" + key + "), ?) FROM " + table + " "
            "ON CONFLICT (table_name) DO UPDATE SET "
            "last_key = greatest(last_keys.last_key, excluded.last_key)",
            [table, start],
        )


def row_json(con: Connection, dialect: Dialect, table: str, alias: str) -> str:
    """SQL for a whole row of ``table`` as a JSON object; amounts as text, so exact."""
    parts = []
    for name, kind in column_types(con, table).items():
        value = f"{alias}.{name}"
        if kind.upper().startswith(("DECIMAL", "NUMERIC")):
            value = f"CAST({value} AS VARCHAR)"
        parts.append(f"'{name}', {value}")
    return f"{dialect.json_object}({', '.join(parts)})"


def keep_overwritten(
    con: Connection, dialect: Dialect, import_id: int, table: str, incoming_keys: str
) -> None:
    """Keep the rows of ``table`` that the import is about to write, as they are now.

    ``incoming_keys`` is a query giving the text key of every row the import writes.
    """
    key = CATALOGUE_KEYS[table]
    found = _aliased(key, "t")  # null where the join found no row: the import adds it
    con.execute(
        f"INSERT INTO import_upserts SELECT ?, ?, k.key, "
        f"CASE WHEN {found} IS NULL THEN NULL ELSE {row_json(con, dialect, table, 't')} END "
        f"FROM ({incoming_keys}) AS k(key) LEFT JOIN {table} t ON {_aliased(key, 't')} = k.key "
        "ON CONFLICT DO NOTHING",
        [import_id, table],
    )


def restore_overwritten(con: Connection, dialect: Dialect, import_id: int) -> dict[str, int]:
    """Put back every catalogue row the import wrote (the earlier values of rows it
    overwrote, and no row where it added one) and every result it corrected. How many of
    each table were restored."""
    restored: dict[str, int] = {}

    def before(name: str) -> str:
        return dialect.json_field.format(json="u.before", name=name)

    for table, key in CATALOGUE_KEYS.items():
        types = column_types(con, table)
        sets = ", ".join(
            f"{name} = CAST({before(name)} AS {kind})"
            for name, kind in types.items()
            if name not in ("centre_number", "product_code")
        )
        matched = (
            f"u.import_id = ? AND u.table_name = '{table}' AND {_aliased(key, 't')} = u.record_key"
        )
        updated = 0
        if sets:
            updated = int(
                con.execute(
                    f"UPDATE {table} t SET {sets} FROM import_upserts u "
                    f"WHERE {matched} AND u.before IS NOT NULL",
                    [import_id],
                ).fetchall()[0][0]
            )
        deleted = int(
            con.execute(
                f"DELETE FROM {table} t WHERE {_aliased(key, 't')} IN (SELECT record_key FROM "
                "import_upserts WHERE import_id = ? AND table_name = ? AND before IS NULL)",
                [import_id, table],
            ).fetchall()[0][0]
        )
        restored[table] = updated + deleted
    # Results the import corrected (it adds no result here: those go with its own rows).
    restored["results"] = int(
        con.execute(
            f"""
            UPDATE results t
            SET grade = {before("grade")},
                result_date = CAST({before("result_date")} AS DATE),
                release_date = CAST({before("release_date")} AS DATE)
            FROM import_upserts u
            WHERE u.import_id = ? AND u.table_name = 'results'
              AND u.record_key = CAST(t.result_id AS VARCHAR)
            """,
            [import_id],
        ).fetchall()[0][0]
    )
    return restored


def _aliased(key: str, alias: str) -> str:
    """A key expression over table ``alias``: ``t.centre_number || '|' || t.product_code``."""
    return " || '|' || ".join(f"{alias}.{part}" for part in key.split(" || '|' || "))
