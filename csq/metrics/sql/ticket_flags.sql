-- The per-ticket steps of the ticket indicators over the SLA clock source (ticket_clock.sql or
-- ticket_unclocked.sql), shared by the engine's tickets.sql and the effect check's ticket_records.sql:
-- each ticket's durations and its SLA and complaint flags. Durations come from epoch microseconds so
-- fractional minutes survive; SLA comparisons stay in microseconds so a response at exactly the limit is
-- met. An sla flag is TRUE (met), FALSE (breached) or NULL (no limit, or still inside it as of). The
-- frt_us and art_us parts pick the clock the durations are shown on: wall clock by default, the business
-- clock of each ticket's rule less pauses with --clock business. The complaint 48 h / 72 h rates are fixed
-- wall-clock promises (SPEC section 3), not SLA rules: wall clock always.
base AS (
    SELECT {groups}
        t.first_response_at IS NOT NULL AS responded,
        t.resolved_at IS NOT NULL AS resolved,
        t.type = 'complaint' AS complaint,
        t.contacts,
        t.reopen_count,
        coalesce(t.escalated, FALSE) AS escalated,
        {frt_us} AS frt_us,
        {art_us} AS art_us,
        (epoch_us(t.first_response_at) - epoch_us(t.created_at)) AS frt_wall_us,
        (epoch_us(t.resolved_at) - epoch_us(t.created_at)) AS art_wall_us,
        (epoch_us(CAST({as_of} AS TIMESTAMP)) - epoch_us(t.created_at)) AS age_us,
        t.frt_elapsed_us, t.res_elapsed_us, t.frt_limit_us, t.res_limit_us
    FROM {clock} t
),
flags AS (
    SELECT *,
        frt_us / 60000000.0 AS frt_min,
        art_us / 3600000000.0 AS art_h,
        CASE WHEN frt_limit_us IS NULL THEN NULL
             WHEN responded THEN frt_elapsed_us <= frt_limit_us
             WHEN frt_elapsed_us > frt_limit_us THEN FALSE END AS frt_ok,
        CASE WHEN res_limit_us IS NULL THEN NULL
             WHEN resolved THEN res_elapsed_us <= res_limit_us
             WHEN res_elapsed_us > res_limit_us THEN FALSE END AS res_ok,
        CASE WHEN NOT complaint THEN NULL
             WHEN frt_wall_us IS NOT NULL THEN frt_wall_us <= 48 * 3600000000.0
             WHEN age_us > 48 * 3600000000.0 THEN FALSE END AS c48_ok,
        CASE WHEN NOT complaint THEN NULL
             WHEN art_wall_us IS NOT NULL THEN art_wall_us <= 72 * 3600000000.0
             WHEN age_us > 72 * 3600000000.0 THEN FALSE END AS c72_ok
    FROM base
)
