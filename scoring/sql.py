"""Set-based SQL of the scoring engine (DESIGN §3) and of the operation-effect figures (DESIGN §6).

Conventions used in every statement:
- Instants are timestamptz; a Shanghai calendar date ``d`` starts at ``(d::timestamp AT TIME ZONE
  'Asia/Shanghai')``. A date range [a, b] (both ends inclusive, b NULL = open) therefore covers the
  instants [midnight(a), midnight(b + 1)).
- Ratios are computed in NUMERIC: the numerator is cast to numeric(70,30) so PostgreSQL carries 30
  decimals through the division (exact for every terminating value). A zero denominator gives NULL
  ("no value"), never 0.
"""

# ruff: noqa: S608 - statements are assembled from this module's constants only; values go as parameters

from providers.choices import ProviderStatus, ViolationStatus

TZ = "'Asia/Shanghai'"


def midnight(date_sql: str) -> str:
    """The instant a Shanghai calendar date starts."""
    return f"(({date_sql})::timestamp AT TIME ZONE {TZ})"


def local_date(ts_sql: str) -> str:
    return f"(({ts_sql}) AT TIME ZONE {TZ})::date"


def covers_instant(start_col: str, end_col: str, instant: str) -> str:
    """A [start_date, end_date] Shanghai date range (NULL end = open) contains the instant."""
    return f"({midnight(start_col)} <= {instant} AND ({end_col} IS NULL OR {midnight(end_col + ' + 1')} > {instant}))"


def median(expr: str) -> str:
    """Exact NUMERIC median of the non-NULL values of expr (mean of the two middle ones when even)."""
    arr = f"(array_agg(({expr})::numeric ORDER BY ({expr})::numeric) FILTER (WHERE ({expr}) IS NOT NULL))"
    n = f"count({expr})"
    return (
        f"(CASE WHEN {n} = 0 THEN NULL WHEN mod({n}, 2) = 1 THEN {arr}[({n} + 1) / 2] "
        f"ELSE ({arr}[{n} / 2] + {arr}[{n} / 2 + 1]) / 2 END)"
    )


def x(num: str) -> str:
    """Numerator cast so the division keeps 30 decimals."""
    return f"(({num})::numeric(70,30))"


# baseline(m, e): m's sessions without an operator on the 30 Shanghai days before e.start_date.
# Keys with no such sessions or a zero total (mean 0) are absent: those sessions have no baseline.
BASELINE = f"""
    SELECT k.merchant_id, k.e_start, count(*) AS cnt, sum(b.gmv) AS total
    FROM (SELECT DISTINCT merchant_id, e_start FROM g WHERE e_start IS NOT NULL) k
    JOIN providers_livesession b ON b.merchant_id = k.merchant_id AND b.operator_id IS NULL
     AND b.started_at >= {midnight("k.e_start - 30")} AND b.started_at < {midnight("k.e_start")}
    GROUP BY k.merchant_id, k.e_start
    HAVING sum(b.gmv) > 0
"""

# The same for the scoring engine's keys (scoring_tmp_g), with the scan bounded by the earliest and latest
# baseline days of all keys (a redundant bound, evaluated once, that keeps other months' sessions out).
BASELINE_SCORING = BASELINE.replace("FROM g WHERE", "FROM scoring_tmp_g WHERE").replace(
    "GROUP BY k.merchant_id",
    f"""AND b.started_at >= (SELECT {midnight("min(e_start) - 30")} FROM scoring_tmp_g)
     AND b.started_at < (SELECT {midnight("max(e_start)")} FROM scoring_tmp_g)
    GROUP BY k.merchant_id""",
)

# The same for the operation effect's keys (its CTE g): the redundant bounds let PostgreSQL skip the months of the
# partitioned sessions table no baseline reaches (run-time pruning on the two values, computed once).
BASELINE_BOUNDED = BASELINE.replace(
    "GROUP BY k.merchant_id",
    f"""AND b.started_at >= (SELECT {midnight("min(e_start) - 30")} FROM g)
     AND b.started_at < (SELECT {midnight("max(e_start)")} FROM g)
    GROUP BY k.merchant_id""",
)

BAND = """(CASE WHEN coalesce({v}, 0) < 100000 THEN 0 WHEN {v} < 500000 THEN 1 WHEN {v} < 2000000 THEN 2
            WHEN {v} < 10000000 THEN 3 ELSE 4 END)"""

