"""The full-text index's schema, kept in step with the tables by the database itself.

Why triggers rather than writes from the services: the index must follow every
write, and not all of them go through the services. The admin edits article
metadata, the demo loader and the benchmark write in bulk, services use
``bulk_create``/``bulk_update`` and ``QuerySet.update`` (which send no
signals), and other parts of the desk will write to these tables later. A
trigger sees them all, in the same transaction as the write.

**PostgreSQL.** Hidden ``tsvector`` columns, unknown to Django's models, on the
tables themselves: ``claims_article.search_vector`` (title, outlet, byline,
body), ``claims_claim.search_vector`` (claim, quote, claimant, ruling, the
titles and publishers of its sources) and ``claims_claim.public_vector``
(the same fields of the *published version* readers see, and NULL when there
is none or the fact-check was withdrawn). Each has a GIN index. They are
computed in the text's own language: ``french_unaccent``, ``english_unaccent``
or ``simple_unaccent``, copies of PostgreSQL's configurations with the
``unaccent`` dictionary in front, so that "evalue" finds "évalué". Columns on
the tables, rather than a table of their own, go wherever the rows go: a
TRUNCATE (Django's flush) or a deleted claim takes them along, and nothing
can point at a row that is gone.

**SQLite** (the embedded default). Three FTS5 tables with the
``unicode61 remove_diacritics 2`` tokenizer (accents and case do not
matter), holding their own copy of the text so that ``snippet()`` and
``highlight()`` can mark it: articles and claims (rowid = their id), and
every published version (rowid = the version's id; the search joins it to
the claims whose current version it is, not withdrawn). Triggers on
articles, claims, sources and versions rewrite the rows concerned.

SQLite's ALTER TABLE cannot do everything, so Django's migrations rebuild a
table (copy, drop, rename) for many changes, and dropping a table drops its
triggers. ``ensure(connection)`` therefore runs after every ``migrate``
(``post_migrate``, see apps.py) as well as in the migration that creates the
index: when a trigger is missing it recreates the triggers and rebuilds the
index from the tables. It costs one query when everything is in place.

The private-use characters ``START``/``STOP`` mark matches in highlights
(``claims.search.marked``), so they are removed from the text that is
indexed and highlighted.
"""

from __future__ import annotations

START = "\ue000"
STOP = "\ue001"

# -- PostgreSQL ----------------------------------------------------------------

PG_CONFIGS = {"french": "french_stem", "english": "english_stem", "simple": "simple"}

_PG_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION factcheck_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE lower(split_part(coalesce(language, ''), '-', 1))
    WHEN 'fr' THEN 'french_unaccent'::regconfig
    WHEN 'en' THEN 'english_unaccent'::regconfig
    ELSE 'simple_unaccent'::regconfig END
$$;

CREATE OR REPLACE FUNCTION factcheck_search_clean(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT translate(coalesce(value, ''), U&'\E000\E001', '')
$$;

CREATE OR REPLACE FUNCTION factcheck_article_vector(
  language text, title text, outlet text, byline text, body text
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector(factcheck_search_config(language), coalesce(title, '')), 'A')
      || setweight(to_tsvector(factcheck_search_config(language),
                               coalesce(outlet, '') || ' ' || coalesce(byline, '')), 'B')
      || setweight(to_tsvector(factcheck_search_config(language), coalesce(body, '')), 'D')
$$;

CREATE OR REPLACE FUNCTION factcheck_claim_vector(
  cfg regconfig, statement text, exact text, claimant text, ruling text, sources text
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector(cfg, coalesce(statement, '')), 'A')
      || setweight(to_tsvector(cfg, coalesce(exact, '') || ' ' || coalesce(claimant, '')), 'B')
      || setweight(to_tsvector(cfg, coalesce(ruling, '')), 'C')
      || setweight(to_tsvector(cfg, coalesce(sources, '')), 'D')
$$;

-- The titles and publishers of a claim's sources (the desk's working copy).
CREATE OR REPLACE FUNCTION factcheck_claim_sources_text(claim bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(title || ' ' || publisher, ' ' ORDER BY "order", id), '')
  FROM claims_source WHERE claim_id = claim
$$;

-- The titles and publishers of a published version's sources (frozen JSON).
CREATE OR REPLACE FUNCTION factcheck_version_sources_text(sources jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(coalesce(s ->> 'title', '') || ' ' || coalesce(s ->> 'publisher', ''),
                             ' '), '')
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(sources) = 'array'
                                 THEN sources ELSE '[]'::jsonb END) AS s
  WHERE jsonb_typeof(s) = 'object'
