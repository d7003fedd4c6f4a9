"""Set-based SQL of the playbook app: single-session uplift against the §6 baseline, the operator record's figures.

Built from scoring.sql's pieces (the covering engagement's segments, the baseline, the bands), so the review
and the public record show the very numbers §6 and §3 define."""

# ruff: noqa: S608 - statements are assembled from this module's constants only; values go as parameters

from scoring.sql import BAND, BASELINE, midnight, segment_ctes, x


def session_uplift_sql(picked_where: str) -> str:
    """Per picked operated session: its baseline (mean GMV, §6) and uplift, NULL without a baseline.

    ``picked_where`` narrows providers_livesession ls; %(start)s/%(end)s bound the engagements searched."""
    return f"""
    WITH picked AS (
        SELECT ls.id, ls.provider_id, ls.merchant_id, ls.started_at, ls.gmv FROM providers_livesession ls
        WHERE ls.provider_id IS NOT NULL AND {picked_where}
    ),
    {segment_ctes("e.provider_id IN (SELECT provider_id FROM picked)")},
    g AS (
        SELECT p.id, p.merchant_id, p.gmv, seg.e_start FROM picked p
        LEFT JOIN seg ON seg.provider_id = p.provider_id AND seg.merchant_id = p.merchant_id
         AND p.started_at >= seg.lo_at AND (seg.hi_at IS NULL OR p.started_at < seg.hi_at)
    ),
    base AS ({BASELINE})
    SELECT g.id, round(base.total / base.cnt, 2) AS baseline, {x("g.gmv * base.cnt")} / base.total - 1 AS uplift
    FROM g LEFT JOIN base ON base.merchant_id = g.merchant_id AND base.e_start = g.e_start
    """


OPERATOR_SESSIONS = "ls.operator_id = %(operator)s AND ls.started_at >= %(start)s AND ls.started_at < %(end)s"

# Per merchant the operator operated in the window: sessions, and the highest monthly band (§3) the merchant
# reached in a Shanghai month the operator operated it (the month's GMV counts all the merchant's sessions).
OPERATOR_MERCHANTS = f"""
    WITH s AS (
        SELECT ls.merchant_id, date_trunc('month', ls.started_at AT TIME ZONE 'Asia/Shanghai')::date AS month
        FROM providers_livesession ls
        WHERE ls.provider_id IS NOT NULL AND {OPERATOR_SESSIONS}
    ),
    months AS (SELECT merchant_id, month, count(*) AS sessions FROM s GROUP BY merchant_id, month),
    gmv AS (
        SELECT mo.merchant_id, mo.month, mo.sessions, coalesce(sum(a.gmv), 0) AS month_gmv
        FROM months mo
        LEFT JOIN providers_livesession a ON a.merchant_id = mo.merchant_id
         AND a.started_at >= {midnight("mo.month")}
         AND a.started_at < {midnight("(mo.month + interval '1 month')::date")}
        GROUP BY mo.merchant_id, mo.month, mo.sessions
    )
    SELECT g.merchant_id, m.name, m.public_consent, sum(g.sessions) AS sessions,
           max({BAND.format(v="g.month_gmv")}) AS band, max(g.month_gmv) AS best_month_gmv
    FROM gmv g JOIN providers_merchant m ON m.id = g.merchant_id
    GROUP BY g.merchant_id, m.name, m.public_consent
    ORDER BY band DESC, sessions DESC, g.merchant_id
"""

OPERATOR_UPLIFT = f"""
    SELECT count(u.uplift), avg(u.uplift) FROM ({session_uplift_sql(OPERATOR_SESSIONS)}) u
"""