CERTIFIED_OPERATORS = f"""
    SELECT DISTINCT c.operator_id FROM certification_certificate c
    WHERE c.kind = 'operator' AND c.operator_id IS NOT NULL AND c.status NOT IN ('suspended', 'revoked')
      AND {covers_instant("c.valid_from", "c.valid_until", "%(end)s")}
"""
NO_CERTIFIED_OPERATORS = "SELECT NULL::bigint AS operator_id WHERE false"


def segment_ctes(provider_clause: str) -> str:
    """CTEs eng → seg: for each (provider, merchant) pair, disjoint instant segments [lo_at, hi_at), each
    labelled with the start date of the latest-starting engagement covering it (gaps dropped). A session
    then finds its covering engagement by one hash join instead of a lookup per session."""
    return f"""
    eng AS (  -- engagements of the providers that can cover a window session
        SELECT e.provider_id, e.merchant_id, e.start_date, e.end_date FROM providers_engagement e
        WHERE {provider_clause}
          AND {midnight("e.start_date")} < %(end)s
          AND (e.end_date IS NULL OR {midnight("e.end_date + 1")} > %(start)s)
    ),
    pairs AS (  -- most pairs have one engagement: its own dates are their only segment
        SELECT provider_id, merchant_id, count(*) AS k, min(start_date) AS start_date, min(end_date) AS end_date
        FROM eng GROUP BY provider_id, merchant_id
    ),
    multi AS (  -- the engagements of pairs with several, cut into segments below
        SELECT e.* FROM eng e JOIN pairs p ON p.provider_id = e.provider_id AND p.merchant_id = e.merchant_id
        WHERE p.k > 1
    ),
    bounds AS (
        SELECT provider_id, merchant_id, start_date AS b FROM multi
        UNION SELECT provider_id, merchant_id, end_date + 1 FROM multi WHERE end_date IS NOT NULL
    ),
    segs AS (  -- disjoint date segments [lo, hi) of a (provider, merchant) pair
        SELECT provider_id, merchant_id, b AS lo,
               lead(b) OVER (PARTITION BY provider_id, merchant_id ORDER BY b) AS hi,
               lag(b) OVER (PARTITION BY provider_id, merchant_id ORDER BY b) IS NULL AS first
        FROM bounds
    ),
    seg AS (  -- each segment labelled with the latest-starting engagement covering it (none: a gap, dropped);
              -- "first" marks one segment per pair (the earliest start date is always covered)
        SELECT provider_id, merchant_id, {midnight("start_date")} AS lo_at, {midnight("end_date + 1")} AS hi_at,
               start_date AS e_start, true AS first
        FROM pairs WHERE k = 1
        UNION ALL
        SELECT s.provider_id, s.merchant_id, {midnight("s.lo")} AS lo_at, {midnight("s.hi")} AS hi_at,
               max(e.start_date) AS e_start, s.first
        FROM segs s JOIN multi e ON e.provider_id = s.provider_id AND e.merchant_id = s.merchant_id
         AND e.start_date <= s.lo AND (e.end_date IS NULL OR e.end_date >= s.lo)
        GROUP BY s.provider_id, s.merchant_id, s.lo, s.hi, s.first
    )
"""


def segments_sql() -> str:
    """CREATE TEMP TABLE scoring_tmp_seg: for every (cohort provider, merchant) pair, disjoint instant
    segments [lo_at, hi_at) each labelled with the start date of the latest-starting engagement covering
    it — so a session finds its covering engagement by one hash join instead of a lookup per session."""
    return f"""
    CREATE TEMP TABLE scoring_tmp_seg ON COMMIT DROP AS
    WITH
    cohort AS (SELECT provider_id FROM scoring_cohortmember WHERE cycle_id = %(cycle)s),
{segment_ctes("e.provider_id IN (SELECT provider_id FROM cohort)")}    SELECT * FROM seg
    """


# Temp tables of one cycle_score run (dropped at commit; dropped explicitly too, so a second run in the
# same transaction — as the tests do — starts clean).
TEMP_TABLES = ["scoring_tmp_values", "scoring_tmp_g", "scoring_tmp_pm", "scoring_tmp_sv", "scoring_tmp_seg"]


