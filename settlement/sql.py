"""Set-based SQL of the statement run (DESIGN §11): every provider of a run in a fixed number of statements.

The covering engagement and the baseline are §6's, reused from scoring.sql (the segments of each
(provider, merchant) pair labelled with the latest-starting covering engagement; ``BASELINE``); §11 adds the
lowest id among engagements starting that same day. Everything is exact NUMERIC: products of cents and rates,
with at most one division per line (by the month's days, or by the baseline's session count), carried to 30
decimals; only the line's amount is rounded, half away from zero (PostgreSQL's ``round(numeric, 2)``).

Temp tables (ON COMMIT DROP) of one run, in order: targets (provider, month) → seg (segments with engagement
ids) → ver (agreement version ranges) → base (the segments' baselines) → ses (sessions with engagement, rates,
baseline) → rc (recomputed exact amounts per provider, month, engagement, kind) → diff (recomputed − already
settled) → st (the new statements) → lines (with their ids and their entries' ids), from which the lines, the
entries and the legs are each one INSERT.
"""

# ruff: noqa: S608 - statements are assembled from this module's constants only; values go as parameters

from scoring.sql import BASELINE, local_date, midnight, segment_ctes

TEMP_TABLES = [
    "settlement_tmp_targets",
    "settlement_tmp_seg",
    "settlement_tmp_ver",
    "settlement_tmp_base",
    "settlement_tmp_ses",
    "settlement_tmp_rc",
    "settlement_tmp_diff",
    "settlement_tmp_st",
    "settlement_tmp_lines",
]

# The run's new statements by provider (a small hash-joinable table for the inserts after them).
NEW_STATEMENTS = """
CREATE TEMP TABLE settlement_tmp_st ON COMMIT DROP AS
SELECT s.provider_id, s.id FROM settlement_statement s
WHERE s.run_id = %(run)s AND s.month = %(month)s::date AND s.state = 'draft'
"""

# The (provider, month) pairs to compute: the run's month M for each provider of the run (%(providers)s), and
# every earlier month of theirs with a standing statement (recomputed into adjustments).
TARGETS = """
CREATE TEMP TABLE settlement_tmp_targets ON COMMIT DROP AS
SELECT p.provider_id, m.month, (m.month::timestamp AT TIME ZONE 'Asia/Shanghai') AS m_start,
       ((m.month + interval '1 month')::date::timestamp AT TIME ZONE 'Asia/Shanghai') AS m_end,
       (m.month = %(month)s::date) AS is_base
FROM unnest(%(providers)s::bigint[]) AS p(provider_id)
JOIN LATERAL (
    SELECT %(month)s::date AS month
    UNION
    SELECT s.month FROM settlement_statement s
    WHERE s.provider_id = p.provider_id AND s.state <> 'void' AND s.month < %(month)s::date
) m ON true
"""

# Segments of every (provider, merchant) pair of the run, each with its covering engagement: the latest-starting
# one (scoring.sql's segments), then the lowest id of those starting that day and covering the segment.
SEGMENTS = f"""
CREATE TEMP TABLE settlement_tmp_seg ON COMMIT DROP AS
WITH {segment_ctes("e.provider_id IN (SELECT provider_id FROM settlement_tmp_targets)")}
SELECT seg.provider_id, seg.merchant_id, seg.lo_at, seg.hi_at, seg.e_start, min(e.id) AS engagement_id
FROM seg JOIN providers_engagement e
  ON e.provider_id = seg.provider_id AND e.merchant_id = seg.merchant_id AND e.start_date = seg.e_start
 AND (e.end_date IS NULL OR (seg.hi_at IS NOT NULL AND {midnight("e.end_date + 1")} >= seg.hi_at))
GROUP BY seg.provider_id, seg.merchant_id, seg.lo_at, seg.hi_at, seg.e_start
"""

# Agreement versions of the run's providers as date ranges [effective_from, next_from).
VERSIONS = """
CREATE TEMP TABLE settlement_tmp_ver ON COMMIT DROP AS
SELECT a.engagement_id, v.effective_from,
       lead(v.effective_from) OVER (PARTITION BY v.agreement_id ORDER BY v.effective_from) AS next_from,
       v.fixed_fee_monthly, v.commission_rate, v.uplift_bonus_rate
FROM settlement_agreementversion v JOIN settlement_serviceagreement a ON a.id = v.agreement_id
WHERE a.provider_id IN (SELECT provider_id FROM settlement_tmp_targets)
"""