$$;

-- The comparisons are in the body, not in a WHEN clause: a trigger's WHEN makes
-- PostgreSQL refuse to change those columns' types (a later max_length, say).
CREATE OR REPLACE FUNCTION factcheck_article_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.title IS NOT DISTINCT FROM NEW.title
     AND OLD.outlet IS NOT DISTINCT FROM NEW.outlet
     AND OLD.byline IS NOT DISTINCT FROM NEW.byline
     AND OLD.body IS NOT DISTINCT FROM NEW.body
     AND OLD.language IS NOT DISTINCT FROM NEW.language
     AND NEW.search_vector IS NOT NULL THEN
    RETURN NEW;
  END IF;
  NEW.search_vector := factcheck_article_vector(
    NEW.language, NEW.title, NEW.outlet, NEW.byline, NEW.body);
  RETURN NEW;
END $$;

-- A claim's language is its article's: recompute its claims when it changes.
CREATE OR REPLACE FUNCTION factcheck_article_language() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.language IS DISTINCT FROM NEW.language THEN
    UPDATE claims_claim SET search_vector = NULL WHERE article_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION factcheck_claim_search() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cfg regconfig;
BEGIN
  SELECT factcheck_search_config(a.language) INTO cfg FROM claims_article a
   WHERE a.id = NEW.article_id;
  cfg := coalesce(cfg, 'simple_unaccent'::regconfig);
  NEW.search_vector := factcheck_claim_vector(
    cfg, NEW.statement, NEW.exact, NEW.claimant, NEW.ruling,
    factcheck_claim_sources_text(NEW.id));
  NEW.public_vector := NULL;
  -- What readers see: the published version, unless withdrawn (as the public site does).
  IF NEW.current_version_id IS NOT NULL AND NEW.slug IS NOT NULL
     AND NEW.status <> 'withdrawn' THEN
    SELECT factcheck_claim_vector(cfg, v.statement, v.exact, v.claimant, v.ruling,
                                  factcheck_version_sources_text(v.sources))
      INTO NEW.public_vector
      FROM claims_claimversion v WHERE v.id = NEW.current_version_id;
  END IF;
  RETURN NEW;
END $$;

-- Sources changed: their claims' rows are rewritten once per statement.
CREATE OR REPLACE FUNCTION factcheck_sources_new() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE claims_claim SET search_vector = NULL
   WHERE id IN (SELECT DISTINCT claim_id FROM changed_sources);
  RETURN NULL;
