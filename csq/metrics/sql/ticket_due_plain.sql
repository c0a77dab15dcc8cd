-- ticket_due.sql when every SLA rule counts on 24x7: a due moment is created_at plus the limit (NULL without
-- a limit or once the clock has been paused), so no calendar spans are joined. The ASOF joins of
-- ticket_due.sql sort every ticket twice even against no spans: two thirds of the ticket facts' clock time.
SELECT t.*,
    CASE WHEN t.frt_limit_us IS NULL OR t.frt_paused_us > 0 THEN NULL
         ELSE t.created_at + to_microseconds(CAST(round(t.frt_limit_us) AS BIGINT)) END AS frt_due_at,
    CASE WHEN t.res_limit_us IS NULL OR t.res_paused_us > 0 THEN NULL
         ELSE t.created_at + to_microseconds(CAST(round(t.res_limit_us) AS BIGINT)) END AS res_due_at
FROM {clock} t