# The baselines (§6) of the run's segments: count and total of the merchant's unoperated sessions in the 30 days
# before the covering engagement's start (keys from the segments, not from every session: the same values), and
# the mean a linked session records (divided once per baseline, not once per session).
BASELINES = f"""
CREATE TEMP TABLE settlement_tmp_base ON COMMIT DROP AS
SELECT b.*, b.total::numeric(70,30) / b.cnt AS baseline
FROM ({BASELINE.replace("FROM g WHERE", "FROM settlement_tmp_seg WHERE")}) b
"""

# Every operated session of a target month, with its covering engagement, the version in force on its date and
# its baseline. The scan's bounds are the targets' span passed as values (the earliest target month's start, the
# run's month's end), not subqueries: the planner then prunes the partitions and estimates the sessions read,
# where an unknown bound made it expect a few hundred rows and hash a million.
SESSIONS = f"""
CREATE TEMP TABLE settlement_tmp_ses ON COMMIT DROP AS
SELECT ls.id AS session_id, ls.provider_id, t.month, t.is_base, (ls.gmv - ls.refund_amount) AS net,
       seg.engagement_id, v.effective_from IS NOT NULL AS has_version, v.commission_rate, v.uplift_bonus_rate,
       base.cnt, base.total, base.baseline
FROM (
    SELECT s.id, s.provider_id, s.merchant_id, s.started_at, s.gmv, s.refund_amount,
           {local_date("s.started_at")} AS day  -- once per session, not once per version compared
    FROM providers_livesession s
    WHERE s.provider_id IS NOT NULL
      AND s.started_at >= %(start)s AND s.started_at < %(end)s  -- the targets' span, as values: pruned, estimated
) ls
JOIN settlement_tmp_targets t ON t.provider_id = ls.provider_id
 AND ls.started_at >= t.m_start AND ls.started_at < t.m_end
LEFT JOIN settlement_tmp_seg seg ON seg.provider_id = ls.provider_id AND seg.merchant_id = ls.merchant_id
 AND ls.started_at >= seg.lo_at AND (seg.hi_at IS NULL OR ls.started_at < seg.hi_at)
LEFT JOIN settlement_tmp_ver v ON v.engagement_id = seg.engagement_id
 AND v.effective_from <= ls.day AND (v.next_from IS NULL OR ls.day < v.next_from)
LEFT JOIN settlement_tmp_base base ON base.merchant_id = ls.merchant_id AND base.e_start = seg.e_start
"""

# The tier in force at the month's last instant: the latest effective tier decision (promote/demote: its "to";
# certify: its level; admit: L0) before the month's end, a decision overturned on appeal counting as never in
# force — and with it the certify decisions of the same cycle's move. No such decision: L0.
TIER_AT = """
SELECT coalesce((
    SELECT CASE d.kind WHEN 'certify' THEN d.evidence ->> 'level' WHEN 'admit' THEN 'L0' ELSE d.evidence ->> 'to' END
    FROM certification_decision d
    WHERE d.provider_id = t.provider_id AND d.status = 'effective' AND d.effective_at < t.m_end
      AND d.kind IN ('promote', 'demote', 'certify', 'admit')
      AND NOT EXISTS (
          SELECT 1 FROM certification_decision o WHERE o.kind = 'appeal_overturned' AND o.refers_to_id = d.id)
      AND NOT (d.kind = 'certify' AND d.cycle_id IS NOT NULL AND EXISTS (
          SELECT 1 FROM certification_decision m
          JOIN certification_decision o ON o.refers_to_id = m.id AND o.kind = 'appeal_overturned'
          WHERE m.provider_id = d.provider_id AND m.cycle_id = d.cycle_id AND m.kind IN ('promote', 'demote')))
    ORDER BY d.effective_at DESC, d.seq DESC LIMIT 1), 'L0')
"""

SHARE = """
SELECT sch.id AS schedule_id, CASE tier WHEN 'L1' THEN sch.l1 WHEN 'L2' THEN sch.l2 WHEN 'L3' THEN sch.l3
       WHEN 'L4' THEN sch.l4 WHEN 'L5' THEN sch.l5 ELSE 0 END AS share
FROM settlement_tierincentiveschedule sch
WHERE sch.effective_from <= ((t.month + interval '1 month')::date - 1)
ORDER BY sch.effective_from DESC LIMIT 1
"""

# Per target (provider, month): tier at the end, the schedule and share.
TARGET_TIERS = f"""
SELECT t.provider_id, t.month, t.is_base, tt.tier, sh.schedule_id, coalesce(sh.share, 0) AS share
FROM settlement_tmp_targets t
CROSS JOIN LATERAL (SELECT ({TIER_AT}) AS tier) tt
LEFT JOIN LATERAL ({SHARE.replace("CASE tier", "CASE tt.tier")}) sh ON true
"""