def provider_sums_sql() -> str:
    """CREATE TEMP TABLE scoring_tmp_sv: per provider, the sums over its window sessions (S before the cohort
    filter). Reads only the sessions table, so PostgreSQL can run it as a parallel scan with a tiny hash table."""
    return """
    CREATE TEMP TABLE scoring_tmp_sv ON COMMIT DROP AS
    SELECT ls.provider_id,
           count(*) AS n, sum(ls.gmv) AS gmv, sum(ls.viewers) AS viewers, sum(ls.orders) AS orders,
           sum(ls.new_followers) AS followers, sum(ls.duration_minutes) AS minutes,
           sum(ls.refund_amount) AS refund, sum(ls.skus_sold) AS sold, sum(ls.skus_listed) AS listed,
           count(*) FILTER (WHERE ls.paid_spend > 0) AS paid_n,
           sum(ls.paid_gmv) FILTER (WHERE ls.paid_spend > 0) AS paid_gmv,
           sum(ls.paid_spend) FILTER (WHERE ls.paid_spend > 0) AS paid_spend,
           count(*) FILTER (WHERE ls.paid_spend > 0 AND ls.paid_gmv < ls.paid_spend) AS loss_n
    FROM providers_livesession ls
    WHERE ls.provider_id IS NOT NULL AND ls.started_at >= %(start)s AND ls.started_at < %(end)s
    GROUP BY ls.provider_id
    """


# GMV (numeric(16,2)) as whole cents: exact, and a bigint sum keeps a 16-byte state per group where a NUMERIC
# sum keeps a few hundred bytes — what lets a million merchants' hash aggregate stay in memory.
CENTS = "(ls.gmv * 100)::bigint"


def merchant_sums_sql(*, has_full_month: bool) -> str:
    """CREATE TEMP TABLE scoring_tmp_pm: per merchant, one parallel scan of the window (and of the month before
    it when leap_rate has a value): its operated window sessions' count, GMV, first and last instant and
    lowest/highest provider (equal when one provider ran them all — the usual case, whose sessions then share
    one covering engagement if one segment spans first to last), and its GMV in the leap months."""
    op_w = "ls.provider_id IS NOT NULL AND ls.started_at >= %(start)s AND ls.started_at < %(end)s"
    if has_full_month:
        months = f""",
           sum({CENTS}) FILTER (WHERE ls.started_at >= %(lm_start)s AND ls.started_at < %(lm_end)s)
               * 0.01 AS last_gmv,
           sum({CENTS}) FILTER (WHERE ls.started_at >= %(bm_start)s AND ls.started_at < %(bm_end)s)
               * 0.01 AS prev_gmv"""
        # the last full month lies inside the window, so the window and the month before cover both months
        where = """((ls.started_at >= %(start)s AND ls.started_at < %(end)s)
                 OR (ls.started_at >= %(bm_start)s AND ls.started_at < %(bm_end)s))"""
    else:
        months = ",\n           NULL::numeric AS last_gmv, NULL::numeric AS prev_gmv"
        where = op_w
    return f"""
    CREATE TEMP TABLE scoring_tmp_pm ON COMMIT DROP AS
    SELECT ls.merchant_id,
           count(*) FILTER (WHERE {op_w}) AS n,
           sum({CENTS}) FILTER (WHERE {op_w}) * 0.01 AS gmv,
           min(ls.provider_id) FILTER (WHERE {op_w}) AS p_min,
           max(ls.provider_id) FILTER (WHERE {op_w}) AS p_max,
           min(ls.started_at) FILTER (WHERE {op_w}) AS t_min,
           max(ls.started_at) FILTER (WHERE {op_w}) AS t_max{months}
    FROM providers_livesession ls
    WHERE {where}
    GROUP BY ls.merchant_id
    """


# The uplift keys: cohort providers' window sessions grouped by (provider, merchant, covering engagement start).
# A merchant whose operated window sessions all belong to one provider and fall in one segment forms one group
# straight from scoring_tmp_pm (UPLIFT_GROUPS_SINGLE); any other merchant that has a segment (several
# providers, sessions across an engagement change or in a gap) is resolved session by session through the
# (merchant_id, started_at) index (UPLIFT_GROUPS_REST). Sessions without a covering engagement have no
# baseline and form no group.
UPLIFT_GROUPS_SINGLE = """
    CREATE TEMP TABLE scoring_tmp_g ON COMMIT DROP AS
    SELECT pm.p_min AS provider_id, pm.merchant_id, seg.e_start, pm.n, pm.gmv
    FROM scoring_tmp_pm pm
    JOIN scoring_tmp_seg seg ON seg.provider_id = pm.p_min AND seg.merchant_id = pm.merchant_id
     AND seg.lo_at <= pm.t_min AND (seg.hi_at IS NULL OR pm.t_max < seg.hi_at)
    WHERE pm.n > 0 AND pm.p_min = pm.p_max
"""

