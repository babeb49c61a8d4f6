"""What both backends run alike: the store's operations written once, as SQL both speak.

The DuckDB and PostgreSQL backends answer the same connection-shaped calls
(``con.execute(sql, params).fetchall()``, ``con.sql(sql, params=…).to_arrow_table()``,
``con.register(name, frame)``; see :mod:`.connection`), so an operation whose logic and SQL
are the same on both lives here once and takes the backend's session or connection. Where
the SQL differs only in a word or two (a JSON function, a row lock), the backend hands in its
:class:`~centredesk.store.shared.dialect.Dialect`. What really differs (types, bulk loading,
streaming, locking a file) stays in the backend's own package.

Nothing here may import either backend or its driver: the backends import this.
"""