END $$;
"""

# (name, table, timing, function): the triggers ``ensure`` expects.
_PG_TRIGGERS = {
    "factcheck_article_search": (
        "BEFORE INSERT OR UPDATE ON claims_article FOR EACH ROW",
        "factcheck_article_search",
    ),
    "factcheck_article_language": (
        "AFTER UPDATE ON claims_article FOR EACH ROW",
        "factcheck_article_language",
    ),
    "factcheck_claim_search": (
        "BEFORE INSERT OR UPDATE ON claims_claim FOR EACH ROW",
        "factcheck_claim_search",
    ),
    "factcheck_sources_inserted": (
        "AFTER INSERT ON claims_source REFERENCING NEW TABLE AS changed_sources FOR EACH STATEMENT",
        "factcheck_sources_new",
    ),
    "factcheck_sources_updated": (
        "AFTER UPDATE ON claims_source REFERENCING NEW TABLE AS changed_sources FOR EACH STATEMENT",
        "factcheck_sources_new",
    ),
    "factcheck_sources_deleted": (
        "AFTER DELETE ON claims_source REFERENCING OLD TABLE AS changed_sources FOR EACH STATEMENT",
        "factcheck_sources_new",
    ),
}

_PG_COLUMNS = [
    ("claims_article", "search_vector"),
    ("claims_claim", "search_vector"),
    ("claims_claim", "public_vector"),
]


def _pg_create(cursor) -> None:
    cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    for name, stem in PG_CONFIGS.items():
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [f"{name}_unaccent"])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name}_unaccent (COPY = {name})")
        # Accented words (token types word, hword…) go through unaccent first;
        # words in plain ASCII letters (asciiword) have no accent to remove.
        cursor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name}_unaccent "
            f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stem}"
        )
    for table, column in _PG_COLUMNS:
        cursor.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} tsvector")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_gin ON {table} USING gin ({column})"
        )
    cursor.execute(_PG_FUNCTIONS)
    for name, (timing, function) in _PG_TRIGGERS.items():
        table = timing.split(" ON ")[1].split()[0]
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        cursor.execute(f"CREATE TRIGGER {name} {timing} EXECUTE FUNCTION {function}()")
    # Fill the columns for rows already there (the triggers see new writes only).
    cursor.execute("UPDATE claims_article SET search_vector = NULL")
    cursor.execute("UPDATE claims_claim SET search_vector = NULL")


def _pg_drop(cursor) -> None:
    for name, (timing, _function) in _PG_TRIGGERS.items():
        table = timing.split(" ON ")[1].split()[0]
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for table, column in _PG_COLUMNS:
        cursor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}")
    for function in (
        "factcheck_sources_new()",
        "factcheck_claim_search()",
        "factcheck_article_language()",
        "factcheck_article_search()",
        "factcheck_version_sources_text(jsonb)",
        "factcheck_claim_sources_text(bigint)",
        "factcheck_claim_vector(regconfig, text, text, text, text, text)",
        "factcheck_article_vector(text, text, text, text, text)",
        "factcheck_search_clean(text)",
        "factcheck_search_config(text)",
    ):
        cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
    for name in PG_CONFIGS:
        cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}_unaccent")


def _pg_complete(cursor) -> bool:
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
        [list(_PG_TRIGGERS)],
    )
    return cursor.fetchone()[0] == len(_PG_TRIGGERS)


# -- SQLite --------------------------------------------------------------------
#
# Each trigger reads only its own row (NEW/OLD), its own table and the FTS
# tables. A trigger on one table naming another would break Django's rebuild
# of that other table: SQLite checks every trigger when the rebuilt table is
# renamed into place, while the old one is already gone.

TOKENIZER = "unicode61 remove_diacritics 2"
ARTICLE_FTS = "claims_article_fts"
CLAIM_FTS = "claims_claim_fts"
# Every published version (they never change), rowid = the version's id; the search
# joins it to claims_claim.current_version_id, so only what readers see now is found.
PUBLIC_FTS = "claims_public_fts"
ARTICLE_COLUMNS = ("title", "outlet", "byline", "body")
CLAIM_COLUMNS = ("statement", "exact", "claimant", "ruling", "sources")


def _clean(expression: str) -> str:
    return f"replace(replace(coalesce({expression}, ''), char(57344), ''), char(57345), '')"


def _claim_sources(claim_id: str) -> str:
    return _clean(
        "(SELECT group_concat(s.title || ' ' || s.publisher, ' ') "
        f"FROM claims_source s WHERE s.claim_id = {claim_id})"
    )


def _version_sources(sources: str) -> str:
    return _clean(
        "(SELECT group_concat(coalesce(json_extract(j.value, '$.title'), '') || ' ' || "
        "coalesce(json_extract(j.value, '$.publisher'), ''), ' ') "
        f"FROM json_each({sources}) j WHERE j.type = 'object')"
    )


def _values(row: str, columns) -> str:
    return ", ".join(_clean(f"{row}.{c}") for c in columns)


_CLAIM_TEXT = CLAIM_COLUMNS[:-1]
_SET_CLAIM_TEXT = ", ".join(f"{c} = {_clean('NEW.' + c)}" for c in _CLAIM_TEXT)
_SET_SOURCES = "UPDATE " + CLAIM_FTS + " SET sources = {sources} WHERE rowid = {claim};"

_SQLITE_TRIGGERS = {
    "claims_article_search_insert": (
        "AFTER INSERT ON claims_article",
        f"INSERT INTO {ARTICLE_FTS}(rowid, {', '.join(ARTICLE_COLUMNS)}) "
        f"VALUES (NEW.id, {_values('NEW', ARTICLE_COLUMNS)});",
    ),
    "claims_article_search_update": (
        "AFTER UPDATE OF title, outlet, byline, body ON claims_article",
        f"DELETE FROM {ARTICLE_FTS} WHERE rowid = OLD.id; "
        f"INSERT INTO {ARTICLE_FTS}(rowid, {', '.join(ARTICLE_COLUMNS)}) "
        f"VALUES (NEW.id, {_values('NEW', ARTICLE_COLUMNS)});",
    ),
    "claims_article_search_delete": (
        "AFTER DELETE ON claims_article",
        f"DELETE FROM {ARTICLE_FTS} WHERE rowid = OLD.id;",
    ),
    # A new claim has no sources yet; its sources' own triggers fill them in.
    "claims_claim_search_insert": (
        "AFTER INSERT ON claims_claim",
        f"INSERT INTO {CLAIM_FTS}(rowid, {', '.join(CLAIM_COLUMNS)}) "
        f"VALUES (NEW.id, {_values('NEW', _CLAIM_TEXT)}, '');",
    ),
    "claims_claim_search_update": (
        "AFTER UPDATE OF statement, exact, claimant, ruling ON claims_claim",
        f"UPDATE {CLAIM_FTS} SET {_SET_CLAIM_TEXT} WHERE rowid = NEW.id;",
    ),
    "claims_claim_search_delete": (
        "AFTER DELETE ON claims_claim",
        f"DELETE FROM {CLAIM_FTS} WHERE rowid = OLD.id;",
    ),
    "claims_source_search_insert": (
        "AFTER INSERT ON claims_source",
        _SET_SOURCES.format(sources=_claim_sources("NEW.claim_id"), claim="NEW.claim_id"),
    ),
    "claims_source_search_update": (
        "AFTER UPDATE ON claims_source",
        _SET_SOURCES.format(sources=_claim_sources("OLD.claim_id"), claim="OLD.claim_id")
        + " "
        + _SET_SOURCES.format(sources=_claim_sources("NEW.claim_id"), claim="NEW.claim_id"),
    ),
    "claims_source_search_delete": (
        "AFTER DELETE ON claims_source",
        _SET_SOURCES.format(sources=_claim_sources("OLD.claim_id"), claim="OLD.claim_id"),
    ),
    "claims_version_search_insert": (
        "AFTER INSERT ON claims_claimversion",
        f"INSERT INTO {PUBLIC_FTS}(rowid, {', '.join(CLAIM_COLUMNS)}) "
        f"VALUES (NEW.id, {_values('NEW', _CLAIM_TEXT)}, {_version_sources('NEW.sources')});",
    ),
    # Versions are never changed; the demo loader's reset deletes them.
    "claims_version_search_delete": (
        "AFTER DELETE ON claims_claimversion",
        f"DELETE FROM {PUBLIC_FTS} WHERE rowid = OLD.id;",
    ),
}


def _sqlite_create(cursor) -> None:
    for table, columns in (
        (ARTICLE_FTS, ARTICLE_COLUMNS),
        (CLAIM_FTS, CLAIM_COLUMNS),
        (PUBLIC_FTS, CLAIM_COLUMNS),
    ):
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
            f"{', '.join(columns)}, tokenize='{TOKENIZER}')"
        )
    for name, (timing, body) in _SQLITE_TRIGGERS.items():
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"CREATE TRIGGER {name} {timing} BEGIN {body} END")
    # Rebuild from the tables: rows written while a trigger was missing are caught up.
    for table in (ARTICLE_FTS, CLAIM_FTS, PUBLIC_FTS):
        cursor.execute(f"DELETE FROM {table}")
    cursor.execute(
        f"INSERT INTO {ARTICLE_FTS}(rowid, {', '.join(ARTICLE_COLUMNS)}) "
        f"SELECT a.id, {_values('a', ARTICLE_COLUMNS)} FROM claims_article a"
    )
    cursor.execute(
        f"INSERT INTO {CLAIM_FTS}(rowid, {', '.join(CLAIM_COLUMNS)}) "
        f"SELECT c.id, {_values('c', _CLAIM_TEXT)}, {_claim_sources('c.id')} FROM claims_claim c"
    )
    cursor.execute(
        f"INSERT INTO {PUBLIC_FTS}(rowid, {', '.join(CLAIM_COLUMNS)}) "
        f"SELECT v.id, {_values('v', _CLAIM_TEXT)}, {_version_sources('v.sources')} "
        "FROM claims_claimversion v"
    )


def _sqlite_drop(cursor) -> None:
    for name in _SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in (ARTICLE_FTS, CLAIM_FTS, PUBLIC_FTS):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _sqlite_complete(cursor) -> bool:
    names = list(_SQLITE_TRIGGERS)
    cursor.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
        f"({', '.join('%s' for _ in names)})",
        names,
    )
    return cursor.fetchone()[0] == len(names)


# -- both ----------------------------------------------------------------------


def ensure(connection) -> None:
    """Create the index, its triggers and its contents if any trigger is missing."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if not _pg_complete(cursor):
                _pg_create(cursor)
        elif not _sqlite_complete(cursor):
            _sqlite_create(cursor)


def drop(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _pg_drop(cursor)
        elif connection.vendor == "sqlite":
            _sqlite_drop(cursor)


MIGRATION = ("claims", "0014_search_index")


def ensure_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: ``ensure`` the index once its migration is applied (not before)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if MIGRATION in MigrationRecorder(connection).applied_migrations():
        ensure(connection)
