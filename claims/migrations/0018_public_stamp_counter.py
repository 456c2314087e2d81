"""The publication stamp as one row moved by triggers, instead of counts over whole tables.

The stamp used to count and take maxima over every published version, claim
and article on each public request: 113 times as long at 100,000 claims as on
an empty database (benchmark_scale). One row read is the same at any size.

Triggers rather than calls in the services: they see every write, the
admin's and a shell's included, so no path can change a public page without
moving the stamp. On PostgreSQL a change is noted once per transaction in a
side table, and the stamp is bumped at commit by a deferred trigger on that
table: the row's lock is the last one a transaction takes, so it can never be
part of a deadlock, and two commits always leave two different generations in
commit order (counts and maxima could miss a version whose transaction
committed after a later one's). The deferred trigger is on the side table so
that a migration may still update claims and then alter or truncate them.
SQLite has no deferred triggers and needs none: it runs one writer at a time.
"""

import secrets

from django.db import migrations, models

STAMP = "claims_publicstamp"
# (table, events, condition): what changes a page readers may see. Ratings are
# not here: the stamp reads the whole (small) scale in the same query.
WATCHED = [
    ("claims_article", "INSERT", ""),
    ("claims_article", "UPDATE", ""),
    ("claims_article", "DELETE", ""),
    ("claims_claimversion", "INSERT", ""),
    ("claims_claimversion", "UPDATE", ""),
    ("claims_claimversion", "DELETE", ""),
    # Drafts that were never published change nothing public.
    (
        "claims_claim",
        "UPDATE",
        "OLD.current_version_id IS NOT NULL OR NEW.current_version_id IS NOT NULL",
    ),
    ("claims_claim", "DELETE", "OLD.current_version_id IS NOT NULL"),
]

CHANGES = "claims_publicstamp_change"
# A watched row changed: note it once per transaction, in a side table of its own.
PG_CHANGED = f"""
CREATE OR REPLACE FUNCTION claims_public_stamp_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('claims.public_stamp_changed', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('claims.public_stamp_changed', 'yes', true);
    INSERT INTO {CHANGES} DEFAULT VALUES;
    RETURN NULL;
END
$$;
"""
# At commit (a deferred trigger on the side table, so that no watched table is
# left with pending trigger events, which would forbid ALTER or TRUNCATE of it
# later in the transaction): move the stamp.
PG_BUMP = f"""
CREATE OR REPLACE FUNCTION claims_public_stamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {CHANGES} WHERE id = NEW.id;
    PERFORM set_config('claims.public_stamp_changed', '', true);
    INSERT INTO {STAMP} (id, generation, epoch) VALUES (1, 1, md5(random()::text))
    ON CONFLICT (id) DO UPDATE SET generation = {STAMP}.generation + 1;
    RETURN NULL;
END
$$;
"""
# Inside a transaction, the stamp must count the transaction's own changes,
# whose bump waits for the commit: this read runs it first (Django's tests run
# in a transaction; so may a view).
PG_READ = f"""
CREATE OR REPLACE FUNCTION claims_public_stamp_read(OUT generation bigint, OUT epoch varchar)
LANGUAGE plpgsql AS $$
BEGIN
    SET CONSTRAINTS claims_public_stamp_at_commit IMMEDIATE;
    SET CONSTRAINTS claims_public_stamp_at_commit DEFERRED;
    SELECT s.generation, s.epoch INTO generation, epoch FROM {STAMP} s WHERE s.id = 1;
END
$$;
"""
SQLITE_BUMP = (
    f"INSERT INTO {STAMP} (id, generation, epoch) VALUES (1, 1, lower(hex(randomblob(16)))) "
    "ON CONFLICT (id) DO UPDATE SET generation = generation + 1;"
)


def _name(table, event):
    return f"{table}_public_stamp_{event.lower()}"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = []
    if vendor == "postgresql":
        statements += [
            f"CREATE TABLE {CHANGES} (id bigserial PRIMARY KEY)",
            PG_CHANGED,
            PG_BUMP,
            PG_READ,
            f"CREATE CONSTRAINT TRIGGER claims_public_stamp_at_commit AFTER INSERT ON {CHANGES} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION claims_public_stamp_bump()",
        ]
        for table, event, condition in WATCHED:
            when = f"WHEN ({condition}) " if condition else ""
            statements.append(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} FOR EACH ROW "
                f"{when}EXECUTE FUNCTION claims_public_stamp_changed()"
            )
    elif vendor == "sqlite":
        for table, event, condition in WATCHED:
            when = f"WHEN {condition} " if condition else ""
            statements.append(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} FOR EACH ROW "
                f"{when}BEGIN {SQLITE_BUMP} END"
            )
    else:
        raise NotImplementedError(f"the publication stamp has no triggers for {vendor}")
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(
            f"INSERT INTO {STAMP} (id, generation, epoch) VALUES (1, 1, %s)",
            [secrets.token_hex(16)],
        )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for table, event, _condition in WATCHED:
            on = f" ON {table}" if vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {_name(table, event)}{on}")
        if vendor == "postgresql":
            cursor.execute(f"DROP TABLE IF EXISTS {CHANGES}")
            for function in ("read", "bump", "changed"):
                cursor.execute(f"DROP FUNCTION IF EXISTS claims_public_stamp_{function}()")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0017_rating_scale_in_english"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicStamp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("generation", models.BigIntegerField(default=0)),
                ("epoch", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