UPLIFT_GROUPS_REST = """
    INSERT INTO scoring_tmp_g (provider_id, merchant_id, e_start, n, gmv)
    SELECT ls.provider_id, ls.merchant_id, seg.e_start, count(*), sum(ls.gmv)
    FROM scoring_tmp_pm pm
    JOIN providers_livesession ls ON ls.merchant_id = pm.merchant_id
     AND ls.started_at >= %(start)s AND ls.started_at < %(end)s AND ls.provider_id IS NOT NULL
    JOIN scoring_tmp_seg seg ON seg.provider_id = ls.provider_id AND seg.merchant_id = ls.merchant_id
     AND ls.started_at >= seg.lo_at AND (seg.hi_at IS NULL OR ls.started_at < seg.hi_at)
    WHERE pm.n > 0
      AND NOT EXISTS (SELECT 1 FROM scoring_tmp_g g WHERE g.merchant_id = pm.merchant_id)
      AND EXISTS (SELECT 1 FROM scoring_tmp_seg s WHERE s.merchant_id = pm.merchant_id)
    GROUP BY ls.provider_id, ls.merchant_id, seg.e_start
"""


def metric_values_sql(*, has_full_month: bool, has_certificates: bool) -> str:
    """CREATE TEMP TABLE scoring_tmp_values: one row per cohort provider, every metric value and sample, from
    the temp tables scoring_tmp_sv, scoring_tmp_pm, scoring_tmp_g and scoring_tmp_seg."""
    if has_full_month:
        leaps = f"count(*) FILTER (WHERE {BAND.format(v='pm.last_gmv')} > {BAND.format(v='pm.prev_gmv')})"
        leap_join = "LEFT JOIN scoring_tmp_pm pm ON pm.merchant_id = m.merchant_id"
        leap_value = f"CASE WHEN mc.n > 0 THEN {x('mc.leaps')} / mc.n END"
    else:
        leaps, leap_join, leap_value = "0", "", "NULL::numeric"
    cert_cte = CERTIFIED_OPERATORS if has_certificates else NO_CERTIFIED_OPERATORS
    return f"""
    CREATE TEMP TABLE scoring_tmp_values ON COMMIT DROP AS
    WITH
    cohort AS (SELECT provider_id FROM scoring_cohortmember WHERE cycle_id = %(cycle)s),
    base AS ({BASELINE_SCORING}),
    up AS (
        SELECT g.provider_id,
               sum(g.n) AS uplift_n,
               -- Σ over a baseline key of (gmv(s) / (total/cnt) − 1) = Σgmv × cnt / total − k
               sum({x("g.gmv * base.cnt")} / base.total - g.n) AS uplift_sum
        FROM scoring_tmp_g g JOIN base ON base.merchant_id = g.merchant_id AND base.e_start = g.e_start
        GROUP BY g.provider_id
    ),
    mc AS (  -- |M| (merchants with an engagement of p overlapping the window: one first segment each) and leaps
        SELECT m.provider_id, count(*) AS n, {leaps} AS leaps
        FROM scoring_tmp_seg m {leap_join}
        WHERE m.first
        GROUP BY m.provider_id
    ),
    ret AS (
        SELECT e.provider_id, count(*) AS n_open,
               count(*) FILTER (WHERE e.end_date IS NULL OR {midnight("e.end_date + 1")} > %(end)s) AS n_kept
        FROM providers_engagement e
        WHERE e.provider_id IN (SELECT provider_id FROM cohort)
          AND {covers_instant("e.start_date", "e.end_date", "%(start)s")}
        GROUP BY e.provider_id
    ),
    comp AS (
        SELECT provider_id, count(*) AS n FROM providers_complaint
        WHERE upheld AND received_at >= %(start)s AND received_at < %(end)s
        GROUP BY provider_id
    ),
    viol AS (
        SELECT provider_id, count(*) AS n, sum(points) AS points FROM providers_violation
        WHERE status = '{ViolationStatus.CONFIRMED.value}' AND occurred_at >= %(start)s AND occurred_at < %(end)s
        GROUP BY provider_id
    ),
    certop AS ({cert_cte}),
    emp AS (
        SELECT em.provider_id, count(DISTINCT em.operator_id) AS n,
               count(DISTINCT em.operator_id) FILTER (WHERE co.operator_id IS NOT NULL) AS certified
        FROM providers_employment em LEFT JOIN certop co ON co.operator_id = em.operator_id
        WHERE em.provider_id IN (SELECT provider_id FROM cohort)
          AND {covers_instant("em.start_date", "em.end_date", "%(end)s")}
        GROUP BY em.provider_id
    )
    SELECT c.provider_id,
           coalesce(sv.n, 0) AS n,
           coalesce(sv.gmv, 0) AS gmv,
           up.uplift_sum / nullif(up.uplift_n, 0) AS gmv_uplift,
           coalesce(up.uplift_n, 0) AS gmv_uplift_n,
           {leap_value} AS leap_rate,
           coalesce(mc.n, 0) AS m_n,
           {x("ret.n_kept")} / nullif(ret.n_open, 0) AS merchant_retention,
           coalesce(ret.n_open, 0) AS ret_n,
           {x("sv.gmv * 1000")} / nullif(sv.viewers, 0) AS gpm,
           {x("sv.followers")} / nullif(sv.n, 0) AS followers_per_session,
           CASE WHEN mc.n > 0 THEN {x("coalesce(sv.minutes, 0) * 7")} / (60 * mc.n * %(days)s) END
               AS live_hours_per_merchant_week,
           {x("sv.paid_gmv")} / nullif(sv.paid_spend, 0) AS paid_roi,
           {x("sv.loss_n")} / nullif(sv.paid_n, 0) AS loss_session_rate,
           coalesce(sv.paid_n, 0) AS paid_n,
           {x("sv.refund")} / nullif(sv.gmv, 0) AS refund_rate,
           {x("sv.sold")} / nullif(sv.listed, 0) AS sell_through,
           {x("sv.orders * 1000")} / nullif(sv.viewers, 0) AS orders_per_1k_viewers,
           {x("coalesce(comp.n, 0) * 1000")} / nullif(sv.orders, 0) AS complaints_per_1k_orders,
           coalesce(viol.points, 0)::numeric AS violation_points,
           coalesce(viol.n, 0) AS viol_n,
           CASE WHEN mc.n > 0 THEN least(1, {x("coalesce(emp.certified, 0)")} / mc.n) END AS certified_operator_ratio,
           coalesce(emp.n, 0) AS emp_n
    FROM cohort c
    LEFT JOIN scoring_tmp_sv sv ON sv.provider_id = c.provider_id
    LEFT JOIN up ON up.provider_id = c.provider_id
    LEFT JOIN mc ON mc.provider_id = c.provider_id
    LEFT JOIN ret ON ret.provider_id = c.provider_id
    LEFT JOIN comp ON comp.provider_id = c.provider_id
    LEFT JOIN viol ON viol.provider_id = c.provider_id
    LEFT JOIN emp ON emp.provider_id = c.provider_id
    """