# The recomputed exact amount of every (provider, month, engagement, kind). Engagements: those of the provider
# covering a day of the month. Fixed fee: Σ over covered days of the fee in force / days in the month.
RECOMPUTE = f"""
CREATE TEMP TABLE settlement_tmp_rc ON COMMIT DROP AS
WITH tiers AS MATERIALIZED ({TARGET_TIERS}),  -- once per target, not once per engagement
eng AS (
    SELECT t.provider_id, t.month, e.id AS engagement_id,
           greatest(e.start_date, t.month) AS d0,
           least(coalesce(e.end_date, (t.month + interval '1 month')::date - 1),
                 (t.month + interval '1 month')::date - 1) AS d1,
           ((t.month + interval '1 month')::date - t.month) AS days_in_month
    FROM settlement_tmp_targets t JOIN providers_engagement e ON e.provider_id = t.provider_id
     AND e.start_date < (t.month + interval '1 month')::date AND (e.end_date IS NULL OR e.end_date >= t.month)
),
fee AS (  -- Σ over the covered days of the fee in force = Σ over versions of fee × its days in [d0, d1]
    SELECT eng.provider_id, eng.month, eng.engagement_id,
           coalesce(sum(v.fixed_fee_monthly
                         * (least(eng.d1 + 1, coalesce(v.next_from, eng.d1 + 1)) - greatest(eng.d0, v.effective_from))),
                    0)::numeric(70,30) / max(eng.days_in_month) AS exact
    FROM eng
    LEFT JOIN settlement_tmp_ver v ON v.engagement_id = eng.engagement_id
     AND v.effective_from <= eng.d1 AND (v.next_from IS NULL OR v.next_from > eng.d0)
    WHERE eng.d0 <= eng.d1
    GROUP BY eng.provider_id, eng.month, eng.engagement_id
),
ses AS (
    SELECT provider_id, month, engagement_id,
           count(*) AS n,
           count(*) FILTER (WHERE total IS NOT NULL) AS n_base,
           coalesce(sum(net * commission_rate), 0) AS commission,
           coalesce(sum(greatest(0, net * cnt - total) * uplift_bonus_rate) FILTER (WHERE total IS NOT NULL), 0)
               ::numeric(70,30) / coalesce(max(cnt), 1) AS bonus
    FROM settlement_tmp_ses WHERE has_version
    GROUP BY provider_id, month, engagement_id
),
per AS (
    SELECT fee.provider_id, fee.month, fee.engagement_id, fee.exact AS fee,
           coalesce(ses.commission, 0) AS commission, coalesce(ses.bonus, 0) AS bonus,
           coalesce(ses.n, 0) AS n, coalesce(ses.n_base, 0) AS n_base
    FROM fee LEFT JOIN ses USING (provider_id, month, engagement_id)
)
SELECT per.provider_id, per.month, per.engagement_id, k.kind, k.ord, k.exact::numeric(50,30) AS exact, k.n
FROM per JOIN tiers USING (provider_id, month)
CROSS JOIN LATERAL (VALUES
    ('fixed_fee', 1, per.fee, 0::bigint),
    ('commission', 2, per.commission, per.n),
    ('uplift_bonus', 3, per.bonus, per.n_base),
    ('tier_incentive', 4, per.commission * tiers.share, per.n)
) AS k(kind, ord, exact, n)
"""

# Recomputed minus already settled (the exact amounts of the lines of standing statements), per provider, month,
# engagement and kind. The run's own month keeps every line; an earlier month only its non-zero differences.
DIFF = """
CREATE TEMP TABLE settlement_tmp_diff ON COMMIT DROP AS
WITH settled AS (
    SELECT s.provider_id, l.for_month AS month, l.engagement_id, l.kind, sum(l.exact) AS exact
    FROM settlement_statement s JOIN settlement_statementline l ON l.statement_id = s.id
    WHERE s.state <> 'void' AND l.kind <> 'carried'
      AND s.provider_id IN (SELECT provider_id FROM settlement_tmp_targets)
    GROUP BY s.provider_id, l.for_month, l.engagement_id, l.kind
),
d AS (
    SELECT coalesce(rc.provider_id, st.provider_id) AS provider_id, coalesce(rc.month, st.month) AS month,
           coalesce(rc.engagement_id, st.engagement_id) AS engagement_id, coalesce(rc.kind, st.kind) AS kind,
           coalesce(rc.exact, 0) - coalesce(st.exact, 0) AS exact, coalesce(rc.n, 0) AS n
    FROM settlement_tmp_rc rc
    FULL JOIN settled st ON st.provider_id = rc.provider_id AND st.month = rc.month
     AND st.engagement_id = rc.engagement_id AND st.kind = rc.kind
)
SELECT d.*, (d.month = %(month)s::date) AS is_base,
       CASE d.kind WHEN 'fixed_fee' THEN 1 WHEN 'commission' THEN 2 WHEN 'uplift_bonus' THEN 3 ELSE 4 END AS ord
FROM d JOIN (SELECT DISTINCT provider_id, month FROM settlement_tmp_targets) t USING (provider_id, month)
WHERE d.month = %(month)s::date OR d.exact <> 0
"""

