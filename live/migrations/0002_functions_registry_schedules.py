"""The snapshot partitions' maintenance function, the mid-rank function, dimension registry v1, the nightly jobs.

live_snapshot_partitions(first, last, drop_before) creates the missing daily partitions of live_livesnapshot for
the Shanghai days first..last and drops those of days before drop_before. It runs with the schema owner's rights
(SECURITY DEFINER, fixed search_path): the app's role owns no table and may not create or drop one. EXECUTE goes
to the app's role only.

live_midrank(sorted values, v, up) is DESIGN §3's mid-rank percentile of v against the peers' values (binary
search in the frozen, sorted array): (#worse + 0.5 × #equal) / #peers, 0.5 with no peer, NULL for no value.
"""

from django.db import migrations

FUNCTIONS = """
CREATE FUNCTION live_snapshot_partitions(first_day date, last_day date, drop_before date)
RETURNS TABLE (created text[], dropped text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog, pg_temp AS $$
DECLARE
    d date;
    part text;
    made text[] := '{}';
    gone text[] := '{}';
    r record;
BEGIN
    IF last_day - first_day > 400 THEN
        RAISE EXCEPTION 'live_snapshot_partitions: at most 400 days at a time';
    END IF;
    d := first_day;
    WHILE d <= last_day LOOP
        part := 'live_livesnapshot_' || to_char(d, 'YYYYMMDD');
        IF to_regclass(part) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF live_livesnapshot FOR VALUES FROM (%L) TO (%L)',
                part, (d::timestamp AT TIME ZONE 'Asia/Shanghai'), ((d + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
            );
            made := made || part;
        END IF;
        d := d + 1;
    END LOOP;
    IF drop_before IS NOT NULL THEN
        FOR r IN
            SELECT child.relname::text AS name
            FROM pg_inherits
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            WHERE parent.relname = 'live_livesnapshot' AND child.relname ~ '^live_livesnapshot_[0-9]{8}$'
              AND to_date(substr(child.relname, 19), 'YYYYMMDD') < drop_before
            ORDER BY 1
        LOOP
            EXECUTE format('DROP TABLE %I', r.name);
            gone := gone || r.name;
        END LOOP;
    END IF;
    RETURN QUERY SELECT made, gone;
END
$$;
REVOKE ALL ON FUNCTION live_snapshot_partitions(date, date, date) FROM PUBLIC;

CREATE FUNCTION live_midrank(vals numeric[], v numeric, up boolean) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
DECLARE
    n integer := coalesce(array_length(vals, 1), 0);
    lo integer;
    hi integer;
    mid integer;
    below integer;
    at_most integer;
BEGIN
    IF v IS NULL THEN
        RETURN NULL;
    END IF;
    IF n = 0 THEN
        RETURN 0.5;
    END IF;
    lo := 1; hi := n + 1;
    WHILE lo < hi LOOP
        mid := (lo + hi) / 2;
        IF vals[mid] < v THEN lo := mid + 1; ELSE hi := mid; END IF;
    END LOOP;
    below := lo - 1;
    lo := 1; hi := n + 1;
    WHILE lo < hi LOOP
        mid := (lo + hi) / 2;
        IF vals[mid] <= v THEN lo := mid + 1; ELSE hi := mid; END IF;
    END LOOP;
    at_most := lo - 1;
    IF up THEN
        RETURN (below + 0.5 * (at_most - below)) / n;
    END IF;
    RETURN ((n - at_most) + 0.5 * (at_most - below)) / n;
END
$$;
"""

DROP = """
DROP FUNCTION live_snapshot_partitions(date, date, date);
DROP FUNCTION live_midrank(numeric[], numeric, boolean);
"""


def grant(apps, schema_editor):
    from core.dbroles import app_role

    quote = schema_editor.connection.ops.quote_name
    schema_editor.execute(f"GRANT EXECUTE ON FUNCTION live_snapshot_partitions(date, date, date) TO {quote(app_role())}")


# Version 1 of the registry, as it was published (a later version is a new migration, never an edit of this).
def create_v1(apps, schema_editor):
    from live.dimensions import V1

    DimensionSet = apps.get_model("live", "DimensionSet")
    Dimension = apps.get_model("live", "Dimension")
    dimension_set, created = DimensionSet.objects.get_or_create(version=1, defaults={"name": "盯盘 v1 (DESIGN §10)"})
    if created or not dimension_set.dimensions.exists():
        Dimension.objects.bulk_create(Dimension(dimension_set=dimension_set, **spec) for spec in V1)


SCHEDULES = [
    # (name, task, minute, hour): nightly, Asia/Shanghai
    ("live: freeze peer distributions (nightly)", "live.tasks.freeze_peers_task", "5", "0"),
    ("live: snapshot partitions ahead, drop expired (nightly)", "live.tasks.maintain_partitions_task", "15", "0"),
]


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab, "enabled": True})


def unschedule(apps, schema_editor):
    names = [name for name, *_rest in SCHEDULES]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


def first_partitions(apps, schema_editor):
    # Yesterday through a week ahead exist from the start; the nightly job keeps the window moving.
    schema_editor.execute(
        "SELECT live_snapshot_partitions((now() AT TIME ZONE 'Asia/Shanghai')::date - 1,"
        " (now() AT TIME ZONE 'Asia/Shanghai')::date + 7, NULL)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("live", "0001_initial"),
        ("core", "0004_owner_analyze"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        migrations.RunSQL(FUNCTIONS, DROP),
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(create_v1, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
        migrations.RunPython(first_partitions, migrations.RunPython.noop),
    ]