# One row per cohort member with a session sum; a re-run of the cycle updates the rows in place, so a score
# keeps its id (links to scores/<id>/ stay valid) and everything computed later is cleared for recomputing.
INSERT_PROVIDER_SCORES = """
    INSERT INTO scoring_providerscore
        (cycle_id, provider_id, cohort, status, ranked, reason, session_count, window_gmv, created_at)
    SELECT c.cycle_id, c.provider_id, c.cohort, c.status, t.n >= %(min_sessions)s,
           CASE WHEN t.n >= %(min_sessions)s THEN '' ELSE 'insufficient_activity' END, t.n, t.gmv, now()
    FROM scoring_cohortmember c JOIN scoring_tmp_values t ON t.provider_id = c.provider_id
    WHERE c.cycle_id = %(cycle)s
    ON CONFLICT ON CONSTRAINT score_once_per_cycle_provider DO UPDATE
    SET cohort = EXCLUDED.cohort, status = EXCLUDED.status, ranked = EXCLUDED.ranked, reason = EXCLUDED.reason,
        session_count = EXCLUDED.session_count, window_gmv = EXCLUDED.window_gmv,
        overall = NULL, rank = NULL, cohort_size = NULL, percentile = NULL
"""

# A re-run with a refreshed cohort: the scores of providers no longer in it go.
DELETE_STALE_PROVIDER_SCORES = """
    DELETE FROM scoring_providerscore ps
    WHERE ps.cycle_id = %(cycle)s AND NOT EXISTS (
        SELECT 1 FROM scoring_cohortmember c JOIN scoring_tmp_values t ON t.provider_id = c.provider_id
        WHERE c.cycle_id = %(cycle)s AND c.provider_id = ps.provider_id)
"""