# The statements of the run: one per provider, with the tier of the month's end and its share.
INSERT_STATEMENTS = f"""
INSERT INTO settlement_statement
    (provider_id, month, version, replaces_id, run_id, state, tier, incentive_schedule_id, incentive_share, total,
     created_at, confirm_by, dispute_reason, resolution, invoice_number, payment_reference)
SELECT tt.provider_id, %(month)s::date, coalesce(r.version, 0) + 1, r.id, %(run)s, 'draft', tt.tier,
       tt.schedule_id, tt.share, 0, %(now)s, %(confirm_by)s, '', '', '', ''
FROM ({TARGET_TIERS}) tt
LEFT JOIN LATERAL (  -- the latest (voided) version of the month, which a new one replaces
    SELECT v.id, v.version FROM settlement_statement v
    WHERE v.provider_id = tt.provider_id AND v.month = %(month)s::date ORDER BY v.version DESC LIMIT 1
) r ON true
WHERE tt.is_base
"""

# The carried negative total of the previous month's standing statement, then the lines of the month, then the
# adjustments (oldest month first), numbered per statement; each line with its id and its journal entry's id
# drawn here (the carried line posts no entry), so that lines, entries and legs are each one INSERT from this
# table, without joining back.
LINES = """
CREATE TEMP TABLE settlement_tmp_lines ON COMMIT DROP AS
WITH carried AS (
    SELECT st.id AS statement_id, st.provider_id, 'carried' AS kind,
           (%(month)s::date - interval '1 month')::date AS for_month, NULL::bigint AS engagement_id,
           prev.id AS carried_from_id, prev.total::numeric(50,30) AS exact, prev.total AS amount, 0::bigint AS n,
           0 AS grp, NULL::date AS m_order, 0 AS ord
    FROM settlement_tmp_st st JOIN settlement_statement prev ON prev.provider_id = st.provider_id
     AND prev.month = (%(month)s::date - interval '1 month')::date AND prev.state <> 'void' AND prev.total < 0
),
rest AS (
    SELECT st.id AS statement_id, st.provider_id, d.kind, d.month AS for_month, d.engagement_id,
           NULL::bigint AS carried_from_id, d.exact, round(d.exact, 2) AS amount, d.n,
           CASE WHEN d.is_base THEN 1 ELSE 2 END AS grp, d.month AS m_order, d.ord
    FROM settlement_tmp_st st JOIN settlement_tmp_diff d ON d.provider_id = st.provider_id
),
numbered AS (
    SELECT allx.*, row_number() OVER (PARTITION BY statement_id ORDER BY grp, m_order, engagement_id, ord) AS position
    FROM (SELECT * FROM carried UNION ALL SELECT * FROM rest) allx
)
SELECT nextval(%(line_seq)s::regclass) AS id,
       CASE WHEN kind <> 'carried' THEN nextval(%(entry_seq)s::regclass) END AS entry_id,
       statement_id, provider_id, position, kind, for_month, engagement_id, carried_from_id, exact, amount, n
FROM numbered
"""

SEQUENCES = """
SELECT pg_get_serial_sequence('settlement_statementline', 'id'), pg_get_serial_sequence('settlement_journalentry', 'id')
"""

INSERT_LINES = """
INSERT INTO settlement_statementline
    (id, statement_id, position, kind, for_month, engagement_id, carried_from_id, exact, amount, sessions)
SELECT id, statement_id, position, kind, for_month, engagement_id, carried_from_id, exact, amount, n
FROM settlement_tmp_lines
"""

UPDATE_TOTALS = """
UPDATE settlement_statement s SET total = t.total
FROM (SELECT statement_id, sum(amount) AS total FROM settlement_tmp_lines GROUP BY statement_id) t
WHERE s.id = t.statement_id
"""

