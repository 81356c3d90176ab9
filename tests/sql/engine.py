"""Runs authsift's generated SQL on a real engine, for tests/sql.rs.

    engine.py duckdb DDL.sql QUERIES.sql
    engine.py trino  DDL.sql QUERIES.sql   (DDL for DuckDB, queries for Trino)
    engine.py spark  DDL.py  QUERIES.sql
    engine.py athena-ddl DDL.sql            (parses it with sqlglot's Athena grammar)

QUERIES.sql is `authsift rules to-sql` output: statements headed by
`-- query: NAME`. Prints one JSON object: query name -> list of rows (each a
dict of column -> value). `trino` first parses every query with sqlglot's
Trino grammar (a parse error fails), then runs the DuckDB transpilation on
DuckDB, over a view that adds Trino's hidden `$path` column.
"""

import json
import re
import sys


def queries(text):
    """The statements of to-sql output, by the name in their header."""
    parts = re.split(r"^-- query: (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1].strip().rstrip(";") for i in range(1, len(parts), 2)}


def rows(cursor_description, fetched):
    names = [d[0] for d in cursor_description]
    return [dict(zip(names, r)) for r in fetched]


def run_duckdb(ddl, named, transpile=None):
    import duckdb

    con = duckdb.connect()
    con.execute(ddl)
    con.execute('CREATE OR REPLACE VIEW cloudtrail_trino AS SELECT *, input_file AS "$path" FROM cloudtrail')
    out = {}
    for name, sql in named.items():
        if transpile:
            sql = transpile(sql)
        cur = con.execute(sql)
        out[name] = rows(cur.description, cur.fetchall())
    return out


def trino_to_duckdb(sql):
    import sqlglot

    # A parse error raises: the query is not Trino SQL.
    sqlglot.parse_one(sql, read="trino")
    return sqlglot.transpile(sql, read="trino", write="duckdb")[0]


def run_spark(ddl, named):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("authsift-sql-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    exec(ddl, {"spark": spark})
    out = {}
    for name, sql in named.items():
        df = spark.sql(sql)
        out[name] = [r.asDict() for r in df.collect()]
    spark.stop()
    return out


def parse_athena_ddl(path):
    """Prints the table's name and column names as sqlglot reads them."""
    import sqlglot

    create = sqlglot.parse_one(open(path, encoding="utf-8").read(), read="athena")
    assert isinstance(create, sqlglot.exp.Create), type(create)
    schema = create.this
    columns = [c.name for c in schema.expressions]
    json.dump({"table": schema.this.name, "columns": columns}, sys.stdout)


def main():
    if sys.argv[1] == "athena-ddl":
        return parse_athena_ddl(sys.argv[2])
    engine, ddl_path, queries_path = sys.argv[1:4]
    ddl = open(ddl_path, encoding="utf-8").read()
    named = queries(open(queries_path, encoding="utf-8").read())
    if engine == "duckdb":
        out = run_duckdb(ddl, named)
    elif engine == "trino":
        out = run_duckdb(ddl, named, transpile=trino_to_duckdb)
    elif engine == "spark":
        out = run_spark(ddl, named)
    else:
        sys.exit(f"unknown engine {engine}")
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
