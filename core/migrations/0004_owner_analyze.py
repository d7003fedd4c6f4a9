"""core_owner_analyze(tables...): ANALYZE with the schema owner's rights, for the app role, which owns no table.

The cycle computation refreshes the cohort's statistics mid-transaction (scoring.services) and the demo
loader after loading; ANALYZE is the table owner's. SECURITY DEFINER with a fixed search_path; tables
are named by regclass, resolved in the caller's session. EXECUTE is granted to the app role by core's
migrate command (core.dbroles), not to PUBLIC.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION core_owner_analyze(VARIADIC tables regclass[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t regclass;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        EXECUTE format('ANALYZE %s', t);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION core_owner_analyze(regclass[]) FROM PUBLIC;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0003_hash_authtoken_keys")]
    operations = [migrations.RunSQL(CREATE, "DROP FUNCTION core_owner_analyze(regclass[]);")]