# (metric key, value column, sample-size column) of scoring_tmp_values.
METRIC_COLUMNS = [
    ("gmv_uplift", "gmv_uplift", "gmv_uplift_n"),
    ("leap_rate", "leap_rate", "m_n"),
    ("merchant_retention", "merchant_retention", "ret_n"),
    ("gpm", "gpm", "n"),
    ("followers_per_session", "followers_per_session", "n"),
    ("live_hours_per_merchant_week", "live_hours_per_merchant_week", "n"),
    ("paid_roi", "paid_roi", "paid_n"),
    ("loss_session_rate", "loss_session_rate", "paid_n"),
    ("refund_rate", "refund_rate", "n"),
    ("sell_through", "sell_through", "n"),
    ("orders_per_1k_viewers", "orders_per_1k_viewers", "n"),
    ("complaints_per_1k_orders", "complaints_per_1k_orders", "n"),
    ("violation_points", "violation_points", "viol_n"),
    ("certified_operator_ratio", "certified_operator_ratio", "emp_n"),
]

_VALUES = ",\n".join(f"('{key}', t.{value}::numeric, t.{n}::integer)" for key, value, n in METRIC_COLUMNS)

# Every metric row in one INSERT (no UPDATE pass over the table): the value rounded to 24 decimals; then, for
# ranked providers, the mid-rank percentile among the cohort's ranked providers that have a value ("rated"):
# (#worse + 0.5 × #other equal) / (n − 1), 0.5 when n = 1; raw score = 100 × percentile rounded half-up to 4
# decimals (PostgreSQL's round(numeric) rounds half away from zero, which is half-up for these positive
# values), 50 without a value; then the shrink toward 50 below confidence_sessions, which works on the exact raw
# score and is rounded once; and the contribution in points of overall. Unranked providers keep value and
# sample size only.
INSERT_METRIC_SCORES = f"""
    WITH v AS (
        SELECT ps.id AS provider_score_id, ps.cohort, ps.ranked, ps.session_count, mt.id AS metric_id,
               cap.key AS capability_key, cap.weight AS capability_weight, mt.key, mt.direction, mt.weight,
               round(v.val, 24)::numeric(50,24) AS raw_value, v.n AS sample_size,
               ps.ranked AND v.val IS NOT NULL AS rated
        FROM scoring_tmp_values t
        JOIN scoring_providerscore ps ON ps.cycle_id = %(cycle)s AND ps.provider_id = t.provider_id
        CROSS JOIN LATERAL (VALUES {_VALUES}) AS v(key, val, n)
        JOIN scoring_metric mt ON mt.key = v.key
        JOIN scoring_capability cap ON cap.id = mt.capability_id AND cap.model_id = %(model)s
    ), w AS (
        SELECT v.*,
               count(*) OVER (PARTITION BY cohort, metric_id, rated) AS n,
               count(*) OVER (PARTITION BY cohort, metric_id, rated, raw_value) - 1 AS eq,
               CASE WHEN direction = 'up'
                    THEN rank() OVER (PARTITION BY cohort, metric_id, rated ORDER BY raw_value ASC)
                    ELSE rank() OVER (PARTITION BY cohort, metric_id, rated ORDER BY raw_value DESC) END - 1 AS worse
        FROM v
    ), r AS (
        SELECT w.*,
               CASE WHEN rated THEN n END AS cohort_n,
               CASE WHEN NOT rated THEN NULL WHEN n = 1 THEN 0.5
                    ELSE round((2 * worse + eq)::numeric(70,30) / (2 * (n - 1)), 10) END AS percentile,
               (CASE WHEN NOT ranked THEN NULL WHEN NOT rated OR n = 1 THEN 50
                     ELSE round((100 * (2 * worse + eq))::numeric(70,30) / (2 * (n - 1)), 4) END)::numeric(9,4)
                   AS raw_score,
               -- the exact 100 × percentile as a fraction num / den (50 = 100 / 2 without a value)
               CASE WHEN NOT rated OR n = 1 THEN 100 ELSE 100 * (2 * worse + eq) END AS raw_num,
               CASE WHEN NOT rated OR n = 1 THEN 2 ELSE 2 * (n - 1) END AS raw_den
        FROM w
    ), s AS (
        -- The shrink works on the exact raw score; the metric score is rounded once, after it (DESIGN §3):
        -- 50 + (num/den − 50) × sessions / conf = (50·den·conf + (num − 50·den) × sessions) / (den · conf).
        SELECT r.*,
               (CASE WHEN NOT ranked THEN NULL
                     WHEN session_count >= %(conf)s THEN raw_score
                     ELSE round((50 * raw_den * %(conf)s + (raw_num - 50 * raw_den) * session_count)::numeric(70,30)
                                / (raw_den * %(conf)s), 4)
                END)::numeric(9,4) AS score
        FROM r
    )
    INSERT INTO scoring_metricscore
        (provider_score_id, metric_id, capability_key, key, direction, weight, raw_value, sample_size,
         cohort_n, percentile, raw_score, score, contribution)
    SELECT provider_score_id, metric_id, capability_key, key, direction, weight, raw_value, sample_size,
           cohort_n, percentile, raw_score, score, round(capability_weight * weight * score / 100, 4)
    FROM s
"""