# The sessions each (month, engagement) group of lines rests on: every settled session of the statement's
# month, and of an adjusted month where the engagement has an adjustment line. Written in the order of the
# (statement, for_month, session) key, so that its index grows at its right edge instead of at random pages.
INSERT_SESSIONS = """
INSERT INTO settlement_statementsession
    (statement_id, session_id, engagement_id, for_month, net_gmv, commission_rate, uplift_bonus_rate, baseline,
     commission, uplift_bonus)
SELECT st.id, x.session_id, x.engagement_id, x.month, x.net, x.commission_rate, x.uplift_bonus_rate,
       x.baseline,
       x.net * x.commission_rate,
       CASE WHEN x.total IS NULL THEN 0
            ELSE greatest(0, x.net * x.cnt - x.total)::numeric(70,30) * x.uplift_bonus_rate / x.cnt END
FROM settlement_tmp_ses x
JOIN settlement_tmp_st st ON st.provider_id = x.provider_id
WHERE x.has_version AND x.is_base
UNION ALL
SELECT st.id, x.session_id, x.engagement_id, x.month, x.net, x.commission_rate, x.uplift_bonus_rate,
       x.baseline,
       x.net * x.commission_rate,
       CASE WHEN x.total IS NULL THEN 0
            ELSE greatest(0, x.net * x.cnt - x.total)::numeric(70,30) * x.uplift_bonus_rate / x.cnt END
FROM settlement_tmp_ses x
JOIN settlement_tmp_st st ON st.provider_id = x.provider_id
JOIN (SELECT DISTINCT provider_id, month, engagement_id FROM settlement_tmp_diff
      WHERE NOT is_base AND kind <> 'fixed_fee') d
  ON d.provider_id = x.provider_id AND d.month = x.month AND d.engagement_id = x.engagement_id
WHERE x.has_version AND NOT x.is_base
ORDER BY 1, 4, 2
"""

INSERT_UNSETTLED = """
INSERT INTO settlement_unsettledsession (statement_id, session_id, engagement_id, reason)
SELECT st.id, x.session_id, x.engagement_id,
       CASE WHEN x.engagement_id IS NULL THEN 'no_engagement' ELSE 'no_agreement_version' END
FROM settlement_tmp_ses x
JOIN settlement_tmp_st st ON st.provider_id = x.provider_id
WHERE x.is_base AND NOT x.has_version
"""

# One journal entry per line (the carried line is already in the books: it posts nothing), then both legs of
# every entry in one statement (the balance trigger checks each entry once the statement is done).
INSERT_ENTRIES = """
INSERT INTO settlement_journalentry (id, statement_id, line_id, memo, posted_at)
SELECT entry_id, statement_id, id, kind || ' ' || to_char(for_month, 'YYYY-MM'), %(now)s
FROM settlement_tmp_lines WHERE entry_id IS NOT NULL
"""

INSERT_LEGS = """
INSERT INTO settlement_journalleg (entry_id, account, provider_id, amount)
SELECT l.entry_id, leg.account, l.provider_id, leg.amount
FROM settlement_tmp_lines l
CROSS JOIN LATERAL (VALUES
    (CASE WHEN l.kind = 'tier_incentive' THEN 'platform_incentive' ELSE 'merchant_payable' END, -l.amount),
    ('provider_receivable', l.amount)
) AS leg(account, amount)
WHERE l.entry_id IS NOT NULL
"""

# Reversal of a voided statement's entries: one entry per original, legs negated.
REVERSE_ENTRIES = """
INSERT INTO settlement_journalentry (statement_id, line_id, reverses_id, memo, posted_at)
SELECT e.statement_id, e.line_id, e.id, 'reversal of #' || e.id, %(now)s
FROM settlement_journalentry e
WHERE e.statement_id = %(statement)s AND e.reverses_id IS NULL
"""

REVERSE_LEGS = """
INSERT INTO settlement_journalleg (entry_id, account, provider_id, amount)
SELECT r.id, g.account, g.provider_id, -g.amount
FROM settlement_journalentry r JOIN settlement_journalleg g ON g.entry_id = r.reverses_id
WHERE r.statement_id = %(statement)s AND r.reverses_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM settlement_journalleg x WHERE x.entry_id = r.id)
"""

# Balances per account (and provider): one query.
BALANCES = """
SELECT g.account, g.provider_id, sum(g.amount) AS balance
FROM settlement_journalleg g
WHERE (%(provider)s::bigint IS NULL OR g.provider_id = %(provider)s)
GROUP BY g.account, g.provider_id ORDER BY g.account, g.provider_id
"""