INSERT_CAPABILITY_SCORES = """
    INSERT INTO scoring_capabilityscore (provider_score_id, capability_id, key, weight, score, contribution)
    SELECT ps.id, cap.id, cap.key, cap.weight, s.score, round(cap.weight * s.score / 100, 4)
    FROM scoring_providerscore ps
    CROSS JOIN scoring_capability cap
    LEFT JOIN LATERAL (
        SELECT CASE WHEN ps.ranked THEN round(sum(ms.weight * ms.score) / nullif(sum(ms.weight), 0), 4) END AS score
        FROM scoring_metricscore ms JOIN scoring_metric mt ON mt.id = ms.metric_id
        WHERE ms.provider_score_id = ps.id AND mt.capability_id = cap.id
    ) s ON true
    WHERE ps.cycle_id = %(cycle)s AND cap.model_id = %(model)s
"""

SCORE_OVERALL = """
    UPDATE scoring_providerscore ps SET overall = o.overall
    FROM (
        SELECT cs.provider_score_id, round(sum(cs.weight * cs.score) / 100, 4) AS overall
        FROM scoring_capabilityscore cs JOIN scoring_providerscore p ON p.id = cs.provider_score_id
        WHERE p.cycle_id = %(cycle)s AND p.ranked
        GROUP BY cs.provider_score_id
    ) o
    WHERE ps.id = o.provider_score_id
"""

SCORE_RANK = """
    WITH w AS (
        SELECT id,
               row_number() OVER (PARTITION BY cohort ORDER BY overall DESC, window_gmv DESC, provider_id ASC) AS rk,
               count(*) OVER (PARTITION BY cohort) AS n,
               rank() OVER (PARTITION BY cohort ORDER BY overall ASC) - 1 AS worse,
               count(*) OVER (PARTITION BY cohort, overall) - 1 AS eq
        FROM scoring_providerscore
        WHERE cycle_id = %(cycle)s AND ranked
    )
    UPDATE scoring_providerscore ps
    SET rank = w.rk, cohort_size = w.n,
        percentile = CASE WHEN w.n = 1 THEN 0.5
                          ELSE round((2 * w.worse + w.eq)::numeric(70,30) / (2 * (w.n - 1)), 10) END
    FROM w WHERE ps.id = w.id
"""

# Before a (re-)run: the metric and capability rows go; the provider scores stay (INSERT_PROVIDER_SCORES).
DELETE_SCORES = [
    """DELETE FROM scoring_metricscore WHERE provider_score_id IN
       (SELECT id FROM scoring_providerscore WHERE cycle_id = %(cycle)s)""",
    """DELETE FROM scoring_capabilityscore WHERE provider_score_id IN
       (SELECT id FROM scoring_providerscore WHERE cycle_id = %(cycle)s)""",
]

SNAPSHOT_COHORT = f"""
    INSERT INTO scoring_cohortmember (cycle_id, provider_id, cohort, status)
    SELECT %(cycle)s, p.id, p.type, p.status FROM providers_provider p
    WHERE p.status IN ('{ProviderStatus.ACTIVE.value}', '{ProviderStatus.PROBATION.value}')
"""


def operation_effect_sql(*, provider_filter: bool) -> str:
    """One row of §6 figures over [start, end): overall, small/medium and large merchants."""
    where_provider = "ls.provider_id = %(provider)s" if provider_filter else "ls.provider_id IS NOT NULL"
    return f"""
    WITH {segment_ctes("e.provider_id = %(provider)s" if provider_filter else "TRUE")},
    g AS (  -- operated sessions of the period, each with its covering engagement's start date
        SELECT ls.id, ls.provider_id, ls.merchant_id, ls.started_at, ls.gmv, seg.e_start
        FROM providers_livesession ls
        LEFT JOIN seg ON seg.provider_id = ls.provider_id AND seg.merchant_id = ls.merchant_id
         AND ls.started_at >= seg.lo_at AND (seg.hi_at IS NULL OR ls.started_at < seg.hi_at)
        WHERE {where_provider} AND ls.started_at >= %(start)s AND ls.started_at < %(end)s
    ),
    base AS ({BASELINE_BOUNDED}),
    sb AS (
        SELECT g.*, base.cnt, base.total,
               CASE WHEN base.total IS NULL THEN NULL
                    WHEN base.total < 500000 THEN 'small_medium' ELSE 'large' END AS size
        FROM g LEFT JOIN base ON base.merchant_id = g.merchant_id AND base.e_start = g.e_start
    ),
    fo AS (  -- 14-day follow-on windows: before [t − 336 h, t), after (t, t + 336 h], all of m's other sessions.
             -- Each RANGE frame includes the sessions starting at exactly t (s among them), which neither window
             -- contains: their sum (the peer group) is subtracted. No EXCLUDE clause: with one PostgreSQL
             -- recomputes every frame from scratch (quadratic in a merchant's sessions); without, the running
             -- sums move in one pass.
        SELECT w.id, w.around - w.peers AS before, w.ahead - w.peers AS after
        FROM (
            SELECT o.id, o.started_at,
                   sum(o.gmv) OVER (PARTITION BY o.merchant_id ORDER BY o.started_at
                       RANGE BETWEEN interval '336 hours' PRECEDING AND CURRENT ROW) AS around,
                   sum(o.gmv) OVER (PARTITION BY o.merchant_id ORDER BY o.started_at
                       RANGE BETWEEN CURRENT ROW AND interval '336 hours' FOLLOWING) AS ahead,
                   sum(o.gmv) OVER (PARTITION BY o.merchant_id, o.started_at) AS peers
            FROM providers_livesession o
            WHERE o.merchant_id IN (SELECT merchant_id FROM g)
              AND o.started_at >= %(start)s::timestamptz - interval '336 hours' AND o.started_at <= %(end)s
        ) w
        WHERE w.started_at + interval '336 hours' <= %(end)s AND w.id IN (SELECT id FROM g)
    ),
    r AS (SELECT sb.*, fo.before, fo.after FROM sb LEFT JOIN fo ON fo.id = sb.id),
    sizes AS (SELECT unnest(ARRAY['all', 'small_medium', 'large']) AS size)
    SELECT sizes.size,
           count(r.id) AS sessions,
           coalesce(sum(r.gmv), 0)::numeric(18,2) AS gmv,  -- money: always two places, 0.00 too
           count(DISTINCT r.merchant_id) AS merchants,
           count(r.id) FILTER (WHERE r.total IS NOT NULL) AS uplift_n,
           sum({x("r.gmv * r.cnt")} / r.total - 1) FILTER (WHERE r.total IS NOT NULL)
               / nullif(count(r.id) FILTER (WHERE r.total IS NOT NULL), 0) AS uplift,
           count(r.id) FILTER (WHERE r.before > 0) AS follow_on_n,
           sum(r.before) FILTER (WHERE r.before > 0) AS follow_on_before,
           sum(r.after) FILTER (WHERE r.before > 0) AS follow_on_after,
           {x("sum(r.after) FILTER (WHERE r.before > 0)")} / nullif(sum(r.before) FILTER (WHERE r.before > 0), 0) - 1
               AS follow_on_growth
    FROM sizes LEFT JOIN r ON sizes.size = 'all' OR r.size = sizes.size
    GROUP BY sizes.size
    """
